import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  DEFAULT_POLICY,
  type MeasuredPoint,
  parseTargetRates,
  peakCpu,
  planReplicas,
  planResources,
  planSectionCpu,
  rateAtCpuLimit,
  sustainableRate,
} from '../../tools/capacity/planner.ts';

const CURVE: MeasuredPoint[] = [
  { connections: 1, rps: 900, p99Ms: 2, serverCpuCores: 0.3 },
  { connections: 4, rps: 2400, p99Ms: 6, serverCpuCores: 0.7 },
  { connections: 16, rps: 3100, p99Ms: 14, serverCpuCores: 0.93 },
  { connections: 50, rps: 3200, p99Ms: 61, serverCpuCores: 0.98 },
];

describe('sustainableRate', () => {
  test('when several levels meet the p99 target, then picks the highest req/s among them', () => {
    assert.deepEqual(sustainableRate(CURVE, 50), { rps: 3100, p99Ms: 14, connections: 16, cpuCores: 0.93, cpuByRate: [] });
  });

  test('when the target is exactly a measured p99, then that level counts as meeting it', () => {
    assert.equal(sustainableRate(CURVE, 6).rps, 2400);
  });

  test('when no level meets the target, then the error names the lowest p99 seen and the fix', () => {
    assert.throws(() => sustainableRate(CURVE, 1), {
      message: 'no measured load level met p99 <= 1 ms (lowest p99 was 2 ms at 1 connection(s)): raise --p99 or make the service faster',
    });
  });

  test('when the curve is empty or a point is broken, then it says so', () => {
    assert.throws(() => sustainableRate([], 50), /no measured load levels/);
    assert.throws(
      () => sustainableRate([{ connections: 1, rps: Number.NaN, p99Ms: 1, serverCpuCores: 0.1 }], 50),
      /measured point 0: rps must be a number >= 0, got NaN/,
    );
    assert.throws(() => sustainableRate(CURVE, 0), /p99 target \(ms\) must be a positive number, got 0/);
  });
});

/** The planner's rules with a floor of 2 replicas (production's availability.minReplicasFloor). */
const POLICY = { ...DEFAULT_POLICY, minReplicasFloor: 2 };

describe('rateAtCpuLimit', () => {
  const sustainable = { rps: 10_000, p99Ms: 12, connections: 50, cpuCores: 0.8, cpuByRate: [] };
  test('without lower rates measured, a limit below what the sustainable rate uses caps the rate in proportion (80 µs of CPU per request)', () => {
    assert.equal(rateAtCpuLimit(0.25, sustainable), 3125);
    assert.equal(rateAtCpuLimit(0.5, sustainable), 6250);
  });
  test('a limit above it leaves the sustainable rate: latency binds, not the limit', () => {
    assert.equal(rateAtCpuLimit(1, sustainable), 10_000);
  });
  test('a limit of nothing is an error that names it', () => {
    assert.throws(() => rateAtCpuLimit(0, sustainable), /CPU limit \(cores\)/);
  });

  // A request costs 150 µs at 500 req/s, 120 at 1000, 100 at 2000 and 80 at the sustainable 10000.
  const measured = {
    ...sustainable,
    cpuByRate: [
      { rps: 2000, serverCpuCores: 0.2 },
      { rps: 500, serverCpuCores: 0.075 },
      { rps: 1000, serverCpuCores: 0.12 },
    ],
  };
  test('with lower rates measured, the rate where the CPU reaches the limit, interpolated between them', () => {
    assert.equal(rateAtCpuLimit(0.12, measured), 1000, 'on a measured point');
    assert.equal(rateAtCpuLimit(0.16, measured), 1500, 'halfway between 1000 and 2000 req/s');
    // Between 2000 req/s (0.2 cores) and the sustainable 10000 (0.8): 0.5 cores is halfway.
    assert.equal(rateAtCpuLimit(0.5, measured), 6000);
    assert.equal(rateAtCpuLimit(0.9, measured), 10_000, 'above the sustainable CPU: the sustainable rate');
  });
  test('below the lowest measured rate, in proportion to it (the cost per request there, not at full load)', () => {
    assert.equal(rateAtCpuLimit(0.05, measured), 333);
    assert.ok(rateAtCpuLimit(0.05, measured) < rateAtCpuLimit(0.05, sustainable) / 1.5, 'the old rule promised half again as much or more');
  });
  test('a measured rate at or above the sustainable one, or without CPU, is ignored', () => {
    const odd = {
      ...sustainable,
      cpuByRate: [
        { rps: 12_000, serverCpuCores: 0.1 },
        { rps: 800, serverCpuCores: 0 },
      ],
    };
    assert.equal(rateAtCpuLimit(0.25, odd), 3125);
  });
});

describe('planReplicas', () => {
  test('when 3000 req/s meets 1000 req/s per replica, then 3 carry it, min 4 (one lost), max 7 (twice the rate + 1)', () => {
    assert.deepEqual(planReplicas(3000, 1000, POLICY), {
      targetRps: 3000,
      forLoad: 3,
      minReplicas: 4,
      maxReplicas: 7,
      perReplicaRpsAtMin: 750,
      perReplicaRpsAfterLoss: 1000,
    });
  });

  test('when the rate needs a fraction of a replica, then it rounds up', () => {
    const plan = planReplicas(3001, 1000, POLICY);
    assert.equal(plan.forLoad, 4);
    assert.equal(plan.minReplicas, 5);
    assert.equal(plan.maxReplicas, 8); // ceil(6002 / 1000) + 1
  });

  test("when one replica carries the whole rate, then the floor is still the environment's minReplicasFloor (2)", () => {
    const plan = planReplicas(100, 5000, POLICY);
    assert.equal(plan.forLoad, 1);
    assert.equal(plan.minReplicas, 2);
    assert.equal(plan.maxReplicas, 2);
  });

  test('when the policy allows no lost replica and burst 1, then min is the load count and max equals min', () => {
    const plan = planReplicas(3000, 1000, { ...POLICY, lostReplicas: 0, burstFactor: 1, minReplicasFloor: 1 });
    assert.equal(plan.minReplicas, 3);
    assert.equal(plan.maxReplicas, 3);
  });

  test('when an input is not positive or the policy is nonsense, then the error names it', () => {
    assert.throws(() => planReplicas(0, 1000, POLICY), { message: 'target rate (req/s) must be a positive number, got 0' });
    assert.throws(() => planReplicas(3000, -1, POLICY), {
      message: 'sustainable rate per replica (req/s) must be a positive number, got -1',
    });
    assert.throws(() => planReplicas(3000, 1000, { ...POLICY, burstFactor: 0.5 }), /burstFactor must be >= 1, got 0.5/);
    assert.throws(() => planReplicas(3000, 1000, { ...POLICY, lostReplicas: 1.5 }), /lostReplicas must be an integer >= 0/);
  });
});

describe('peakCpu', () => {
  test('when the curve has several levels, then the one with the most CPU, whatever its p99', () => {
    assert.deepEqual(peakCpu(CURVE), { cores: 0.98, connections: 50, rps: 3200 });
  });

  test('when the curve is empty or broken, then it says so', () => {
    assert.throws(() => peakCpu([]), /no measured load levels/);
    assert.throws(
      () => peakCpu([{ connections: 1, rps: 1, p99Ms: 1, serverCpuCores: -1 }]),
      /measured point 0: serverCpuCores must be a number >= 0, got -1/,
    );
  });
});

describe('planResources', () => {
  // 0.93 cores at 3100 req/s: 930m / 3100 = 0.3m per req/s (300 µs of CPU per request).
  const sustainable = { rps: 3100, p99Ms: 14, connections: 16, cpuCores: 0.93, cpuByRate: [] };
  const peak = { cores: 0.98, connections: 50, rps: 3200 };

  test('when a replica used 0.93 cores at 3100 req/s, at most 0.98, and 70 MiB under load, then 0.3m per req/s, cpu limit 1000m (floor), memory 96Mi / 192Mi', () => {
    const plan = planResources(sustainable, peak, { idleRssMiB: 52, loadRssMiB: 70 });
    assert.equal(plan.millicoresPerRps, 0.3); // 930 / 3100
    assert.equal(plan.cpuLimitMillicores, 1000); // 980 -> 1000 (rounded to 50m), and the 1000m floor
    assert.equal(plan.memoryRequestMiB, 96); // 70 × 1.25 = 87.5 -> 96
    assert.equal(plan.memoryLimitMiB, 192); // 96 × 2
    assert.equal(plan.reasons.length, 4);
    assert.equal(
      plan.reasons[0],
      "cpu per request: 0.93 cores at 3100 req/s (p99 14 ms) = 0.3m per req/s (300 µs of CPU per request); the CPU requests below scale it to each section's planned rate",
    );
    assert.match(plan.reasons[1]!, /^cpu limit 1000m: at least one core \(the most one replica used on the load curve was 0\.98 cores\)/);
  });

  test('when the replica peaked above a core (1.444 at 2 connections), then the limit is that peak rounded up to a multiple of 50m (1450m), not the sustainable point', () => {
    const plan = planResources(
      { ...sustainable, cpuCores: 1.11 },
      { cores: 1.444, connections: 2, rps: 12276 },
      { idleRssMiB: 50, loadRssMiB: 100 },
    );
    assert.equal(plan.cpuLimitMillicores, 1450);
    assert.match(
      plan.reasons[1]!,
      /^cpu limit 1450m: the most one replica used on the load curve, 1\.444 cores \(2 connection\(s\), 12276 req\/s\), rounded up to a multiple of 50m: .*one core of event loop plus GC and I\/O threads.*lost peer's share or a burst is not throttled/,
    );
    assert.equal(plan.memoryRequestMiB, 128); // 100 × 1.25 = 125 -> 128
    assert.equal(plan.memoryLimitMiB, 256);
  });

  test('when memory values are tiny, then each is at least one rounding step', () => {
    const plan = planResources({ ...sustainable, cpuCores: 0.001 }, { ...peak, cores: 0.001 }, { idleRssMiB: 0, loadRssMiB: 1 });
    assert.equal(plan.cpuLimitMillicores, 1000);
    assert.equal(plan.memoryRequestMiB, 16);
    assert.equal(plan.memoryLimitMiB, 64);
  });

  test('when a measurement is missing, then the error names it', () => {
    assert.throws(
      () => planResources({ ...sustainable, cpuCores: 0 }, peak, { idleRssMiB: 1, loadRssMiB: 70 }),
      /measured CPU at the sustainable rate \(cores\) must be a positive number, got 0/,
    );
    assert.throws(
      () => planResources(sustainable, { ...peak, cores: 0 }, { idleRssMiB: 1, loadRssMiB: 70 }),
      /peak measured CPU \(cores\) must be a positive number, got 0/,
    );
    assert.throws(
      () => planResources(sustainable, peak, { idleRssMiB: 1, loadRssMiB: Number.NaN }),
      /RSS under load \(MiB\) must be a positive number, got NaN/,
    );
  });
});

describe('planSectionCpu', () => {
  // 0.3m per req/s (0.93 cores at 3100 req/s), cpu limit 1000m.
  const sustainable = { rps: 3100, p99Ms: 14, connections: 16, cpuCores: 0.93, cpuByRate: [] };
  const resources = planResources(sustainable, { cores: 0.98, connections: 50, rps: 3200 }, { idleRssMiB: 52, loadRssMiB: 70 });
  const plan = (rate: number, cpuTargetPercent = 65, policy = POLICY) =>
    planSectionCpu({ replicas: planReplicas(rate, sustainable.rps, policy), sustainable, resources, cpuTargetPercent, policy });

  test('3000 req/s, HPA 2..3 at 65%: 1500 req/s × 0.3m = 450m, ÷ 0.65 = 692.3m -> 700m; scales out above 700 × 0.65 / 0.3 = 1517 req/s', () => {
    const cpu = plan(3000);
    assert.deepEqual(
      { ...cpu, reasons: undefined },
      {
        cpuTargetPercent: 65,
        plannedRpsPerReplica: 1500, // 3000 / 2
        neededMillicores: 450, // 1500 × 0.3
        sizedMillicores: 692.3, // 450 / 0.65
        requestMillicores: 700,
        bound: undefined,
        utilisationAtMinPercent: 64, // 450 / 700
        scaleOutRpsPerReplica: 1517, // 455m / 0.3 = 1516.7
        scaleOutPercentOfSustainable: 49, // 1516.7 / 3100
        afterLoss: { rpsPerReplica: 3000, millicores: 900, percentOfRequest: 129 }, // 3000 × 0.3 = 900m; 900 / 700
        burst: {
          rps: 6000,
          atSustainable: 2, // ceil(6000 / 3100)
          wantedByHpa: 4, // ceil(6000 / 1516.7)
          rpsPerReplicaAtMax: 2000, // 6000 / 3
          millicoresAtMax: 600, // 2000 × 0.3
          percentOfRequestAtMax: 86, // 600 / 700
          percentOfSustainableAtMax: 65, // 2000 / 3100
          covered: true,
        },
        reasons: undefined,
      },
    );
    assert.deepEqual(cpu.reasons, [
      'cpu request 700m: at HPA min each of 2 replicas serves 1500 req/s, which needs 450m; ÷ 65% (the HPA CPU target) = 692.3m, rounded up to a multiple of 50m; ' +
        'the planned load then uses 64% of the request, at or under the HPA target, so it does not by itself trigger scale-out',
      'the HPA adds replicas once the average replica serves more than about 1517 req/s (65% of 700m = 455m; Kubernetes acts once the average is 10% past that, ' +
        'its default tolerance): 49% of the sustainable 3100 req/s, so it scales early, long before a replica is busy',
      'after losing 1 replica at HPA min, each remaining one serves 3000 req/s with about 900m (129% of the request, within the 1000m limit) until the Deployment replaces it',
      'HPA max 3 covers the x2 burst of 6000 req/s: ceil(6000 / 3100) = 2 replicas at the sustainable rate, + 1 lost, at least min 2; ' +
        'the HPA would ask for 4 at its scale-out rate and stops at 3, where each serves 2000 req/s (65% of sustainable) with about 600m, 86% of the request, ' +
        "within the 1000m limit (fine: the replicas have the capacity; a max of 4 would reserve the burst's CPU instead of using CPU above the request)",
    ]);
  });

  test('when the HPA target is 80%, then 450m ÷ 0.8 = 562.5m -> 600m and it scales out above 600 × 0.8 / 0.3 = 1600 req/s', () => {
    const cpu = plan(3000, 80);
    assert.equal(cpu.requestMillicores, 600);
    assert.equal(cpu.utilisationAtMinPercent, 75); // 450 / 600
    assert.equal(cpu.scaleOutRpsPerReplica, 1600);
  });

  test('when the rate is low (200 req/s: 100 per replica × 0.3 = 30m, ÷ 0.65 = 46.2m -> 50m), then the 100m floor applies and says so', () => {
    const cpu = plan(200);
    assert.equal(cpu.requestMillicores, 100);
    assert.equal(cpu.bound, 'floor');
    assert.equal(cpu.utilisationAtMinPercent, 30); // 30 / 100
    assert.equal(cpu.scaleOutRpsPerReplica, 217); // 65m / 0.3 = 216.7
    assert.match(
      cpu.reasons[0]!,
      /^cpu request 100m: .* = 46\.2m, rounded up to a multiple of 50m, raised to the 100m floor \(the runtime's own timers, GC and metrics cost something at any rate\); the planned load uses 30% of it/,
    );
    assert.equal(cpu.burst.wantedByHpa, 2); // ceil(400 / 216.7)
    assert.match(
      cpu.reasons.at(-1)!,
      /^HPA max 2 covers the x2 burst of 400 req\/s: ceil\(400 \/ 3100\) = 1 replica at the sustainable rate, \+ 1 lost, at least min 2; the HPA reaches 2 at its scale-out rate, within max/,
    );
  });

  test('when one replica must carry 3000 req/s (no lost replica, min 1), then 900m ÷ 0.65 = 1384.6m is capped at the 1000m limit and the reason says to raise minReplicas', () => {
    const cpu = plan(3000, 65, { ...POLICY, lostReplicas: 0, minReplicasFloor: 1, burstFactor: 1 });
    assert.equal(cpu.requestMillicores, 1000);
    assert.equal(cpu.bound, 'limit');
    assert.equal(cpu.utilisationAtMinPercent, 90); // 900 / 1000
    assert.match(
      cpu.reasons[0]!,
      /capped at the 1000m limit: the planned load uses 90% of it, above the HPA target 65%, .*raise minReplicas$/,
    );
    assert.ok(!cpu.reasons.some((r) => r.startsWith('after losing')), 'no lost replica in this policy');
  });

  test('when the HPA max is too small for the burst (1 replica for 6000 req/s), then the check says it does not cover it', () => {
    const replicas = { ...planReplicas(3000, sustainable.rps, POLICY), maxReplicas: 1 };
    const cpu = planSectionCpu({ replicas, sustainable, resources, cpuTargetPercent: 65 });
    assert.equal(cpu.burst.covered, false);
    assert.equal(
      cpu.reasons.at(-1),
      'HPA max 1 does NOT cover the x2 burst of 6000 req/s: it needs 2 at the sustainable rate, 6000 req/s each at max is over the sustainable 3100',
    );
  });

  test('when the HPA target or the policy is nonsense, then the error names it', () => {
    const replicas = planReplicas(3000, sustainable.rps, POLICY);
    for (const target of [0, 150, Number.NaN]) {
      assert.throws(() => planSectionCpu({ replicas, sustainable, resources, cpuTargetPercent: target }), {
        message: `HPA cpuTargetPercent must be a number in (0, 100], got ${target}`,
      });
    }
    assert.throws(
      () =>
        planSectionCpu({
          replicas,
          sustainable,
          resources,
          cpuTargetPercent: 65,
          policy: { ...DEFAULT_POLICY, cpuRequestFloorMillicores: 0 },
        }),
      /cpuRequestFloorMillicores must be > 0 and <= cpuLimitFloorMillicores \(1000\), got 0/,
    );
  });
});

describe('parseTargetRates', () => {
  const sections = ['chocolates', 'candies', 'cakes'];

  test('when one number is given, then every section gets it', () => {
    assert.deepEqual(parseTargetRates('3000', sections), { chocolates: 3000, candies: 3000, cakes: 3000 });
  });

  test('when section=rate pairs are given, then only those sections are planned', () => {
    assert.deepEqual(parseTargetRates('chocolates=3000, cakes=500', sections), { chocolates: 3000, cakes: 500 });
  });

  test('when the text is bad, then the error quotes it', () => {
    assert.throws(() => parseTargetRates('', sections), /--rps is empty/);
    assert.throws(() => parseTargetRates('fast', sections), { message: '--rps: "fast" is not a positive number of requests per second' });
    assert.throws(() => parseTargetRates('-5', sections), /"-5" is not a positive number/);
    assert.throws(() => parseTargetRates('pies=10', sections), {
      message: '--rps: unknown section "pies" (known: chocolates, candies, cakes)',
    });
    assert.throws(() => parseTargetRates('cakes=1,cakes=2', sections), /given twice/);
    assert.throws(() => parseTargetRates('cakes=1=2', sections), /"cakes=1=2" is not section=rate/);
  });
});
