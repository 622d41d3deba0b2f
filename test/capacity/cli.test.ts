import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const FIXTURE = fileURLToPath(new URL('../bench/fixtures/bench-results.json', import.meta.url));
const capacity = (...args: string[]) =>
  spawnSync(process.execPath, ['tools/capacity/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('npm run capacity (CLI, from a results file)', () => {
  test('prints a plan per section and a diff against the production file, and edits nothing', () => {
    const before = spawnSync('git', ['status', '--porcelain', 'config'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;
    const run = capacity('--rps', '3000', '--p99', '50', '--from', FIXTURE);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Capacity plan for environment 'production', p99 target 50 ms\n/);
    for (const section of ['chocolates', 'candies', 'cakes'])
      assert.match(run.stdout, new RegExp(`\\n${section}\\s+3000\\s+\\d+\\s+\\d+\\s+\\d+`));
    // Fixture: 10332 req/s at 0.77 cores -> 0.0745m per req/s; 3000 req/s on 2 replicas: 1500 × 0.0745 = 111.8m ÷ 0.65 = 172m -> 200m.
    assert.match(
      run.stdout,
      /\n {4}- cpu request 200m: at HPA min each of 2 replicas serves 1500 req\/s, which needs 111\.8m; ÷ 65% \(the HPA CPU target\) = 172m, rounded up to a multiple of 50m/,
    );
    assert.match(run.stdout, /\n {4}- HPA max 2 covers the x2 burst of 6000 req\/s/);
    assert.match(run.stdout, /--- a\/config\/environments\/production.ts|already matches this plan|No diff:/);
    assert.equal(spawnSync('git', ['status', '--porcelain', 'config'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout, before);
  });

  for (const environment of ['production', 'local']) {
    test(`--env ${environment}: the printed diff is a patch git apply --check accepts on this checkout`, () => {
      // --rps 1234 and --p99 20 differ from both files' current numbers, so there is always a diff to check.
      const run = capacity('--env', environment, '--rps', '1234', '--p99', '20', '--from', FIXTURE);
      assert.equal(run.status, 0, run.stderr);
      const diff = run.stdout.slice(run.stdout.indexOf(`--- a/config/environments/${environment}.ts\n`));
      assert.ok(diff.startsWith('--- a/'), run.stdout);
      const check = spawnSync('git', ['apply', '--check', '-'], { cwd: REPO_ROOT, input: diff, encoding: 'utf8' });
      assert.equal(check.status, 0, `${check.stderr}\n${diff}`);
    });
  }

  test('when --rps is missing or bad, or the target cannot be met, then one clear line and exit 1', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--from', FIXTURE], /^capacity failed: --rps is required \(e\.g\. --rps 3000\); see --help$/],
      [['--rps', 'lots', '--from', FIXTURE], /^capacity failed: --rps: "lots" is not a positive number of requests per second$/],
      [['--rps', '3000', '--p99=-1', '--from', FIXTURE], /^capacity failed: --p99: "-1" is not a positive number of milliseconds$/],
      [['--rps', '3000', '--p99', '0.001', '--from', FIXTURE], /^capacity failed: no measured load level met p99 <= 0.001 ms/],
      [['--rps', '3000', '--burst', '0.5', '--from', FIXTURE], /^capacity failed: --burst: "0.5" must be a number >= 1/],
      [
        ['--rps', '3000', '--env', 'staging', '--from', FIXTURE],
        /^capacity failed: unknown environment 'staging' \(from --env\): choose one of local, local-gateway, production$/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = capacity(...args);
      assert.equal(run.status, 1, args.join(' '));
      assert.match(run.stderr.trim(), message);
    }
  });
});
