// The project runs on Node 24; a machine's system node may be older (Node 20 on these machines).
// tools/lib/use-project-node.mjs re-runs an entry point on node_modules/.bin/node, or says in one line
// that Node 24 is missing. These tests need an older node to start from: the machine's own one.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environments } from '../../config/index.ts';
import { findExecutable } from '../../tools/lib/find-executable.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { SYSTEM_PATH } from '../support/fresh-shell.ts';

const GUARD = join(REPO_ROOT, 'tools/lib/use-project-node.mjs');
const PROJECT_BIN = join(REPO_ROOT, 'node_modules/.bin');
const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-node-runtime-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const systemNode = findExecutable('node', SYSTEM_PATH);
const systemMajor = systemNode ? Number(execFileSync(systemNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' })) : 0;
const skip =
  systemMajor === 0
    ? 'no system node besides the project one'
    : systemMajor >= 24
      ? `the system node is already ${systemMajor}: nothing older to start from`
      : false;
if (skip) console.warn(`\n!!! SKIPPING the older-node tests: ${skip} !!!\n`);

describe(`started on the system's older node (${systemNode ?? 'none'}, major ${systemMajor})`, { skip }, () => {
  const systemEnv = { ...process.env, PATH: SYSTEM_PATH, CDK8S_CHECK_UPGRADE: 'false' };

  test('the project installs Node 24 as node_modules/.bin/node', () => {
    const version = execFileSync(join(PROJECT_BIN, 'node'), ['--version'], { encoding: 'utf8' }).trim();
    assert.match(version, /^v24\./);
    const pinned = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> })
      .optionalDependencies;
    assert.equal(version, `v${pinned[`node-${process.platform}-${process.arch}`]}`);
  });

  test('an npm script entry point re-runs on the project Node 24 and works', () => {
    const result = spawnSync(systemNode!, ['--import', GUARD, '--input-type=module', '-e', 'console.log(process.version)'], {
      encoding: 'utf8',
      env: systemEnv,
      cwd: REPO_ROOT,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), execFileSync(join(PROJECT_BIN, 'node'), ['--version'], { encoding: 'utf8' }).trim());
    const help = spawnSync(systemNode!, ['--import', GUARD, 'tools/synth/main.ts', '--help'], {
      encoding: 'utf8',
      env: systemEnv,
      cwd: REPO_ROOT,
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: npm run synth/);
  });

  test('a cdk8s CLI started on the system node (not through npx) renders what npm run synth does', () => {
    const out = join(workdir, 'cli');
    const cli = spawnSync(systemNode!, [join(REPO_ROOT, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth', '--output', out], {
      encoding: 'utf8',
      env: { ...systemEnv, SWEETSHOP_ENV: 'production' },
      cwd: REPO_ROOT,
    });
    assert.equal(cli.status, 0, cli.stderr);
    const direct = join(workdir, 'direct');
    synthesizeInto(environments.production!, direct);
    assert.equal(readFileSync(join(out, 'sweetshop.k8s.yaml'), 'utf8'), readFileSync(join(direct, 'sweetshop.k8s.yaml'), 'utf8'));
  });

  test('without a project Node 24 it exits 1 with one line naming the version and the fix', () => {
    // The guard looks for ../../node_modules/.bin/node next to itself: a copy in a folder without one.
    const lonely = join(workdir, 'lonely', 'tools', 'lib');
    mkdirSync(lonely, { recursive: true });
    cpSync(GUARD, join(lonely, 'use-project-node.mjs'));
    writeFileSync(join(workdir, 'lonely', 'entry.ts'), 'const typed: number = 1;\nconsole.log(typed);\n');
    const result = spawnSync(systemNode!, ['--import', join(lonely, 'use-project-node.mjs'), join(workdir, 'lonely', 'entry.ts')], {
      encoding: 'utf8',
      env: systemEnv,
    });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `^sweetshop needs Node\\.js 24 or newer, but this is v${systemMajor}\\.[0-9.]+ ` +
          `\\(${realpathSync(systemNode!).replaceAll('/', '\\/')}\\)\\. Run \`npm ci\``,
      ),
    );
  });

  test('npm test checks the Node version first: without a project Node 24 its first step prints the one line and exits 1', () => {
    // Node 20's --test does not expand "test/**/*.test.ts" and would report "Could not find" before any
    // --import ran, so the guard must run on its own before tsc, biome and node --test.
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const first = scripts.test!.split('&&')[0]!.trim();
    assert.equal(first, 'node tools/lib/use-project-node.mjs');
    const repo = join(workdir, 'lonely-test');
    mkdirSync(join(repo, 'tools', 'lib'), { recursive: true });
    cpSync(GUARD, join(repo, 'tools', 'lib', 'use-project-node.mjs'));
    const result = spawnSync('sh', ['-c', first], { cwd: repo, encoding: 'utf8', env: systemEnv });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, new RegExp(`^sweetshop needs Node\\.js 24 or newer, but this is v${systemMajor}\\.`));
    // With the project's Node 24 present the same step passes and prints nothing.
    const ok = spawnSync('sh', ['-c', first], { cwd: REPO_ROOT, encoding: 'utf8', env: systemEnv });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr, '');
  });

  test('without a project Node 24, under cdk8s synth (which deleted its output folder first), the committed output is put back', () => {
    const repo = join(workdir, 'lonely-repo');
    const guard = join(repo, 'tools', 'lib', 'use-project-node.mjs');
    mkdirSync(join(repo, 'tools', 'lib'), { recursive: true });
    mkdirSync(join(repo, 'dist'));
    cpSync(GUARD, guard);
    writeFileSync(join(repo, 'dist', 'shop.k8s.yaml'), 'kind: Committed\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'dist');
    rmSync(join(repo, 'dist'), { recursive: true });
    const result = spawnSync(systemNode!, ['--import', guard, 'entry.ts'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...systemEnv, CDK8S_OUTDIR: 'dist' },
    });
    assert.equal(result.status, 1);
    assert.equal(readFileSync(join(repo, 'dist', 'shop.k8s.yaml'), 'utf8'), 'kind: Committed\n');
    assert.match(result.stderr, /restored the committed dist\/ from git HEAD/);
  });
});
