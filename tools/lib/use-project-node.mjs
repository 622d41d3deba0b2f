// Preloaded (`node --import ./tools/lib/use-project-node.mjs <entry>.ts`) by every npm script and by
// cdk8s.yaml's app, and run on its own as `npm test`'s first step (Node 20's --test fails on the test glob
// before any --import runs). Plain JavaScript on purpose: it must run on any Node, including the ones that cannot
// load the .ts entry point at all.
//
// The project runs on Node 24 (native TypeScript). `npm ci` installs it as node_modules/.bin/node on
// Linux x64/arm64, and npm scripts and `npx` put that folder first on PATH. A cdk8s CLI started another
// way (`./node_modules/.bin/cdk8s synth`, a global `cdk8s`) runs the app on the system's node instead:
// then this re-runs the same command on the project's Node 24. With no Node 24 anywhere, it says so in
// one line instead of Node's ERR_UNKNOWN_FILE_EXTENSION stack trace.
//
// On Node 24 it also turns on Node's on-disk compile cache (bytecode and type-stripped TypeScript) for
// what the entry point loads: cdk8s-plus-27 alone is megabytes of JavaScript, and a synth spends most of
// its time loading code, not rendering (docs/benchmarks.md, section 1).
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const projectNode = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
  if (existsSync(projectNode) && realpathSync(projectNode) !== realpathSync(process.execPath)) {
    const child = spawnSync(projectNode, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    if (child.signal) process.kill(process.pid, child.signal);
    process.exit(child.status ?? 1);
  }
  console.error(
    `sweetshop needs Node.js ${REQUIRED_MAJOR} or newer, but this is ${process.version} (${process.execPath}). ` +
      `Run \`npm ci\` (it installs Node ${REQUIRED_MAJOR} into node_modules/.bin on Linux x64/arm64) or install Node ${REQUIRED_MAJOR} (.nvmrc).`,
  );
  if (process.env.CDK8S_OUTDIR) restoreCommittedOutput(process.env.CDK8S_OUTDIR);
  process.exit(1);
}

/**
 * Started by `cdk8s synth`, which deletes its output folder before it runs the app: put the committed copy
 * back, as app/main.ts does after a failed synth (app/restore-committed-output.ts, which this Node cannot load).
 */
function restoreCommittedOutput(outdir) {
  if (existsSync(outdir)) return;
  spawnSync('git', ['restore', '--source=HEAD', '--worktree', '--', outdir], { stdio: 'ignore' });
  if (existsSync(outdir))
    console.error(`(cdk8s synth deletes ${outdir}/ before running the app: restored the committed ${outdir}/ from git HEAD)`);
}

// In node_modules/.cache like other tools' caches: private to this checkout, gone with `npm ci`. A folder
// that cannot be written just leaves the cache off.
module.enableCompileCache(fileURLToPath(new URL('../../node_modules/.cache/node-compile-cache', import.meta.url)));
