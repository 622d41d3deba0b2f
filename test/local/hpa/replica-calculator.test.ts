/**
 * The cpu Utilization cases of kubernetes pkg/controller/podautoscaler/replica_calculator_test.go, ported
 * with their inputs and expected results (test names are upstream's). Left out: custom, object and
 * external metrics, ContainerResource metrics (the *Container* variants repeat these numbers for one
 * container), and the memory case of TestGroupPods: local mode emulates the cpu Resource metric only.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  DEFAULT_TOLERANCES,
  groupPods,
  type PodMetric,
  type PodState,
  resourceReplicas,
} from '../../../tools/local/hpa/replica-calculator.ts';

// Upstream's fake pods have two containers, each with the case's request and usage level: the pod
// request and the pod metric are twice the per-container numbers written in each case.
const NUM_CONTAINERS_PER_POD = 2;
// Go's zero time.Time, earlier than every other time: upstream's unset StartTime, LastTransitionTime
// and metric timestamp.
const ZERO_TIME = 0;
const NOW = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
// hotCPUCreationTime() and coolCPUCreationTime() of horizontal_test.go.
const HOT = NOW;
const COOL = NOW - 3 * MINUTE;
// defaultTestingCPUInitializationPeriod and defaultTestingDelayOfInitialReadinessStatus.
const TESTING = { cpuInitializationPeriodMs: 2 * MINUTE, delayOfInitialReadinessStatusMs: 10_000 };

type Phase = PodState['phase'];

interface ReplicaCalcTestCase {
  currentReplicas: number;
  expectedReplicas?: number;
  expectedError?: string;
  /** Cores per container, by pod; pods past the end have no request. */
  requests: number[];
  /** Millicores per container, by metric. */
  levels: number[];
  podNames?: string[];
  targetUtilization: number;
  expectedUtilization?: number;
  expectedValue?: number;
  podReadiness?: boolean[];
  podStartTime?: number[];
  podPhase?: Phase[];
  podDeletionTimestamp?: boolean[];
}

function runTest(tc: ReplicaCalcTestCase): void {
  const podsCount = Math.max(tc.currentReplicas, tc.podPhase?.length ?? 0);
  const pods: PodState[] = Array.from({ length: podsCount }, (_, i) => ({
    name: `test-pod-${i}`,
    phase: tc.podPhase?.[i] ?? 'Running',
    deleting: tc.podDeletionTimestamp?.[i] ?? false,
    ready: { status: tc.podReadiness?.[i] ?? true, lastTransitionTime: ZERO_TIME },
    startTime: tc.podStartTime?.[i] ?? ZERO_TIME,
    ...(i < tc.requests.length ? { cpuRequestMilli: tc.requests[i]! * 1000 * NUM_CONTAINERS_PER_POD } : {}),
  }));
  const metrics = new Map<string, PodMetric>(
    tc.levels.map((level, i) => [
      tc.podNames?.[i] ?? `test-pod-${i}`,
      { valueMilli: level * NUM_CONTAINERS_PER_POD, timestamp: ZERO_TIME, windowMs: MINUTE },
    ]),
  );
  const input = { currentReplicas: tc.currentReplicas, targetUtilization: tc.targetUtilization, pods, metrics };
  const calculate = () => resourceReplicas({ ...input, ...TESTING, tolerances: DEFAULT_TOLERANCES, now: NOW });
  if (tc.expectedError !== undefined) {
    assert.throws(calculate, (error: Error) => error.message.includes(tc.expectedError!));
    return;
  }
  const result = calculate();
  assert.equal(result.replicas, tc.expectedReplicas, 'replicas should be as expected');
  assert.equal(result.utilization, tc.expectedUtilization, 'utilization should be as expected');
  assert.equal(result.rawUtilization, tc.expectedValue, 'raw value should be as expected');
}

const ONE = (n: number): number[] => Array(n).fill(1.0);

describe('GetResourceReplicas (replica_calculator_test.go)', () => {
  const cases: Record<string, ReplicaCalcTestCase> = {
    TestReplicaCalcDisjointResourcesMetrics: {
      currentReplicas: 1,
      expectedError: 'no metrics returned matched known pods',
      requests: ONE(1),
      levels: [100],
      podNames: ['an-older-pod-name'],
      targetUtilization: 100,
    },
    TestReplicaCalcScaleUp: {
      currentReplicas: 3,
      expectedReplicas: 5,
      requests: ONE(3),
      levels: [300, 500, 700],
      targetUtilization: 30,
      expectedUtilization: 50,
      expectedValue: NUM_CONTAINERS_PER_POD * 500,
    },
    TestReplicaCalcScaleUpUnreadyLessScale: {
      currentReplicas: 3,
      expectedReplicas: 4,
      podReadiness: [false, true, true],
      requests: ONE(3),
      levels: [300, 500, 700],
      targetUtilization: 30,
      expectedUtilization: 60,
      expectedValue: NUM_CONTAINERS_PER_POD * 600,
    },
    TestReplicaCalcScaleUpHotCpuLessScale: {
      currentReplicas: 3,
      expectedReplicas: 4,
      podStartTime: [HOT, COOL, COOL],
      requests: ONE(3),
      levels: [300, 500, 700],
      targetUtilization: 30,
      expectedUtilization: 60,
      expectedValue: NUM_CONTAINERS_PER_POD * 600,
    },
    TestReplicaCalcScaleUpUnreadyNoScale: {
      currentReplicas: 3,
      expectedReplicas: 3,
      podReadiness: [true, false, false],
      requests: ONE(3),
      levels: [400, 500, 700],
      targetUtilization: 30,
      expectedUtilization: 40,
      expectedValue: NUM_CONTAINERS_PER_POD * 400,
    },
    TestReplicaCalcScaleHotCpuNoScale: {
      currentReplicas: 3,
      expectedReplicas: 3,
      podReadiness: [true, false, false],
      podStartTime: [COOL, HOT, HOT],
      requests: ONE(3),
      levels: [400, 500, 700],
      targetUtilization: 30,
      expectedUtilization: 40,
      expectedValue: NUM_CONTAINERS_PER_POD * 400,
    },
    TestReplicaCalcScaleUpIgnoresFailedPods: {
      currentReplicas: 2,
      expectedReplicas: 4,
      podReadiness: [true, true, false, false],
      podPhase: ['Running', 'Running', 'Failed', 'Failed'],
      requests: ONE(4),
      levels: [500, 700],
      targetUtilization: 30,
      expectedUtilization: 60,
      expectedValue: NUM_CONTAINERS_PER_POD * 600,
    },
    TestReplicaCalcScaleUpIgnoresDeletionPods: {
      currentReplicas: 2,
      expectedReplicas: 4,
      podReadiness: [true, true, false, false],
      podPhase: ['Running', 'Running', 'Running', 'Running'],
      podDeletionTimestamp: [false, false, true, true],
      requests: ONE(4),
      levels: [500, 700],
      targetUtilization: 30,
      expectedUtilization: 60,
      expectedValue: NUM_CONTAINERS_PER_POD * 600,
    },
    TestReplicaCalcScaleDown: {
      currentReplicas: 5,
      expectedReplicas: 3,
      requests: ONE(5),
      levels: [100, 300, 500, 250, 250],
      targetUtilization: 50,
      expectedUtilization: 28,
      expectedValue: NUM_CONTAINERS_PER_POD * 280,
    },
    TestReplicaCalcScaleDownExcludeUnreadyPods: {
      currentReplicas: 5,
      expectedReplicas: 2,
      podReadiness: [true, true, true, false, false],
      requests: ONE(5),
      levels: [100, 300, 500, 250, 250],
      targetUtilization: 50,
      expectedUtilization: 30,
      expectedValue: NUM_CONTAINERS_PER_POD * 300,
    },
    TestReplicaCalcScaleDownExcludeUnscheduledPods: {
      currentReplicas: 5,
      expectedReplicas: 1,
      podReadiness: [true, false, false, false, false],
      podPhase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
      requests: ONE(5),
      levels: [100],
      targetUtilization: 50,
      expectedUtilization: 10,
      expectedValue: NUM_CONTAINERS_PER_POD * 100,
    },
    TestReplicaCalcScaleDownIgnoreHotCpuPods: {
      currentReplicas: 5,
      expectedReplicas: 2,
      podStartTime: [COOL, COOL, COOL, HOT, HOT],
      requests: ONE(5),
      levels: [100, 300, 500, 250, 250],
      targetUtilization: 50,
      expectedUtilization: 30,
      expectedValue: NUM_CONTAINERS_PER_POD * 300,
    },
    TestReplicaCalcScaleDownIgnoresFailedPods: {
      currentReplicas: 5,
      expectedReplicas: 3,
      podReadiness: [true, true, true, true, true, false, false],
      podPhase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
      requests: ONE(7),
      levels: [100, 300, 500, 250, 250],
      targetUtilization: 50,
      expectedUtilization: 28,
      expectedValue: NUM_CONTAINERS_PER_POD * 280,
    },
    TestReplicaCalcScaleDownIgnoresDeletionPods: {
      currentReplicas: 5,
      expectedReplicas: 3,
      podReadiness: [true, true, true, true, true, false, false],
      podPhase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Running', 'Running'],
      podDeletionTimestamp: [false, false, false, false, false, true, true],
      requests: ONE(7),
      levels: [100, 300, 500, 250, 250],
      targetUtilization: 50,
      expectedUtilization: 28,
      expectedValue: NUM_CONTAINERS_PER_POD * 280,
    },
    TestReplicaCalcTolerance: {
      currentReplicas: 3,
      expectedReplicas: 3,
      requests: [0.9, 1.0, 1.1],
      levels: [1010, 1030, 1020],
      targetUtilization: 100,
      expectedUtilization: 102,
      expectedValue: NUM_CONTAINERS_PER_POD * 1020,
    },
    TestReplicaCalcSuperfluousMetrics: {
      currentReplicas: 4,
      expectedReplicas: 24,
      requests: ONE(4),
      levels: [4000, 9500, 3000, 7000, 3200, 2000],
      targetUtilization: 100,
      expectedUtilization: 587,
      expectedValue: NUM_CONTAINERS_PER_POD * 5875,
    },
    TestReplicaCalcMissingMetrics: {
      currentReplicas: 4,
      expectedReplicas: 3,
      requests: ONE(4),
      levels: [400, 95],
      targetUtilization: 100,
      expectedUtilization: 24,
      expectedValue: 495, // numContainersPerPod * 247, for sufficiently large values of 247
    },
    TestReplicaCalcEmptyMetrics: {
      currentReplicas: 4,
      expectedError: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      requests: ONE(3),
      levels: [],
      targetUtilization: 100,
    },
    TestReplicaCalcEmptyCPURequest: {
      currentReplicas: 1,
      expectedError: 'missing request for',
      requests: [],
      levels: [200],
      targetUtilization: 100,
    },
    TestReplicaCalcMissingMetricsNoChangeEq: {
      currentReplicas: 2,
      expectedReplicas: 2,
      requests: ONE(2),
      levels: [1000],
      targetUtilization: 100,
      expectedUtilization: 100,
      expectedValue: NUM_CONTAINERS_PER_POD * 1000,
    },
    TestReplicaCalcMissingMetricsNoChangeGt: {
      currentReplicas: 2,
      expectedReplicas: 2,
      requests: ONE(2),
      levels: [1900],
      targetUtilization: 100,
      expectedUtilization: 190,
      expectedValue: NUM_CONTAINERS_PER_POD * 1900,
    },
    TestReplicaCalcMissingMetricsNoChangeLt: {
      currentReplicas: 2,
      expectedReplicas: 2,
      requests: ONE(2),
      levels: [600],
      targetUtilization: 100,
      expectedUtilization: 60,
      expectedValue: NUM_CONTAINERS_PER_POD * 600,
    },
    TestReplicaCalcMissingMetricsUnreadyChange: {
      currentReplicas: 3,
      expectedReplicas: 3,
      podReadiness: [false, true, true],
      requests: ONE(3),
      levels: [100, 450],
      targetUtilization: 50,
      expectedUtilization: 45,
      expectedValue: NUM_CONTAINERS_PER_POD * 450,
    },
    TestReplicaCalcMissingMetricsHotCpuNoChange: {
      currentReplicas: 3,
      expectedReplicas: 3,
      podStartTime: [HOT, COOL, COOL],
      requests: ONE(3),
      levels: [100, 450],
      targetUtilization: 50,
      expectedUtilization: 45,
      expectedValue: NUM_CONTAINERS_PER_POD * 450,
    },
    TestReplicaCalcMissingMetricsUnreadyScaleUp: {
      currentReplicas: 3,
      expectedReplicas: 4,
      podReadiness: [false, true, true],
      requests: ONE(3),
      levels: [100, 2000],
      targetUtilization: 50,
      expectedUtilization: 200,
      expectedValue: NUM_CONTAINERS_PER_POD * 2000,
    },
    TestReplicaCalcMissingMetricsHotCpuScaleUp: {
      currentReplicas: 3,
      expectedReplicas: 4,
      podReadiness: [false, true, true],
      podStartTime: [HOT, COOL, COOL],
      requests: ONE(3),
      levels: [100, 2000],
      targetUtilization: 50,
      expectedUtilization: 200,
      expectedValue: NUM_CONTAINERS_PER_POD * 2000,
    },
    TestReplicaCalcMissingMetricsUnreadyScaleDown: {
      currentReplicas: 4,
      expectedReplicas: 3,
      podReadiness: [false, true, true, true],
      requests: ONE(4),
      levels: [100, 100, 100],
      targetUtilization: 50,
      expectedUtilization: 10,
      expectedValue: NUM_CONTAINERS_PER_POD * 100,
    },
    TestReplicaCalcMissingMetricsScaleDownTargetOver100: {
      currentReplicas: 4,
      expectedReplicas: 2,
      podReadiness: [false, true, true, true],
      requests: [1.0, 1.0, 2.0, 2.0],
      levels: [200, 100, 100],
      targetUtilization: 300,
      expectedUtilization: 6,
      expectedValue: NUM_CONTAINERS_PER_POD * 100,
    },
    TestReplicaCalcDuringRollingUpdateWithMaxSurge: {
      currentReplicas: 2,
      expectedReplicas: 2,
      podPhase: ['Running', 'Running', 'Running'],
      requests: ONE(3),
      levels: [100, 100],
      targetUtilization: 50,
      expectedUtilization: 10,
      expectedValue: NUM_CONTAINERS_PER_POD * 100,
    },
  };
  for (const [name, tc] of Object.entries(cases)) test(name, () => runTest(tc));

  // Not an upstream case: Tolerances.isWithin is inclusive at both ends (90% and 110% of a 100% target).
  test('a usage ratio of exactly 1 - 0.1 or 1 + 0.1 changes nothing; one percent further does', () => {
    const at = (level: number, expectedReplicas: number) =>
      runTest({
        currentReplicas: 10,
        expectedReplicas,
        requests: ONE(10),
        levels: Array(10).fill(level),
        targetUtilization: 100,
        expectedUtilization: level / 10,
        expectedValue: NUM_CONTAINERS_PER_POD * level,
      });
    at(900, 10);
    at(1100, 10);
    at(890, 9);
    at(1110, 12);
  });

  // Back-calculates a target just past the tolerance (a scale-down by one), then one just inside it (no change).
  test('TestReplicaCalcComputedToleranceAlgImplementation', () => {
    const startPods = 10;
    const totalUsedCPUOfAllPods = startPods * 150;
    const totalRequestedCPUOfAllPods = 2 * totalUsedCPUOfAllPods;
    const requestedToUsed = Math.trunc(totalRequestedCPUOfAllPods / totalUsedCPUOfAllPods);
    const perPodRequested = totalRequestedCPUOfAllPods / startPods;
    let target = Math.abs(1 / (requestedToUsed * (1 - DEFAULT_TOLERANCES.scaleDown))) + 0.01;
    const resourcesUsedRatio = totalUsedCPUOfAllPods / (totalRequestedCPUOfAllPods * target);
    const finalPods = Math.ceil(resourcesUsedRatio * startPods);
    const jitter = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0];
    const tc: ReplicaCalcTestCase = {
      currentReplicas: startPods,
      expectedReplicas: finalPods,
      levels: Array(10).fill(totalUsedCPUOfAllPods / 10),
      requests: jitter.map((j) => (perPodRequested + j) / 1000),
      targetUtilization: Math.trunc(target * 100),
      expectedUtilization: Math.trunc((totalUsedCPUOfAllPods * 100) / totalRequestedCPUOfAllPods),
      expectedValue: (NUM_CONTAINERS_PER_POD * totalUsedCPUOfAllPods) / 10,
    };
    assert.equal(finalPods, 9);
    runTest(tc);

    target = Math.abs(1 / (requestedToUsed * (1 - DEFAULT_TOLERANCES.scaleDown))) + 0.004;
    runTest({ ...tc, targetUtilization: Math.trunc(target * 100), expectedReplicas: startPods });
  });
});

describe('groupPods (TestGroupPods, cpu cases)', () => {
  const now = NOW;
  const pod = (name: string, extra: Partial<PodState> = {}): PodState => ({ name, phase: 'Succeeded', ...extra });
  const metric = (value: number, timestamp = ZERO_TIME, windowMs = 0): PodMetric => ({ valueMilli: value, timestamp, windowMs });
  const cases: Array<{
    name: string;
    pods: PodState[];
    metrics: Record<string, PodMetric>;
    ready: number;
    unready?: string[];
    missing?: string[];
    ignored?: string[];
  }> = [
    { name: 'void', pods: [], metrics: {}, ready: 0 },
    {
      name: 'unready a pod without ready condition - CPU',
      pods: [pod('lucretius', { startTime: now })],
      metrics: { lucretius: metric(1) },
      ready: 0,
      unready: ['lucretius'],
    },
    {
      name: 'count in a ready pod with fresh metrics during initialization period - CPU',
      pods: [pod('bentham', { startTime: now - MINUTE, ready: { status: true, lastTransitionTime: now - 30_000 } })],
      metrics: { bentham: metric(1, now, 30_000) },
      ready: 1,
    },
    {
      name: 'unready a ready pod without fresh metrics during initialization period - CPU',
      pods: [pod('bentham', { startTime: now - MINUTE, ready: { status: true, lastTransitionTime: now - 30_000 } })],
      metrics: { bentham: metric(1, now, 60_000) },
      ready: 0,
      unready: ['bentham'],
    },
    {
      name: 'unready an unready pod during initialization period - CPU',
      pods: [pod('lucretius', { startTime: now - 10 * MINUTE, ready: { status: false, lastTransitionTime: now - 9 * MINUTE - 54_000 } })],
      metrics: { lucretius: metric(1) },
      ready: 0,
      unready: ['lucretius'],
    },
    {
      name: 'count in a ready pod without fresh metrics after initialization period - CPU',
      pods: [pod('bentham', { startTime: now - 3 * MINUTE, ready: { status: true, lastTransitionTime: now - 3 * MINUTE } })],
      metrics: { bentham: metric(1, now - 2 * MINUTE, MINUTE) },
      ready: 1,
    },
    {
      name: 'count in an unready pod that was ready after initialization period - CPU',
      pods: [pod('lucretius', { startTime: now - 10 * MINUTE, ready: { status: false, lastTransitionTime: now - 9 * MINUTE } })],
      metrics: { lucretius: metric(1) },
      ready: 1,
    },
    {
      name: 'unready pod that has never been ready after initialization period - CPU',
      pods: [pod('lucretius', { startTime: now - 10 * MINUTE, ready: { status: false, lastTransitionTime: now - 9 * MINUTE - 50_000 } })],
      metrics: { lucretius: metric(1) },
      ready: 1,
    },
    { name: 'a missing pod', pods: [pod('epicurus', { startTime: now - 3 * MINUTE })], metrics: {}, ready: 0, missing: ['epicurus'] },
    {
      name: 'several pods',
      pods: [
        pod('lucretius', { startTime: now }),
        pod('niccolo', { startTime: now - 3 * MINUTE, ready: { status: true, lastTransitionTime: now - 3 * MINUTE } }),
        pod('epicurus', { startTime: now - 3 * MINUTE }),
      ],
      metrics: { lucretius: metric(1), niccolo: metric(1) },
      ready: 1,
      unready: ['lucretius'],
      missing: ['epicurus'],
    },
    {
      name: 'pending pods are unreadied',
      pods: [pod('unscheduled', { phase: 'Pending' })],
      metrics: {},
      ready: 0,
      unready: ['unscheduled'],
    },
    {
      name: 'ignore pods with deletion timestamps',
      pods: [pod('deleted', { phase: 'Pending', deleting: true })],
      metrics: { deleted: metric(1) },
      ready: 0,
      ignored: ['deleted'],
    },
    {
      name: 'ignore pods in a failed state',
      pods: [pod('failed', { phase: 'Failed' })],
      metrics: { failed: metric(1) },
      ready: 0,
      ignored: ['failed'],
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const groups = groupPods(tc.pods, new Map(Object.entries(tc.metrics)), TESTING.cpuInitializationPeriodMs, 10_000, now);
      assert.equal(groups.readyPodCount, tc.ready);
      assert.deepEqual([...groups.unready], tc.unready ?? []);
      assert.deepEqual([...groups.missing], tc.missing ?? []);
      assert.deepEqual([...groups.ignored], tc.ignored ?? []);
    });
  }
});
