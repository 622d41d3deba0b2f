import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/bench-results.json', import.meta.url));
const bench = (...args: string[]) => spawnSync(process.execPath, ['tools/bench/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('npm run bench (CLI, no measurement)', () => {
  const docs = mkdtempSync(join(tmpdir(), 'bench-docs-'));
  after(() => rmSync(docs, { recursive: true, force: true }));

  test('--help lists the benchmarks and options', () => {
    const run = bench('--help');
    assert.equal(run.status, 0);
    for (const word of ['--quick', '--only', '--json', '--report', '--from', 'synth', 'service', 'balancing', 'memory'])
      assert.ok(run.stdout.includes(word), word);
  });

  test('when --only names an unknown benchmark, then one clear line and exit 1', () => {
    const run = bench('--only', 'service,speed');
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim(),
      'bench failed: --only: unknown benchmark "speed" (choose from synth, service, runtime, balancing, memory, spike, controlPlane)',
    );
  });

  test('--from renders the page and the charts from a results file into --docs', () => {
    const run = bench('--from', FIXTURE, '--docs', docs);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(readdirSync(join(docs, 'img')).sort(), [
      'latency-by-algorithm.svg',
      'runtime-throughput.svg',
      'service-throughput.svg',
      'synth-time.svg',
      'throughput-by-replicas.svg',
      'throughput-limited-by-replicas.svg',
    ]);
    const page = readFileSync(join(docs, 'benchmarks.md'), 'utf8');
    assert.ok(page.startsWith('# Benchmarks\n'));
    assert.ok(page.includes('bench-results.json'), 'links the results file it came from');
  });

  test('when --from is not a results file, then the error names the file', () => {
    const run = bench('--from', join(REPO_ROOT, 'package.json'), '--docs', docs);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /package\.json: not a bench result: meta is missing/);
    const missing = bench('--from', join(docs, 'nope.json'), '--docs', docs);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^bench failed: cannot read bench results .*nope\.json: ENOENT/);
  });
});
