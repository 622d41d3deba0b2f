/**
 * The normalization cases of kubernetes pkg/controller/podautoscaler/horizontal_test.go, ported with their
 * inputs and expected results (test and case names are upstream's): scale-up and scale-down policies
 * with periods and past scale events, stabilization windows, min/max, and the legacy path without
 * spec.behavior.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { HpaBehavior, ScalingPolicy, ScalingRules } from '../../../config/hpa-behavior.ts';
import { DEFAULT_SCALE_DOWN_RULES, DEFAULT_SCALE_UP_RULES } from '../../../tools/local/hpa/autoscaler-spec.ts';
import {
  calculateScaleDownLimitWithBehaviors,
  calculateScaleUpLimit,
  calculateScaleUpLimitWithScalingRules,
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  getReplicasChangePerPeriod,
  type ScalingHistory,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
  type TimestampedRecommendation,
  type TimestampedScaleEvent,
} from '../../../tools/local/hpa/scale-normalizer.ts';

const NOW = Date.UTC(2026, 0, 1);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** generateScalingRules: policy Max; a Pods and a Percent policy for each non-zero value. */
function generateScalingRules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number): ScalingRules {
  const policies: ScalingPolicy[] = [];
  if (pods !== 0) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max', policies };
}

/**
 * generateEventsUniformDistribution: the events spread over the last periodSeconds, each in the middle of
 * its segment (Go's time.Duration(float64) truncates the seconds).
 */
function generateEventsUniformDistribution(rawEvents: number[], periodSeconds: number): TimestampedScaleEvent[] {
  const segment = periodSeconds / rawEvents.length;
  return rawEvents.map((replicaChange, idx) => ({
    replicaChange,
    timestamp: NOW - Math.trunc(periodSeconds - segment * (idx + 1) + segment / 2) * SECOND,
    outdated: false,
  }));
}

const rec = (recommendation: number, ago: number): TimestampedRecommendation => ({ recommendation, timestamp: NOW - ago });
const event = (replicaChange: number, agoSeconds: number, outdated = false): TimestampedScaleEvent => ({
  replicaChange,
  timestamp: NOW - agoSeconds * SECOND,
  outdated,
});

describe('TestScalingWithRules (convertDesiredReplicasWithBehaviorRate)', () => {
  interface Case {
    name: string;
    scaleUpEvents?: TimestampedScaleEvent[];
    scaleDownEvents?: TimestampedScaleEvent[];
    specMinReplicas: number;
    specMaxReplicas: number;
    scaleUpRules?: ScalingRules;
    scaleDownRules?: ScalingRules;
    currentReplicas: number;
    prenormalizedDesiredReplicas: number;
    expectedReplicas: number;
    expectedCondition: string;
  }
  const cases: Case[] = [
    // biome-ignore format: one upstream case per line
    ...([
      ['prenormalized desired replicas within range', 5, 7, 3, 8, 7, 'DesiredWithinRange'],
      ['prenormalized desired replicas < minReplicas', 3, 1, 2, 8, 2, 'TooFewReplicas'],
      ['prenormalized desired replicas within range when minReplicas is 0', 1, 0, 0, 10, 0, 'DesiredWithinRange'],
      ['maxReplicas is the limit because maxReplicas < scaleUpLimit', 20, 1000, 1, 10, 10, 'TooManyReplicas'],
      ['desired replica count is more than the maximum replica count', 100, 1000, 100, 150, 150, 'TooManyReplicas'],
      ['scaleUp with default behavior', 10, 50, 1, 1000, 20, 'ScaleUpLimit'],
    ] as const).map(([name, currentReplicas, prenormalizedDesiredReplicas, specMinReplicas, specMaxReplicas, expectedReplicas, expectedCondition]) => ({
      name, currentReplicas, prenormalizedDesiredReplicas, specMinReplicas, specMaxReplicas, expectedReplicas, expectedCondition,
    })),
    {
      name: 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies',
      currentReplicas: 3,
      prenormalizedDesiredReplicas: 1000,
      specMinReplicas: 1,
      specMaxReplicas: 2000,
      expectedReplicas: 4,
      expectedCondition: 'ScaleUpLimit',
      scaleUpRules: generateScalingRules(0, 0, 1, 60, 0),
    },
    {
      // upstream marks this case testThis and skips it; it holds all the same
      name: 'scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies',
      currentReplicas: 1000,
      prenormalizedDesiredReplicas: 3,
      specMinReplicas: 3,
      specMaxReplicas: 2000,
      scaleDownRules: generateScalingRules(20, 60, 0, 0, 0),
      expectedReplicas: 980,
      expectedCondition: 'ScaleDownLimit',
    },
    upCase('scaleUp with pods policy larger than percent policy', generateScalingRules(100, 60, 100, 60, 0), 10, 500, 110, 'ScaleUpLimit'),
    upCase('scaleUp with percent policy larger than pods policy', generateScalingRules(2, 60, 100, 60, 0), 10, 500, 20, 'ScaleUpLimit'),
    upCase(
      'scaleUp with spec MaxReplicas limitation with large pod policy',
      generateScalingRules(100, 60, 0, 0, 0),
      10,
      50,
      50,
      'DesiredWithinRange',
    ),
    upCase(
      'scaleUp with spec MaxReplicas limitation with large percent policy',
      generateScalingRules(10000, 60, 0, 0, 0),
      10,
      50,
      50,
      'DesiredWithinRange',
    ),
    upCase('scaleUp with pod policy limitation', generateScalingRules(30, 60, 0, 0, 0), 10, 50, 40, 'ScaleUpLimit'),
    upCase('scaleUp with percent policy limitation', generateScalingRules(0, 0, 200, 60, 0), 10, 50, 30, 'ScaleUpLimit'),
    downCase(
      'scaleDown with percent policy larger than pod policy',
      generateScalingRules(20, 60, 1, 60, 300),
      1,
      100,
      2,
      80,
      'ScaleDownLimit',
    ),
    downCase(
      'scaleDown with pod policy larger than percent policy',
      generateScalingRules(2, 60, 1, 60, 300),
      1,
      100,
      2,
      98,
      'ScaleDownLimit',
    ),
    downCase(
      'scaleDown with spec MinReplicas=nil limitation with large pod policy',
      generateScalingRules(100, 60, 0, 0, 300),
      1,
      10,
      0,
      1,
      'TooFewReplicas',
    ),
    downCase(
      'scaleDown with spec MinReplicas limitation with large pod policy',
      generateScalingRules(100, 60, 0, 0, 300),
      1,
      10,
      0,
      1,
      'TooFewReplicas',
    ),
    downCase(
      'scaleDown with spec MinReplicas limitation with large percent policy',
      generateScalingRules(0, 0, 100, 60, 300),
      5,
      10,
      2,
      5,
      'TooFewReplicas',
    ),
    downCase('scaleDown with pod policy limitation', generateScalingRules(5, 60, 0, 0, 300), 1, 10, 2, 5, 'ScaleDownLimit'),
    downCase('scaleDown with percent policy limitation', generateScalingRules(0, 0, 50, 60, 300), 1, 10, 5, 5, 'DesiredWithinRange'),
    {
      ...upCase(
        'scaleUp with spec MaxReplicas limitation with large pod policy and events',
        generateScalingRules(300, 60, 0, 0, 0),
        100,
        500,
        200,
        'TooManyReplicas',
      ),
      scaleUpEvents: generateEventsUniformDistribution([1, 5, 9], 120),
      specMaxReplicas: 200, // 200 < 100 - 15 + 300
    },
    {
      ...upCase(
        'scaleUp with spec MaxReplicas limitation with large percent policy and events',
        generateScalingRules(0, 0, 10000, 60, 0),
        100,
        500,
        200,
        'TooManyReplicas',
      ),
      scaleUpEvents: generateEventsUniformDistribution([1, 5, 9], 120),
      specMaxReplicas: 200,
    },
    {
      // 120 seconds ago there were 100 - 15 replicas and the pod policy allows 5: no scale-up at all
      ...upCase(
        'scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events',
        generateScalingRules(5, 120, 0, 0, 0),
        100,
        500,
        100,
        'ScaleUpLimit',
      ),
      scaleUpEvents: generateEventsUniformDistribution([1, 5, 9], 120),
    },
    {
      ...upCase(
        'scaleUp with pod policy and previous scale up events',
        generateScalingRules(150, 120, 0, 0, 0),
        100,
        500,
        235,
        'ScaleUpLimit',
      ),
      scaleUpEvents: generateEventsUniformDistribution([1, 5, 9], 120), // 100 - 15 + 150
    },
    {
      ...upCase(
        'scaleUp with percent policy and previous scale up events',
        generateScalingRules(0, 0, 200, 120, 0),
        100,
        500,
        255,
        'ScaleUpLimit',
      ),
      scaleUpEvents: generateEventsUniformDistribution([1, 5, 9], 120), // (100 - 15) + 200%
    },
    {
      ...upCase(
        'scaleUp with percent policy and previous scale up and down events',
        generateScalingRules(0, 0, 300, 300, 0),
        6,
        24,
        16,
        'ScaleUpLimit',
      ),
      scaleUpEvents: generateEventsUniformDistribution([4], 120),
      scaleDownEvents: generateEventsUniformDistribution([2], 120),
    },
    {
      // without scale-down rate limits the period changes nothing
      ...downCase('scaleDown with default policy and previous events', undefined, 1, 10, 5, 5, 'DesiredWithinRange'),
      scaleDownEvents: generateEventsUniformDistribution([1, 5, 9], 120),
    },
    {
      ...downCase(
        'scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events',
        generateScalingRules(115, 120, 0, 0, 300),
        1,
        100,
        0,
        1,
        'TooFewReplicas',
      ),
      scaleDownEvents: generateEventsUniformDistribution([1, 5, 9], 120),
    },
    {
      ...downCase(
        'scaleDown with spec MinReplicas limitation with large pod policy and previous events',
        generateScalingRules(130, 120, 0, 0, 300),
        5,
        100,
        0,
        5,
        'TooFewReplicas',
      ),
      scaleDownEvents: generateEventsUniformDistribution([1, 5, 9], 120),
    },
    {
      // 100% removal is always 0: limited by MinReplicas
      ...downCase(
        'scaleDown with spec MinReplicas limitation with large percent policy and previous events',
        generateScalingRules(0, 0, 100, 120, 300),
        5,
        100,
        2,
        5,
        'TooFewReplicas',
      ),
      scaleDownEvents: generateEventsUniformDistribution([1, 5, 9], 120),
    },
    {
      ...downCase(
        'scaleDown with pod policy limitation and previous events',
        generateScalingRules(5, 120, 0, 0, 300),
        1,
        100,
        2,
        100,
        'ScaleDownLimit',
      ),
      scaleDownEvents: generateEventsUniformDistribution([1, 5, 9], 120), // 100 + 15 - 5
    },
    {
      ...downCase(
        'scaleDown with percent policy limitation and previous events',
        generateScalingRules(0, 0, 50, 120, 300),
        1,
        100,
        0,
        56,
        'ScaleDownLimit',
      ),
      scaleDownEvents: generateEventsUniformDistribution([2, 4, 6], 120), // (100 + 12) - 50%
    },
    {
      ...downCase(
        'scaleDown with percent policy and previous scale up and down events',
        generateScalingRules(0, 0, 50, 180, 0),
        1,
        10,
        1,
        6,
        'ScaleDownLimit',
      ),
      scaleUpEvents: generateEventsUniformDistribution([2], 120),
      scaleDownEvents: generateEventsUniformDistribution([4], 120),
    },
    {
      // (100 + 30) - 10% = 117 is more than the current 100: keep 100
      ...downCase(
        'scaleDown with previous events preventing further scale down',
        generateScalingRules(0, 0, 10, 120, 300),
        1,
        100,
        0,
        100,
        'ScaleDownLimit',
      ),
      scaleDownEvents: generateEventsUniformDistribution([10, 10, 10], 120),
    },
    {
      // (10 + 30) - 1000% = -360 is below the 5 the metrics want: 5
      ...downCase(
        'scaleDown with with previous events still allowing more scale down',
        generateScalingRules(0, 0, 1000, 120, 300),
        1,
        10,
        5,
        5,
        'DesiredWithinRange',
      ),
      scaleDownEvents: generateEventsUniformDistribution([10, 10, 10], 120),
    },
    ...outdatedCases(),
  ];

  function upCase(name: string, rules: ScalingRules, current: number, desired: number, expected: number, condition: string): Case {
    return {
      name,
      scaleUpRules: rules,
      specMinReplicas: 1,
      specMaxReplicas: 1000,
      currentReplicas: current,
      prenormalizedDesiredReplicas: desired,
      expectedReplicas: expected,
      expectedCondition: condition,
    };
  }

  function downCase(
    name: string,
    rules: ScalingRules | undefined,
    min: number,
    current: number,
    desired: number,
    expected: number,
    condition: string,
  ): Case {
    return {
      name,
      ...(rules ? { scaleDownRules: rules } : {}),
      specMinReplicas: min,
      specMaxReplicas: 1000,
      currentReplicas: current,
      prenormalizedDesiredReplicas: desired,
      expectedReplicas: expected,
      expectedCondition: condition,
    };
  }

  function outdatedCases(): Case[] {
    const up = (name: string, rules: ScalingRules): Case => ({
      ...upCase(name, rules, 100, 200, 200, 'DesiredWithinRange'),
      scaleUpEvents: generateEventsUniformDistribution([8, 12, 9, 11], 120),
    });
    const down = (name: string, rules: ScalingRules): Case => ({
      ...downCase(name, rules, 1, 100, 5, 5, 'DesiredWithinRange'),
      scaleDownEvents: generateEventsUniformDistribution([8, 12, 9, 11], 120),
    });
    return [
      up("check 'outdated' flag for events for one behavior for up", generateScalingRules(1000, 60, 0, 0, 0)),
      up(
        "check that events were not marked 'outdated' for two different policies in the behavior for up",
        generateScalingRules(1000, 120, 100, 60, 0),
      ),
      up(
        "check that events were marked 'outdated' for two different policies in the behavior for up",
        generateScalingRules(1000, 30, 100, 60, 0),
      ),
      down("check 'outdated' flag for events for one behavior for down", generateScalingRules(1000, 60, 0, 0, 300)),
      down(
        "check that events were not marked 'outdated' for two different policies in the behavior for down",
        generateScalingRules(1000, 120, 100, 60, 300),
      ),
      down(
        "check that events were marked 'outdated' for two different policies in the behavior for down",
        generateScalingRules(1000, 30, 100, 60, 300),
      ),
    ];
  }

  for (const tc of cases) {
    test(tc.name, () => {
      const { replicas, reason } = convertDesiredReplicasWithBehaviorRate(
        {
          scaleUpBehavior: tc.scaleUpRules ?? DEFAULT_SCALE_UP_RULES,
          scaleDownBehavior: tc.scaleDownRules ?? DEFAULT_SCALE_DOWN_RULES,
          minReplicas: tc.specMinReplicas,
          maxReplicas: tc.specMaxReplicas,
          desiredReplicas: tc.prenormalizedDesiredReplicas,
          currentReplicas: tc.currentReplicas,
        },
        tc.scaleUpEvents ?? [],
        tc.scaleDownEvents ?? [],
        NOW,
      );
      assert.equal(replicas, tc.expectedReplicas, 'expected replicas do not match with converted replicas');
      assert.equal(reason, tc.expectedCondition, 'HPA condition does not match with expected condition');
    });
  }
});

describe('TestCalculateScaleUpLimitWithScalingRules and TestCalculateScaleDownLimitWithBehaviors (selectPolicy Min)', () => {
  const rules: ScalingRules = {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Min',
    policies: [
      { type: 'Pods', value: 2, periodSeconds: 60 },
      { type: 'Percent', value: 50, periodSeconds: 60 },
    ],
  };
  test('scale-up: the smaller of +2 pods and +50% of 1 (rounded up)', () => {
    assert.equal(calculateScaleUpLimitWithScalingRules(1, [], [], rules, NOW), 2);
  });
  test('scale-down: the larger of -2 pods and -50% of 5 (truncated)', () => {
    assert.equal(calculateScaleDownLimitWithBehaviors(5, [], [], rules, NOW), 3);
  });
  test('selectPolicy Disabled: no change in that direction', () => {
    assert.equal(calculateScaleUpLimitWithScalingRules(4, [], [], { ...rules, selectPolicy: 'Disabled' }, NOW), 4);
    assert.equal(calculateScaleDownLimitWithBehaviors(4, [], [], { ...rules, selectPolicy: 'Disabled' }, NOW), 4);
  });
});

describe('TestStoreScaleEvents (storeScaleEvent, getReplicasChangePerPeriod)', () => {
  const cases: Array<{
    name: string;
    prevScaleEvents: TimestampedScaleEvent[];
    newScaleEvents: Array<[number, boolean]>;
    scalingRules?: ScalingRules;
    expectedReplicasChange: number;
  }> = [
    { name: 'empty entries with default behavior', prevScaleEvents: [], newScaleEvents: [], expectedReplicasChange: 0 },
    {
      name: 'empty entries with two-policy-behavior',
      prevScaleEvents: [],
      newScaleEvents: [[5, false]],
      scalingRules: generateScalingRules(10, 60, 100, 60, 0),
      expectedReplicasChange: 0,
    },
    {
      name: 'one outdated entry to be kept untouched without behavior',
      prevScaleEvents: [event(7, 61)],
      newScaleEvents: [[7, false]],
      expectedReplicasChange: 0,
    },
    {
      name: 'one outdated entry to be replaced with behavior',
      prevScaleEvents: [event(7, 61)],
      newScaleEvents: [[5, false]],
      scalingRules: generateScalingRules(10, 60, 100, 60, 0),
      expectedReplicasChange: 0,
    },
    {
      name: 'one actual entry to be not touched with behavior',
      prevScaleEvents: [event(7, 58)],
      newScaleEvents: [
        [7, false],
        [5, false],
      ],
      scalingRules: generateScalingRules(10, 60, 100, 60, 0),
      expectedReplicasChange: 7,
    },
    {
      name: 'two entries, one of them to be replaced',
      prevScaleEvents: [event(7, 61), event(6, 59)],
      newScaleEvents: [
        [5, false],
        [6, false],
      ],
      scalingRules: generateScalingRules(10, 60, 0, 0, 0),
      expectedReplicasChange: 6,
    },
    {
      name: 'replace one entry, use policies with different periods',
      prevScaleEvents: [event(8, 29), event(6, 59), event(7, 61), event(9, 61)],
      newScaleEvents: [
        [8, false],
        [6, false],
        [7, true],
        [5, false],
      ],
      scalingRules: generateScalingRules(10, 60, 100, 30, 0),
      expectedReplicasChange: 14,
    },
    {
      name: 'two entries, both actual',
      prevScaleEvents: [event(7, 58), event(6, 59)],
      newScaleEvents: [
        [7, false],
        [6, false],
        [5, false],
      ],
      scalingRules: generateScalingRules(10, 120, 100, 30, 0),
      expectedReplicasChange: 13,
    },
  ];
  for (const tc of cases) {
    for (const direction of ['up', 'down'] as const) {
      test(`${tc.name} (${direction})`, () => {
        const history: ScalingHistory = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
        const events = tc.prevScaleEvents.map((e) => ({ ...e }));
        if (direction === 'up') history.scaleUpEvents = events;
        else history.scaleDownEvents = events;
        const behavior: HpaBehavior | undefined = tc.scalingRules && { scaleUp: tc.scalingRules, scaleDown: tc.scalingRules };
        assert.equal(getReplicasChangePerPeriod(60, events, NOW), tc.expectedReplicasChange);
        storeScaleEvent(behavior, history, 10, direction === 'up' ? 15 : 5, NOW);
        const stored = direction === 'up' ? history.scaleUpEvents : history.scaleDownEvents;
        assert.deepEqual(
          stored.map((e) => [e.replicaChange, e.outdated]),
          tc.newScaleEvents,
        );
      });
    }
  }
});

describe('TestNormalizeDesiredReplicasWithBehavior (stabilizeRecommendationWithBehaviors)', () => {
  const cases: Array<{
    name: string;
    recommendations: TimestampedRecommendation[];
    currentReplicas: number;
    prenormalizedDesiredReplicas: number;
    expectedStabilizedReplicas: number;
    expectedRecommendations?: number[];
    up?: number;
    down?: number;
  }> = [
    {
      name: 'empty recommendations for scaling down',
      recommendations: [],
      currentReplicas: 100,
      prenormalizedDesiredReplicas: 5,
      expectedStabilizedReplicas: 5,
      expectedRecommendations: [5],
    },
    {
      name: 'simple scale down stabilization',
      recommendations: [rec(4, 2 * MINUTE), rec(5, MINUTE)],
      currentReplicas: 100,
      prenormalizedDesiredReplicas: 3,
      expectedStabilizedReplicas: 5,
      expectedRecommendations: [4, 5, 3],
      down: 3 * 60,
    },
    {
      name: 'simple scale up stabilization',
      recommendations: [rec(4, 2 * MINUTE), rec(5, MINUTE)],
      currentReplicas: 1,
      prenormalizedDesiredReplicas: 7,
      expectedStabilizedReplicas: 4,
      expectedRecommendations: [4, 5, 7],
      up: 5 * 60,
    },
    {
      name: 'no scale down stabilization',
      recommendations: [rec(1, 2 * MINUTE), rec(2, MINUTE)],
      currentReplicas: 100,
      prenormalizedDesiredReplicas: 3,
      expectedStabilizedReplicas: 3,
      expectedRecommendations: [1, 2, 3],
      up: 5 * 60,
    },
    {
      name: 'no scale up stabilization',
      recommendations: [rec(4, 2 * MINUTE), rec(5, MINUTE)],
      currentReplicas: 1,
      prenormalizedDesiredReplicas: 3,
      expectedStabilizedReplicas: 3,
      expectedRecommendations: [4, 5, 3],
      down: 5 * 60,
    },
    {
      name: 'no scale down stabilization, reuse recommendation element',
      recommendations: [rec(10, 10 * MINUTE), rec(9, 9 * MINUTE)],
      currentReplicas: 100,
      prenormalizedDesiredReplicas: 3,
      expectedStabilizedReplicas: 3,
      expectedRecommendations: [10, 3],
    },
    {
      name: 'no scale up stabilization, reuse recommendation element',
      recommendations: [rec(10, 10 * MINUTE), rec(9, 9 * MINUTE)],
      currentReplicas: 1,
      prenormalizedDesiredReplicas: 100,
      expectedStabilizedReplicas: 100,
      expectedRecommendations: [10, 100],
    },
    {
      name: 'scale down stabilization, reuse one of obsolete recommendation element',
      recommendations: [rec(10, 10 * MINUTE), rec(4, MINUTE), rec(5, 2 * MINUTE), rec(9, 9 * MINUTE)],
      currentReplicas: 100,
      prenormalizedDesiredReplicas: 3,
      expectedStabilizedReplicas: 5,
      expectedRecommendations: [10, 4, 5, 3],
      down: 3 * 60,
    },
    {
      // only the first recommendation has left both windows (up 300 s, down 0 s)
      name: 'scale up stabilization, reuse one of obsolete recommendation element',
      recommendations: [rec(10, 100 * MINUTE), rec(6, MINUTE), rec(5, 2 * MINUTE), rec(9, 3 * MINUTE)],
      currentReplicas: 1,
      prenormalizedDesiredReplicas: 100,
      expectedStabilizedReplicas: 5,
      expectedRecommendations: [100, 6, 5, 9],
      up: 300,
    },
    {
      name: 'scale up and down stabilization, do not scale up when prenormalized rec goes down',
      recommendations: [rec(2, 100 * MINUTE), rec(3, 3 * MINUTE)],
      currentReplicas: 2,
      prenormalizedDesiredReplicas: 1,
      expectedStabilizedReplicas: 2,
      up: 300,
      down: 300,
    },
    {
      name: 'scale up and down stabilization, do not scale down when prenormalized rec goes up',
      recommendations: [rec(2, 100 * MINUTE), rec(1, 3 * MINUTE)],
      currentReplicas: 2,
      prenormalizedDesiredReplicas: 3,
      expectedStabilizedReplicas: 2,
      up: 300,
      down: 300,
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const recommendations = [...tc.recommendations];
      const { replicas } = stabilizeRecommendationWithBehaviors(
        recommendations,
        {
          currentReplicas: tc.currentReplicas,
          desiredReplicas: tc.prenormalizedDesiredReplicas,
          minReplicas: 1,
          maxReplicas: 1000,
          scaleUpBehavior: { ...DEFAULT_SCALE_UP_RULES, stabilizationWindowSeconds: tc.up ?? 0 },
          scaleDownBehavior: { ...DEFAULT_SCALE_DOWN_RULES, stabilizationWindowSeconds: tc.down ?? 0 },
        },
        NOW,
      );
      assert.equal(replicas, tc.expectedStabilizedReplicas, 'expected replicas do not match');
      if (tc.expectedRecommendations)
        assert.deepEqual(
          recommendations.map((r) => r.recommendation),
          tc.expectedRecommendations,
        );
    });
  }
});

describe('TestNormalizeDesiredReplicas (legacy stabilizeRecommendation, 5 minute window)', () => {
  const cases: Array<[string, TimestampedRecommendation[], number, number, number]> = [
    ['empty log', [], 5, 5, 1],
    ['stabilize', [rec(4, 2 * MINUTE), rec(5, MINUTE)], 3, 5, 3],
    ['no stabilize', [rec(1, 2 * MINUTE), rec(2, MINUTE)], 3, 3, 3],
    ['no stabilize - old recommendations', [rec(10, 10 * MINUTE), rec(9, 9 * MINUTE)], 3, 3, 2],
    ['stabilize - old recommendations', [rec(10, 10 * MINUTE), rec(4, MINUTE), rec(5, 2 * MINUTE), rec(9, 9 * MINUTE)], 3, 5, 4],
  ];
  for (const [name, recommendations, prenormalized, expected, logLength] of cases) {
    test(name, () => {
      const log = [...recommendations];
      assert.equal(stabilizeRecommendation(log, prenormalized, 5 * MINUTE, NOW), expected);
      assert.equal(log.length, logLength);
    });
  }
});

describe('TestConvertDesiredReplicasWithRules (legacy min/max and scale-up cap)', () => {
  const cases: Array<[string, number, number, number, number, number, string]> = [
    ['prenormalized desired replicas within range', 5, 7, 3, 8, 7, 'DesiredWithinRange'],
    ['prenormalized desired replicas < minReplicas', 3, 1, 2, 8, 2, 'TooFewReplicas'],
    ['prenormalized desired zeroed replicas within range', 1, 0, 0, 10, 0, 'DesiredWithinRange'],
    ['maxReplicas is the limit because maxReplicas < scaleUpLimit', 20, 1000, 1, 10, 10, 'TooManyReplicas'],
    ['scaleUpLimit is the limit because scaleUpLimit < maxReplicas', 3, 1000, 1, 2000, calculateScaleUpLimit(3), 'ScaleUpLimit'],
  ];
  for (const [name, current, desired, min, max, expected, condition] of cases) {
    test(name, () => {
      const { replicas, reason } = convertDesiredReplicasWithRules(current, desired, min, max);
      assert.equal(replicas, expected);
      assert.equal(reason, condition);
    });
  }
  test('the cap is max(2 x current, 4), as the controller runs it (upstream tests raise the factor to 8)', () => {
    assert.deepEqual([1, 2, 3, 10].map(calculateScaleUpLimit), [4, 4, 6, 20]);
  });
});
