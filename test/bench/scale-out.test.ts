import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { summarizeScaleOut } from '../../tools/bench/scale-out/rounds.ts';
import type { ScaleOutRun } from '../../tools/bench/scale-out/run.ts';

const run = (replicas: number, round: number, rps: number, replicaUs: number, errors = 0): ScaleOutRun => ({
  balance: 'round-robin',
  replicas,
  round,
  rps,
  p50Ms: 2,
  p99Ms: 10 * round,
  requests: rps * 10,
  errors,
  non2xx: 0,
  cpuUsPerRequest: { front: 10, balancer: 10, replicas: replicaUs, supervisor: 0 },
  ioCallsPerRequest: { front: 1, balancer: 2, replicas: 1, supervisor: 0 },
  switchesPerRequest: { front: 1, balancer: 1, replicas: 1, supervisor: 0 },
  connectsPer1k: { balancer: 0, replicas: 0 },
  replicaCores: (rps * replicaUs) / 1e6,
  machineBusyCores: 1.5,
});

const setup = {
  balance: 'round-robin' as const,
  counts: [1, 2],
  rounds: 3,
  load: { connections: 50, durationSec: 10 },
  stableFront: true,
  cpuLimit: '100m',
};

describe('summarizeScaleOut', () => {
  // Rounds 1-3 of one replica (1000, 1200, 900 req/s) and of two (1800, 2100, 1500): medians 1000 and 1800.
  const runs = [
    run(1, 1, 1000, 30),
    run(2, 1, 1800, 33),
    run(1, 2, 1200, 32),
    run(2, 2, 2100, 36, 2),
    run(1, 3, 900, 31),
    run(2, 3, 1500, 35, 1),
  ];
  const result = summarizeScaleOut(runs, setup);

  test('each count is the median of its own rounds, errors summed over them', () => {
    const [one, two] = result.points;
    assert.equal(one!.rps, 1000);
    assert.equal(two!.rps, 1800);
    assert.equal(one!.p99Ms, 20);
    assert.equal(two!.errors, 3);
    assert.deepEqual(two!.cpuUsPerRequest, { front: 10, balancer: 10, replicas: 35, supervisor: 0, total: 55 });
    assert.deepEqual(two!.replicaCallsPerRequest, { io: 1, switches: 1 });
  });

  test('every count is compared with the first round by round: throughput, N times its rate, and CPU per request', () => {
    const two = result.points[1]!;
    // Per round 1800/1000, 2100/1200, 1500/900: median 1.75 (the medians' ratio, 1.8, would mix rounds).
    assert.equal(two.rpsVsFirst, 1.75);
    assert.equal(two.rpsVsLinear, 0.875);
    // Total CPU per request per round 53/50, 56/52, 55/51: median 56/52.
    assert.equal(two.cpuVsFirst, Math.round((56 / 52) * 1000) / 1000);
    assert.equal(result.cpuLimit, '100m');
    assert.equal(result.balance, 'round-robin');
    assert.equal(result.notHeld, undefined);
  });

  test('a count never measured in the same round as the first is an error, not a ratio of different rounds', () => {
    const apart = [run(1, 1, 1000, 30), run(2, 2, 1800, 33)];
    assert.throws(() => summarizeScaleOut(apart, setup), /no round measured both 1 and 2 replica\(s\)/);
  });

  test('a count without a measured run is an error, not a zero', () => {
    assert.throws(
      () =>
        summarizeScaleOut(
          runs.filter((r) => r.replicas === 1),
          setup,
        ),
      /a replica count has no measured run/,
    );
  });

  test('replicas local mode could not hold to the limit are marked', () => {
    assert.equal(summarizeScaleOut(runs, setup, 'cgroups cannot be written').notHeld, 'cgroups cannot be written');
  });
});
