/**
 * The HorizontalPodAutoscaler's `spec.behavior` as environment data: how fast each section scales up and
 * down, stated in the environment file instead of left to a library default. The field names and bounds
 * are the autoscaling/v2 API's own (an API server rejects anything outside them), so a reviewer can read
 * them next to the Kubernetes documentation. Imports nothing.
 */

/** How the HPA picks among a direction's policies: the biggest change, the smallest, or no change at all. */
const SELECT_POLICIES = ['Max', 'Min', 'Disabled'] as const;
export type SelectPolicy = (typeof SELECT_POLICIES)[number];

/** `Pods`: a number of pods; `Percent`: a share of the replicas at the start of the period. */
const SCALING_POLICY_TYPES = ['Pods', 'Percent'] as const;
export type ScalingPolicyType = (typeof SCALING_POLICY_TYPES)[number];

/** The autoscaling/v2 API's bounds (kubernetes pkg/apis/autoscaling/validation). */
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const MAX_POLICY_PERIOD_SECONDS = 1800;

/** At most `value` pods (or percent of the replicas) per `periodSeconds`. */
export interface ScalingPolicy {
  readonly type: ScalingPolicyType;
  /** Whole number > 0; a scale-down Percent is at most 100. */
  readonly value: number;
  /** 1..1800 seconds. */
  readonly periodSeconds: number;
}

/** One direction of the HPA's behaviour (`spec.behavior.scaleUp` or `.scaleDown`). */
export interface ScalingRules {
  /**
   * 0..3600 seconds of past recommendations the HPA looks back over: it scales down only to the highest
   * recommendation of the window (up: only to the lowest), so a short dip or spike changes nothing.
   */
  readonly stabilizationWindowSeconds: number;
  /** Which policy wins when several allow different changes; `Disabled` never scales in this direction. */
  readonly selectPolicy: SelectPolicy;
  /** At least one (the API requires it, even with `Disabled`). */
  readonly policies: readonly ScalingPolicy[];
  /**
   * How far (a fraction, 0 to 0.999 in steps of 0.001) the metric may be from its target before this
   * direction acts (`tolerance`, GA in Kubernetes 1.37, on by default from 1.35). Omitted: the cluster's
   * --horizontal-pod-autoscaler-tolerance, 0.1 unless its operators changed it.
   */
  readonly tolerance?: number;
}

/** Both directions, rendered into every section's HPA as `spec.behavior`. */
export interface HpaBehavior {
  readonly scaleUp: ScalingRules;
  readonly scaleDown: ScalingRules;
}

const DIRECTIONS = ['scaleUp', 'scaleDown'] as const;
type Direction = (typeof DIRECTIONS)[number];

/** Every problem in `behavior` (at field path `at`, e.g. `production.hpaBehavior`), in field order. */
export function hpaBehaviorProblems(at: string, behavior: HpaBehavior | undefined): string[] {
  if (behavior === undefined || behavior === null || typeof behavior !== 'object') {
    return [`${at}: missing; state scaleUp and scaleDown (stabilizationWindowSeconds, selectPolicy, policies), as production.ts does`];
  }
  return DIRECTIONS.flatMap((direction) => rulesProblems(`${at}.${direction}`, direction, behavior[direction]));
}

function rulesProblems(at: string, direction: Direction, rules: ScalingRules | undefined): string[] {
  if (rules === undefined || rules === null || typeof rules !== 'object') {
    return [`${at}: missing; give stabilizationWindowSeconds, selectPolicy and policies`];
  }
  const problems: string[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (!isWholeNumberIn(window, 0, MAX_STABILIZATION_WINDOW_SECONDS)) {
    const example = direction === 'scaleUp' ? 0 : 300;
    problems.push(
      `${at}.stabilizationWindowSeconds: ${show(window)} must be a whole number from 0 to ${MAX_STABILIZATION_WINDOW_SECONDS} ` +
        `(seconds), e.g. ${example}`,
    );
  }
  if (!(SELECT_POLICIES as readonly unknown[]).includes(rules.selectPolicy)) {
    problems.push(`${at}.selectPolicy: ${show(rules.selectPolicy)} is not a select policy; use one of ${SELECT_POLICIES.join(', ')}`);
  }
  problems.push(...policiesProblems(`${at}.policies`, direction, rules.policies));
  if (rules.tolerance !== undefined && !isToleranceFraction(rules.tolerance)) {
    problems.push(`${at}.tolerance: ${show(rules.tolerance)} must be a fraction from 0 to 0.999 in steps of 0.001, e.g. 0.05 (5%)`);
  }
  return problems;
}

function policiesProblems(at: string, direction: Direction, policies: readonly ScalingPolicy[] | undefined): string[] {
  if (!Array.isArray(policies) || policies.length === 0) {
    const example =
      direction === 'scaleUp' ? "{ type: 'Pods', value: 4, periodSeconds: 15 }" : "{ type: 'Percent', value: 25, periodSeconds: 60 }";
    return [`${at}: ${Array.isArray(policies) ? 'empty' : 'missing'}; give at least one policy, e.g. ${example}`];
  }
  return policies.flatMap((policy, index) => policyProblems(`${at}[${index}]`, direction, policy));
}

function policyProblems(at: string, direction: Direction, policy: ScalingPolicy): string[] {
  const problems: string[] = [];
  const { type, value, periodSeconds } = policy ?? ({} as Partial<ScalingPolicy>);
  if (!(SCALING_POLICY_TYPES as readonly unknown[]).includes(type)) {
    problems.push(`${at}.type: ${show(type)} is not a policy type; use one of ${SCALING_POLICY_TYPES.join(', ')}`);
  }
  if (!isWholeNumberIn(value, 1, Number.MAX_SAFE_INTEGER)) {
    problems.push(`${at}.value: ${show(value)} must be a whole number > 0 (pods, or percent of the replicas)`);
  } else if (direction === 'scaleDown' && type === 'Percent' && value > 100) {
    problems.push(`${at}.value: ${value} must be at most 100 for a scale-down Percent: no step removes more than every replica`);
  }
  if (!isWholeNumberIn(periodSeconds, 1, MAX_POLICY_PERIOD_SECONDS)) {
    problems.push(
      `${at}.periodSeconds: ${show(periodSeconds)} must be a whole number from 1 to ${MAX_POLICY_PERIOD_SECONDS} (seconds), e.g. 60`,
    );
  }
  return problems;
}

function isToleranceFraction(value: unknown): value is number {
  // The API stores it as a quantity: milli-units are its finest step.
  return typeof value === 'number' && value >= 0 && value < 1 && Math.abs(value * 1000 - Math.round(value * 1000)) < 1e-9;
}

function isWholeNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Strings quoted as the environment files write them, everything else as is. */
function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
