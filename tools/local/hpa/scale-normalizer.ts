/**
 * How the HPA turns the metric's replica count into the count it sets: a port of the normalization in
 * kubernetes pkg/controller/podautoscaler/horizontal.go. With `spec.behavior`: stabilization windows
 * over past recommendations, then the scale-up and scale-down policies (Pods or Percent per period,
 * counted from the scale events of that period), then min/max. Without it (the legacy path): a 5-minute
 * downscale window and a fixed scale-up cap. Pure: `now` comes in; times are milliseconds.
 */
import type { HpaBehavior, ScalingRules } from '../../../config/hpa-behavior.ts';

export interface TimestampedRecommendation {
  readonly recommendation: number;
  readonly timestamp: number;
}

export interface TimestampedScaleEvent {
  /** Always positive: pods added (in the scale-up list) or removed (in the scale-down list). */
  readonly replicaChange: number;
  readonly timestamp: number;
  outdated: boolean;
}

/** The controller's memory for one HPA (upstream keeps these maps keyed by HPA). */
export interface ScalingHistory {
  recommendations: TimestampedRecommendation[];
  scaleUpEvents: TimestampedScaleEvent[];
  scaleDownEvents: TimestampedScaleEvent[];
}

export interface NormalizationArg {
  readonly scaleUpBehavior: ScalingRules;
  readonly scaleDownBehavior: ScalingRules;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
}

/** A replica count and the HPA condition reason (and message) that explains it. */
export interface Normalized {
  readonly replicas: number;
  readonly reason: string;
  readonly message: string;
}

// scaleUpLimitFactor and scaleUpLimitMinimum of the legacy path (no spec.behavior).
const SCALE_UP_LIMIT_FACTOR = 2.0;
const SCALE_UP_LIMIT_MINIMUM = 4.0;
const SECOND = 1_000;

/** normalizeDesiredReplicasWithBehaviors: stabilize first, then apply the policies' rate and min/max. */
export function normalizeDesiredReplicasWithBehaviors(
  history: ScalingHistory,
  behavior: HpaBehavior,
  current: { currentReplicas: number; desiredReplicas: number; minReplicas: number; maxReplicas: number },
  now: number,
): { stabilized: Normalized; limited: Normalized } {
  const arg: NormalizationArg = { ...current, scaleUpBehavior: behavior.scaleUp, scaleDownBehavior: behavior.scaleDown };
  const stabilizedBy = stabilizeRecommendationWithBehaviors(history.recommendations, arg, now);
  const stabilized = stabilizedBy.replicas === current.desiredReplicas ? readyForNewScale(stabilizedBy.replicas) : stabilizedBy;
  const limited = convertDesiredReplicasWithBehaviorRate(
    { ...arg, desiredReplicas: stabilized.replicas },
    history.scaleUpEvents,
    history.scaleDownEvents,
    now,
  );
  return { stabilized, limited };
}

/**
 * stabilizeRecommendationWithBehaviors: the current count moves up to at most the lowest recommendation
 * of the scale-up window and down to at least the highest of the scale-down window. The unstabilized
 * recommendation is recorded, reusing a slot that has left both windows.
 */
export function stabilizeRecommendationWithBehaviors(
  recommendations: TimestampedRecommendation[],
  args: NormalizationArg,
  now: number,
): Normalized {
  const upCutoff = now - args.scaleUpBehavior.stabilizationWindowSeconds * SECOND;
  const downCutoff = now - args.scaleDownBehavior.stabilizationWindowSeconds * SECOND;
  let upRecommendation = args.desiredReplicas;
  let downRecommendation = args.desiredReplicas;
  let oldSampleIndex = -1;
  recommendations.forEach((rec, i) => {
    if (rec.timestamp > upCutoff) upRecommendation = Math.min(rec.recommendation, upRecommendation);
    if (rec.timestamp > downCutoff) downRecommendation = Math.max(rec.recommendation, downRecommendation);
    if (rec.timestamp < upCutoff && rec.timestamp < downCutoff) oldSampleIndex = i;
  });
  const recommendation = Math.min(Math.max(args.currentReplicas, upRecommendation), downRecommendation);
  record(recommendations, oldSampleIndex, { recommendation: args.desiredReplicas, timestamp: now });
  return args.desiredReplicas >= args.currentReplicas
    ? {
        replicas: recommendation,
        reason: 'ScaleUpStabilized',
        message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
      }
    : {
        replicas: recommendation,
        reason: 'ScaleDownStabilized',
        message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
      };
}

/** convertDesiredReplicasWithBehaviorRate: caps the change by the direction's policies, then by min/max. */
export function convertDesiredReplicasWithBehaviorRate(
  args: NormalizationArg,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  now: number,
): Normalized {
  const { currentReplicas, desiredReplicas } = args;
  if (desiredReplicas > currentReplicas) {
    const limit = calculateScaleUpLimitWithScalingRules(currentReplicas, scaleUpEvents, scaleDownEvents, args.scaleUpBehavior, now);
    // Below the current count only when the policy changed after recent scale-ups: then no further scale-up.
    const scaleUpLimit = Math.max(limit, currentReplicas);
    const maximum =
      args.maxReplicas > scaleUpLimit
        ? {
            replicas: scaleUpLimit,
            reason: 'ScaleUpLimit',
            message: 'the desired replica count is increasing faster than the maximum scale rate',
          }
        : {
            replicas: args.maxReplicas,
            reason: 'TooManyReplicas',
            message: 'the desired replica count is more than the maximum replica count',
          };
    if (desiredReplicas > maximum.replicas) return maximum;
  } else if (desiredReplicas < currentReplicas) {
    const limit = calculateScaleDownLimitWithBehaviors(currentReplicas, scaleUpEvents, scaleDownEvents, args.scaleDownBehavior, now);
    const scaleDownLimit = Math.min(limit, currentReplicas);
    const minimum =
      args.minReplicas < scaleDownLimit
        ? {
            replicas: scaleDownLimit,
            reason: 'ScaleDownLimit',
            message: 'the desired replica count is decreasing faster than the maximum scale rate',
          }
        : {
            replicas: args.minReplicas,
            reason: 'TooFewReplicas',
            message: 'the desired replica count is less than the minimum replica count',
          };
    if (desiredReplicas < minimum.replicas) return minimum;
  }
  return { replicas: desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

/**
 * The most replicas the scale-up policies allow now: per policy, the count at the start of its period
 * (the current count minus what was added plus what was removed within the period) plus its Pods or
 * Percent (rounded up); `Max` takes the largest proposal, `Min` the smallest, `Disabled` none.
 */
export function calculateScaleUpLimitWithScalingRules(
  currentReplicas: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const proposals = rules.policies.map((policy) => {
    const periodStart = periodStartReplicas(currentReplicas, policy.periodSeconds, scaleUpEvents, scaleDownEvents, now);
    return policy.type === 'Pods' ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
}

/** The fewest replicas the scale-down policies allow now; a Percent proposal is truncated, as Go's int32(). */
export function calculateScaleDownLimitWithBehaviors(
  currentReplicas: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const proposals = rules.policies.map((policy) => {
    const periodStart = periodStartReplicas(currentReplicas, policy.periodSeconds, scaleUpEvents, scaleDownEvents, now);
    return policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
}

function periodStartReplicas(
  currentReplicas: number,
  periodSeconds: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  now: number,
): number {
  const added = getReplicasChangePerPeriod(periodSeconds, scaleUpEvents, now);
  const deleted = getReplicasChangePerPeriod(periodSeconds, scaleDownEvents, now);
  return currentReplicas - added + deleted;
}

/** The replicas changed by the events within the last `periodSeconds`. */
export function getReplicasChangePerPeriod(periodSeconds: number, events: readonly TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * SECOND;
  return events.filter((event) => event.timestamp > cutoff).reduce((sum, event) => sum + event.replicaChange, 0);
}

/**
 * storeScaleEvent: records a rescale in its direction's list, reusing the slot of an event older than
 * that direction's longest policy period. Without spec.behavior nothing is recorded (nothing reads it).
 */
export function storeScaleEvent(
  behavior: HpaBehavior | undefined,
  history: ScalingHistory,
  prevReplicas: number,
  newReplicas: number,
  now: number,
): void {
  if (behavior === undefined) return;
  const up = newReplicas > prevReplicas;
  const events = up ? history.scaleUpEvents : history.scaleDownEvents;
  markScaleEventsOutdated(events, longestPolicyPeriod(up ? behavior.scaleUp : behavior.scaleDown), now);
  const event: TimestampedScaleEvent = { replicaChange: Math.abs(newReplicas - prevReplicas), timestamp: now, outdated: false };
  const outdated = events.findLastIndex((e) => e.outdated);
  if (outdated >= 0) events[outdated] = event;
  else events.push(event);
}

export function markScaleEventsOutdated(events: TimestampedScaleEvent[], longestPolicyPeriodSeconds: number, now: number): void {
  const cutoff = now - longestPolicyPeriodSeconds * SECOND;
  for (const event of events) if (event.timestamp < cutoff) event.outdated = true;
}

function longestPolicyPeriod(rules: ScalingRules): number {
  return Math.max(0, ...rules.policies.map((policy) => policy.periodSeconds));
}

/** recordInitialRecommendation: a new HPA remembers the current count, so it does not scale down at once. */
export function recordInitialRecommendation(history: ScalingHistory, currentReplicas: number, now: number): void {
  if (history.recommendations.length === 0) history.recommendations.push({ recommendation: currentReplicas, timestamp: now });
}

/** normalizeDesiredReplicas (no spec.behavior): downscale stabilization, then min/max and the scale-up cap. */
export function normalizeDesiredReplicas(
  history: ScalingHistory,
  current: { currentReplicas: number; desiredReplicas: number; minReplicas: number; maxReplicas: number },
  downscaleStabilisationWindowMs: number,
  now: number,
): { stabilized: Normalized; limited: Normalized } {
  const replicas = stabilizeRecommendation(history.recommendations, current.desiredReplicas, downscaleStabilisationWindowMs, now);
  const stabilized =
    replicas === current.desiredReplicas
      ? readyForNewScale(replicas)
      : {
          replicas,
          reason: 'ScaleDownStabilized',
          message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
        };
  return {
    stabilized,
    limited: convertDesiredReplicasWithRules(current.currentReplicas, replicas, current.minReplicas, current.maxReplicas),
  };
}

/** stabilizeRecommendation: the highest recommendation of the window, recording this one. */
export function stabilizeRecommendation(
  recommendations: TimestampedRecommendation[],
  prenormalizedDesiredReplicas: number,
  windowMs: number,
  now: number,
): number {
  const cutoff = now - windowMs;
  let maxRecommendation = prenormalizedDesiredReplicas;
  let oldSampleIndex = -1;
  recommendations.forEach((rec, i) => {
    if (rec.timestamp < cutoff) oldSampleIndex = i;
    else maxRecommendation = Math.max(maxRecommendation, rec.recommendation);
  });
  record(recommendations, oldSampleIndex, { recommendation: prenormalizedDesiredReplicas, timestamp: now });
  return maxRecommendation;
}

/** convertDesiredReplicasWithRules: min/max, and at most max(2 x current, 4) at once. */
export function convertDesiredReplicasWithRules(currentReplicas: number, desiredReplicas: number, min: number, max: number): Normalized {
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  const maximum =
    max > scaleUpLimit
      ? {
          replicas: scaleUpLimit,
          reason: 'ScaleUpLimit',
          message: 'the desired replica count is increasing faster than the maximum scale rate',
        }
      : { replicas: max, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  if (desiredReplicas < min)
    return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desiredReplicas > maximum.replicas) return maximum;
  return { replicas: desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM));
}

function readyForNewScale(replicas: number): Normalized {
  return { replicas, reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
}

function record(recommendations: TimestampedRecommendation[], oldSampleIndex: number, recommendation: TimestampedRecommendation): void {
  if (oldSampleIndex >= 0) recommendations[oldSampleIndex] = recommendation;
  else recommendations.push(recommendation);
}
