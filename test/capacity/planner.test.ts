import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEFAULT_POLICY, parseTargetRates, planReplicas, planResources, sustainableRate, type MeasuredPoint } from '../../tools/capacity/planner.ts';

const CURVE: MeasuredPoint[] = [
  { connections: 1, rps: 900, p99Ms: 2, serverCpuCores: 0.3 },
  { connections: 4, rps: 2400, p99Ms: 6, serverCpuCores: 0.7 },
  { connections: 16, rps: 3100, p99Ms: 14, serverCpuCores: 0.93 },
  { connections: 50, rps: 3200, p99Ms: 61, serverCpuCores: 0.98 },
];

describe('sustainableRate', () => {
  test('when several levels meet the p99 target, then picks the highest req/s among them', () => {
    assert.deepEqual(sustainableRate(CURVE, 50), { rps: 3100, p99Ms: 14, connections: 16, cpuCores: 0.93 });
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
    assert.throws(() => sustainableRate([{ connections: 1, rps: Number.NaN, p99Ms: 1, serverCpuCores: 0.1 }], 50), /measured point 0: rps must be a number >= 0, got NaN/);
    assert.throws(() => sustainableRate(CURVE, 0), /p99 target \(ms\) must be a positive number, got 0/);
  });
});

describe('planReplicas', () => {
  test('when 3000 req/s meets 1000 req/s per replica, then 3 carry it, min 4 (one lost), max 7 (twice the rate + 1)', () => {
    assert.deepEqual(planReplicas(3000, 1000), {
      targetRps: 3000,
      forLoad: 3,
      minReplicas: 4,
      maxReplicas: 7,
      perReplicaRpsAtMin: 750,
      perReplicaRpsAfterLoss: 1000,
    });
  });

  test('when the rate needs a fraction of a replica, then it rounds up', () => {
    const plan = planReplicas(3001, 1000);
    assert.equal(plan.forLoad, 4);
    assert.equal(plan.minReplicas, 5);
    assert.equal(plan.maxReplicas, 8); // ceil(6002 / 1000) + 1
  });

  test('when one replica carries the whole rate, then the floor is still the PDB minimum of 2', () => {
    const plan = planReplicas(100, 5000);
    assert.equal(plan.forLoad, 1);
    assert.equal(plan.minReplicas, 2);
    assert.equal(plan.maxReplicas, 2);
  });

  test('when the policy allows no lost replica and burst 1, then min is the load count and max equals min', () => {
    const plan = planReplicas(3000, 1000, { ...DEFAULT_POLICY, lostReplicas: 0, burstFactor: 1, minimumReplicas: 1 });
    assert.equal(plan.minReplicas, 3);
    assert.equal(plan.maxReplicas, 3);
  });

  test('when an input is not positive or the policy is nonsense, then the error names it', () => {
    assert.throws(() => planReplicas(0, 1000), { message: 'target rate (req/s) must be a positive number, got 0' });
    assert.throws(() => planReplicas(3000, -1), { message: 'sustainable rate per replica (req/s) must be a positive number, got -1' });
    assert.throws(() => planReplicas(3000, 1000, { ...DEFAULT_POLICY, burstFactor: 0.5 }), /burstFactor must be >= 1, got 0.5/);
    assert.throws(() => planReplicas(3000, 1000, { ...DEFAULT_POLICY, lostReplicas: 1.5 }), /lostReplicas must be an integer >= 0/);
  });
});

describe('planResources', () => {
  const sustainable = { rps: 3100, p99Ms: 14, connections: 16, cpuCores: 0.93 };

  test('when a replica used 0.93 cores and 70 MiB under load, then requests 950m / 96Mi and limits 1000m / 192Mi', () => {
    const plan = planResources(sustainable, { idleRssMiB: 52, loadRssMiB: 70 });
    assert.equal(plan.cpuRequestMillicores, 950);
    assert.equal(plan.cpuLimitMillicores, 1000);
    assert.equal(plan.memoryRequestMiB, 96); // 70 × 1.25 = 87.5 -> 96
    assert.equal(plan.memoryLimitMiB, 192); // 96 × 2
    assert.equal(plan.reasons.length, 4);
    assert.match(plan.reasons[0]!, /0\.93 cores at 3100 req\/s/);
    assert.match(plan.reasons[1]!, /^cpu limit 1000m: at least one core/);
  });

  test('when the replica needs more than a core, then the CPU limit follows the request', () => {
    const plan = planResources({ ...sustainable, cpuCores: 1.42 }, { idleRssMiB: 50, loadRssMiB: 100 });
    assert.equal(plan.cpuRequestMillicores, 1450);
    assert.equal(plan.cpuLimitMillicores, 1450);
    assert.match(plan.reasons[1]!, /^cpu limit 1450m: the request, since the replica used more than 1000m/);
    assert.equal(plan.memoryRequestMiB, 128);
    assert.equal(plan.memoryLimitMiB, 256);
  });

  test('when values are tiny, then each is at least one rounding step', () => {
    const plan = planResources({ ...sustainable, cpuCores: 0.001 }, { idleRssMiB: 0, loadRssMiB: 1 });
    assert.equal(plan.cpuRequestMillicores, 50);
    assert.equal(plan.memoryRequestMiB, 16);
    assert.equal(plan.memoryLimitMiB, 64);
  });

  test('when a measurement is missing, then the error names it', () => {
    assert.throws(() => planResources({ ...sustainable, cpuCores: 0 }, { idleRssMiB: 1, loadRssMiB: 70 }), /measured CPU at the sustainable rate \(cores\) must be a positive number, got 0/);
    assert.throws(() => planResources(sustainable, { idleRssMiB: 1, loadRssMiB: Number.NaN }), /RSS under load \(MiB\) must be a positive number, got NaN/);
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
    assert.throws(() => parseTargetRates('pies=10', sections), { message: '--rps: unknown section "pies" (known: chocolates, candies, cakes)' });
    assert.throws(() => parseTargetRates('cakes=1,cakes=2', sections), /given twice/);
    assert.throws(() => parseTargetRates('cakes=1=2', sections), /"cakes=1=2" is not section=rate/);
  });
});
