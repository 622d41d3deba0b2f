/**
 * Whole syncs of one HPA: the cpu-resource cases of kubernetes pkg/controller/podautoscaler/horizontal_test.go
 * (test names are upstream's; their pods have one container, Ready since their start, and an HPA without
 * spec.behavior unless the case gives one), then a scale-out and scale-in over time with the behaviour
 * dist/ renders, on an injected clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { HpaBehavior } from '../../../config/hpa-behavior.ts';
import { type AutoscalerSpec, DEFAULT_SCALE_DOWN_RULES, DEFAULT_SCALE_UP_RULES } from '../../../tools/local/hpa/autoscaler-spec.ts';
import { HorizontalController } from '../../../tools/local/hpa/horizontal-controller.ts';
import { DEFAULT_TOLERANCES, type PodMetric, type PodState } from '../../../tools/local/hpa/replica-calculator.ts';
import type { ScalingHistory } from '../../../tools/local/hpa/scale-normalizer.ts';

const NOW = Date.UTC(2026, 0, 1);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
// setupController in horizontal_test.go: defaultTestingCPUInitializationPeriod, ...DelayOfInitialReadinessStatus.
const TESTING = {
  cpuInitializationPeriodMs: 2 * MINUTE,
  delayOfInitialReadinessStatusMs: 10 * SECOND,
  downscaleStabilisationWindowMs: 5 * MINUTE,
};

interface TestCase {
  minReplicas: number;
  maxReplicas: number;
  specReplicas: number;
  expectedDesiredReplicas: number;
  CPUTarget?: number;
  /** Millicores per pod. */
  reportedLevels: number[];
  /** Cores per pod; defaults to 1.0 for `specReplicas` pods. */
  reportedCPURequests?: number[];
  reportedPodReadiness?: boolean[];
  /** undefined: a new controller (it records the current count first); []: a history that starts empty. */
  recommendations?: Array<[number, number]>;
  behavior?: HpaBehavior;
  expectedCondition?: [string, string];
}

function runTest(tc: TestCase) {
  const requests = tc.reportedCPURequests ?? Array(tc.specReplicas).fill(1.0);
  const pods: PodState[] = requests.map((cores, i) => ({
    name: `test-pod-${i}`,
    phase: 'Running',
    ready: { status: tc.reportedPodReadiness?.[i] ?? true, lastTransitionTime: 0 },
    startTime: 0,
    cpuRequestMilli: Math.round(cores * 1000),
  }));
  const metrics = new Map<string, PodMetric>(
    tc.reportedLevels.map((level, i) => [`test-pod-${i}`, { valueMilli: level, timestamp: NOW, windowMs: MINUTE }]),
  );
  const spec: AutoscalerSpec = {
    name: 'test-hpa',
    target: 'test-rc',
    minReplicas: tc.minReplicas,
    maxReplicas: tc.maxReplicas,
    targetCPUUtilization: tc.CPUTarget ?? 80, // the HPA's default metric when the case sets no target
    behavior: tc.behavior,
    tolerances: DEFAULT_TOLERANCES,
    cpuRequestMilli: 1000,
  };
  const history: ScalingHistory | undefined = tc.recommendations && {
    recommendations: tc.recommendations.map(([recommendation, ago]) => ({ recommendation, timestamp: NOW - ago })),
    scaleUpEvents: [],
    scaleDownEvents: [],
  };
  const controller = new HorizontalController(spec, TESTING, history);
  return controller.sync({ currentReplicas: tc.specReplicas, pods, metrics, now: NOW });
}

describe('reconcileAutoscaler (horizontal_test.go)', () => {
  const cases: Record<string, TestCase> = {
    TestScaleUp: {
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 3,
      expectedDesiredReplicas: 5,
      CPUTarget: 30,
      reportedLevels: [300, 500, 700],
    },
    TestScaleUpUnreadyLessScale: {
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 3,
      expectedDesiredReplicas: 4,
      CPUTarget: 30,
      reportedLevels: [300, 500, 700],
      reportedPodReadiness: [false, true, true],
    },
    TestScaleDown: {
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 5,
      expectedDesiredReplicas: 3,
      CPUTarget: 50,
      reportedLevels: [100, 300, 500, 250, 250],
      recommendations: [],
    },
    TestScaleDownStabilizeInitialSize: {
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 5,
      expectedDesiredReplicas: 5,
      CPUTarget: 50,
      reportedLevels: [100, 300, 500, 250, 250],
      expectedCondition: ['AbleToScale', 'ScaleDownStabilized'],
    },
    TestStabilizeDownscale: {
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 4,
      expectedDesiredReplicas: 4,
      CPUTarget: 100,
      reportedLevels: [50, 50, 50],
      reportedCPURequests: [0.1, 0.1, 0.1],
      recommendations: [
        [10, 10 * MINUTE],
        [4, MINUTE],
      ],
      expectedCondition: ['AbleToScale', 'ScaleDownStabilized'],
    },
    TestMissingMetrics: {
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 4,
      expectedDesiredReplicas: 3,
      CPUTarget: 100,
      reportedLevels: [400, 95],
      recommendations: [],
    },
    TestMinReplicas: {
      minReplicas: 2,
      maxReplicas: 5,
      specReplicas: 3,
      expectedDesiredReplicas: 2,
      CPUTarget: 90,
      reportedLevels: [10, 95, 10],
      reportedCPURequests: [0.9, 1.0, 1.1],
      recommendations: [],
      expectedCondition: ['ScalingLimited', 'TooFewReplicas'],
    },
    TestZeroMinReplicasDesiredZero: {
      minReplicas: 0,
      maxReplicas: 5,
      specReplicas: 3,
      expectedDesiredReplicas: 0,
      CPUTarget: 90,
      reportedLevels: [0, 0, 0],
      reportedCPURequests: [0.9, 1.0, 1.1],
      recommendations: [],
      expectedCondition: ['ScalingLimited', 'DesiredWithinRange'],
    },
    TestMinReplicasDesiredZero: {
      minReplicas: 2,
      maxReplicas: 5,
      specReplicas: 3,
      expectedDesiredReplicas: 2,
      CPUTarget: 90,
      reportedLevels: [0, 0, 0],
      reportedCPURequests: [0.9, 1.0, 1.1],
      recommendations: [],
      expectedCondition: ['ScalingLimited', 'TooFewReplicas'],
    },
    TestZeroReplicas: {
      minReplicas: 3,
      maxReplicas: 5,
      specReplicas: 0,
      expectedDesiredReplicas: 0,
      CPUTarget: 90,
      reportedLevels: [],
      reportedCPURequests: [],
      expectedCondition: ['ScalingActive', 'ScalingDisabled'],
    },
    TestTooFewReplicas: {
      minReplicas: 3,
      maxReplicas: 5,
      specReplicas: 2,
      expectedDesiredReplicas: 3,
      CPUTarget: 90,
      reportedLevels: [],
      reportedCPURequests: [],
    },
    TestTooManyReplicas: {
      minReplicas: 3,
      maxReplicas: 5,
      specReplicas: 10,
      expectedDesiredReplicas: 5,
      CPUTarget: 90,
      reportedLevels: [],
      reportedCPURequests: [],
    },
    TestMaxReplicas: {
      minReplicas: 2,
      maxReplicas: 5,
      specReplicas: 3,
      expectedDesiredReplicas: 5,
      CPUTarget: 90,
      reportedLevels: [8000, 9500, 1000],
      reportedCPURequests: [0.9, 1.0, 1.1],
      expectedCondition: ['ScalingLimited', 'TooManyReplicas'],
    },
    TestScaleUpRCImmediately: {
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 1,
      expectedDesiredReplicas: 2,
      reportedLevels: [0, 0, 0, 0],
      reportedCPURequests: [1, 1, 1, 1],
    },
    TestScaleDownRCImmediately: {
      minReplicas: 2,
      maxReplicas: 5,
      specReplicas: 6,
      expectedDesiredReplicas: 5,
      CPUTarget: 50,
      reportedLevels: [8000, 9500, 1000],
      reportedCPURequests: [0.9, 1.0, 1.1],
    },
    TestScaleDownWithScalingRules: {
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 5,
      expectedDesiredReplicas: 3,
      CPUTarget: 50,
      reportedLevels: [100, 300, 500, 250, 250],
      recommendations: [],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
        scaleDown: DEFAULT_SCALE_DOWN_RULES,
      },
    },
  };
  for (const [name, tc] of Object.entries(cases)) {
    test(name, () => {
      const { status } = runTest(tc);
      assert.equal(status.desiredReplicas, tc.expectedDesiredReplicas);
      if (tc.expectedCondition) assert.equal(status.conditions[tc.expectedCondition[0] as 'AbleToScale']?.reason, tc.expectedCondition[1]);
    });
  }

  test('no metric: ScalingActive False FailedGetResourceMetric, the scale stays, the utilization is unknown', () => {
    const { status, rescale } = runTest({
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 3,
      expectedDesiredReplicas: 3,
      reportedLevels: [],
    });
    assert.equal(rescale, undefined);
    assert.equal(status.currentCPUUtilization, undefined);
    assert.deepEqual(status.conditions.ScalingActive, {
      status: false,
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    });
  });
});

describe('the dist/ behaviour over time (injected clock): out at once, in after the window, a quarter per minute', () => {
  // dist/'s chocolates HPA: 2..4, 70% of 50m, scale up +4 pods or +100% per 15 s, down 25% per 60 s after 300 s.
  const behavior: HpaBehavior = {
    scaleUp: DEFAULT_SCALE_UP_RULES,
    scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }] },
  };
  const spec: AutoscalerSpec = {
    name: 'chocolates',
    target: 'chocolates',
    minReplicas: 2,
    maxReplicas: 4,
    targetCPUUtilization: 70,
    behavior,
    tolerances: DEFAULT_TOLERANCES,
    cpuRequestMilli: 50,
  };
  const start = NOW;
  // Every pod started 10 minutes before the test and has been ready since.
  const pods = (n: number): PodState[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `chocolates-${i}`,
      phase: 'Running',
      ready: { status: true, lastTransitionTime: start - 10 * MINUTE },
      startTime: start - 10 * MINUTE,
      cpuRequestMilli: 50,
    }));
  const metrics = (n: number, milli: number, now: number) =>
    new Map(pods(n).map((p) => [p.name, { valueMilli: milli, timestamp: now, windowMs: 15 * SECOND }]));

  test('2 -> 4 on the first loaded sync; idle: 4 for the 300 s window, then 3, then 2 one period later; never below 2', () => {
    const controller = new HorizontalController(spec);
    let replicas = 2;
    const timeline: string[] = [];
    const sync = (t: number, milli: number) => {
      const now = start + t * SECOND;
      const result = controller.sync({ currentReplicas: replicas, pods: pods(replicas), metrics: metrics(replicas, milli, now), now });
      if (result.rescale) timeline.push(`${t}s: ${result.rescale.from} -> ${result.rescale.to}`);
      replicas = result.status.desiredReplicas;
    };
    // 30 s of load (200m per pod = 400% of the request), then idle (2m per pod), a sync every 15 s.
    for (let t = 0; t <= 30; t += 15) sync(t, 200);
    for (let t = 45; t <= 600; t += 15) sync(t, 2);
    // The last recommendation of 4 is from 30 s: at 330 s it is 300 s old and out of the window (upstream's
    // time.After is strict). 25% of 4 leaves 3; the next step waits until that scale-down is 60 s old.
    assert.deepEqual(timeline, ['0s: 2 -> 4', '330s: 4 -> 3', '390s: 3 -> 2']);
    assert.equal(controller.status?.conditions.ScalingLimited?.reason, 'TooFewReplicas');
  });
});
