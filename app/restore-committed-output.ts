import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/**
 * `cdk8s synth` deletes its output folder BEFORE it runs the app (cdk8s-cli lib/cli/cmds/synth.js:
 * `fs.rmSync(outdir, { recursive: true, force: true })`), so a failed synth would leave no dist/ at all.
 * dist/ is committed, so the next best thing is the committed copy: put it back from git's HEAD.
 * Returns true when it restored something; does nothing outside a git checkout or for untracked folders.
 */
export function restoreCommittedOutput(outdir: string, cwd: string = process.cwd()): boolean {
  const target = resolve(cwd, outdir);
  if (existsSync(target)) return false;
  const path = relative(cwd, target);
  try {
    execFileSync('git', ['ls-files', '--error-unmatch', '--', path], { cwd, stdio: 'ignore' });
    execFileSync('git', ['restore', '--source=HEAD', '--worktree', '--', path], { cwd, stdio: 'ignore' });
    return existsSync(target);
  } catch {
    return false;
  }
}
