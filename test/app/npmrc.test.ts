// The project's .npmrc gives every npm script and npx command a preload through node-options (see the
// comments there). These run npx from a fresh shell's environment, as a user would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { findExecutable } from '../../tools/lib/find-executable.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { freshShellEnv, SYSTEM_PATH } from '../support/fresh-shell.ts';

const PROBE = [
  'const m = require("node:module")',
  'const v8 = require("node:v8")',
  'console.log(JSON.stringify({',
  '  checkUpgrade: process.env.CDK8S_CHECK_UPGRADE ?? null,',
  '  cacheDir: m.getCompileCacheDir?.() ?? null,',
  '  heapMiB: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20),',
  '}))',
].join('\n');

interface Probe {
  checkUpgrade: string | null;
  cacheDir: string | null;
  heapMiB: number;
}

/** What a process started by `npx <node> -e ...` in the project sees. */
function probe(node: string, extra: NodeJS.ProcessEnv = {}): Probe {
  const out = execFileSync('npx', ['--no-install', node, '-e', PROBE], { cwd: REPO_ROOT, env: freshShellEnv(extra), encoding: 'utf8' });
  return JSON.parse(out) as Probe;
}

describe('.npmrc node-options, through npx', () => {
  test("turns the cdk8s CLI's upgrade check off and the compile cache on, in this checkout's node_modules/.cache", () => {
    const seen = probe('node');
    assert.equal(seen.checkUpgrade, 'false');
    assert.ok(seen.cacheDir?.startsWith(join(REPO_ROOT, 'node_modules', '.cache', 'node-compile-cache')), String(seen.cacheDir));
  });

  test("keeps the user's own NODE_OPTIONS (npm replaces the variable with node-options)", () => {
    assert.equal(probe('node', { NODE_OPTIONS: '--max-old-space-size=300' }).heapMiB < 600, true);
    assert.equal(probe('node').heapMiB > 1000, true, 'the default heap is larger than the one asked for above');
  });

  test("leaves the user's CDK8S_CHECK_UPGRADE and NODE_COMPILE_CACHE alone", () => {
    const seen = probe('node', { CDK8S_CHECK_UPGRADE: 'true', NODE_COMPILE_CACHE: join(REPO_ROOT, '.bench', 'compile-cache-probe') });
    assert.equal(seen.checkUpgrade, 'true');
    assert.ok(seen.cacheDir?.startsWith(join(REPO_ROOT, '.bench', 'compile-cache-probe')), String(seen.cacheDir));
  });

  const systemNode = findExecutable('node', SYSTEM_PATH);
  const olderNode =
    systemNode !== undefined && Number(execFileSync(systemNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' })) < 24;
  if (!olderNode) console.warn('\n!!! SKIPPING the .npmrc test on an older node: the system node is not older than 24 !!!\n');
  test('on an older Node (no compile cache there) it still turns the upgrade check off', {
    skip: !olderNode && 'no system node older than 24',
  }, () => {
    const seen = probe(systemNode!);
    assert.equal(seen.checkUpgrade, 'false');
    assert.equal(seen.cacheDir, null);
  });
});
