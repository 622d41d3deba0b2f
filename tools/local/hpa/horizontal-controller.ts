/**
 * One HPA's sync: a port of reconcileAutoscaler (kubernetes pkg/controller/podautoscaler/horizontal.go)
 * for one cpu Utilization metric. It reads the target's current replica count, pods and metrics, and
 * returns the count to set with the status `kubectl describe hpa` would show. Pure: `now` comes in.
 */
import type { AutoscalerSpec } from './autoscaler-spec.ts';
import { type PodMetric, type PodState, resourceReplicas } from './replica-calculator.ts';
import {
  type Normalized,
  normalizeDesiredReplicas,
  normalizeDesiredReplicasWithBehaviors,
  recordInitialRecommendation,
  type ScalingHistory,
  storeScaleEvent,
} from './scale-normalizer.ts';

/** kube-controller-manager flags of the HPA controller, at their defaults unless a test says otherwise. */
export interface ControllerSettings {
  /** --horizontal-pod-autoscaler-cpu-initialization-period */
  readonly cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay */
  readonly delayOfInitialReadinessStatusMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (the legacy path's window) */
  readonly downscaleStabilisationWindowMs: number;
}

export const DEFAULT_CONTROLLER_SETTINGS: ControllerSettings = {
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
  downscaleStabilisationWindowMs: 5 * 60_000,
};

export interface HpaCondition {
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
}

export type HpaConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** status of the HorizontalPodAutoscaler object. */
export interface HpaStatus {
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** Average cpu utilization, percent of the request; undefined when not computed (`<unknown>`). */
  readonly currentCPUUtilization: number | undefined;
  readonly lastScaleTime: number | undefined;
  readonly conditions: Readonly<Partial<Record<HpaConditionType, HpaCondition>>>;
}

export interface SyncInput {
  /** scale.spec.replicas of the Deployment. */
  readonly currentReplicas: number;
  readonly pods: readonly PodState[];
  readonly metrics: ReadonlyMap<string, PodMetric>;
  readonly now: number;
}

export interface SyncResult {
  readonly status: HpaStatus;
  /** Set when the controller changes the scale: the SuccessfulRescale event. */
  readonly rescale?: { readonly from: number; readonly to: number; readonly reason: string };
}

const METRIC_NAME = 'cpu resource utilization (percentage of request)';

type Conditions = Partial<Record<HpaConditionType, HpaCondition>>;

export class HorizontalController {
  readonly spec: AutoscalerSpec;
  private readonly settings: ControllerSettings;
  private readonly history: ScalingHistory = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
  private initialized = false;
  private current: HpaStatus | undefined;

  constructor(spec: AutoscalerSpec, settings: ControllerSettings = DEFAULT_CONTROLLER_SETTINGS, history?: ScalingHistory) {
    this.spec = spec;
    this.settings = settings;
    // A test may start from a known history; an empty one counts as "seen" then, as upstream's non-nil slice.
    if (history) {
      this.history = history;
      this.initialized = true;
    }
  }

  /** undefined until the first sync. */
  get status(): HpaStatus | undefined {
    return this.current;
  }

  /** One sync of this HPA. */
  sync(input: SyncInput): SyncResult {
    if (!this.initialized) recordInitialRecommendation(this.history, input.currentReplicas, input.now);
    this.initialized = true;
    const conditions: Conditions = {
      AbleToScale: condition(true, 'SucceededGetScale', "the HPA controller was able to get the target's current scale"),
    };
    const { currentReplicas } = input;
    const desired = this.desiredReplicas(input, conditions);
    if (desired === undefined) return this.keepScale(currentReplicas, conditions);
    const rescale = desired.replicas !== currentReplicas;
    if (rescale) {
      conditions.AbleToScale = condition(
        true,
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired.replicas}`,
      );
      storeScaleEvent(this.spec.behavior, this.history, currentReplicas, desired.replicas, input.now);
    }
    this.current = {
      currentReplicas,
      desiredReplicas: desired.replicas,
      currentCPUUtilization: desired.utilization,
      lastScaleTime: rescale ? input.now : this.current?.lastScaleTime,
      conditions,
    };
    return rescale
      ? { status: this.current, rescale: { from: currentReplicas, to: desired.replicas, reason: desired.reason } }
      : { status: this.current };
  }

  /** The count to set: min/max first, then the metric; undefined when the metric cannot be computed. */
  private desiredReplicas(
    input: SyncInput,
    conditions: Conditions,
  ): { replicas: number; reason: string; utilization?: number } | undefined {
    const { currentReplicas } = input;
    const { minReplicas, maxReplicas } = this.spec;
    if (currentReplicas === 0 && minReplicas !== 0) {
      conditions.ScalingActive = condition(false, 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
      return { replicas: 0, reason: '' };
    }
    if (currentReplicas > maxReplicas) return { replicas: maxReplicas, reason: 'Current number of replicas above Spec.MaxReplicas' };
    if (currentReplicas < minReplicas) return { replicas: minReplicas, reason: 'Current number of replicas below Spec.MinReplicas' };
    return this.fromMetrics(input, conditions);
  }

  /** The metric's proposal, normalized; undefined (with ScalingActive False) when it cannot be computed. */
  private fromMetrics(input: SyncInput, conditions: Conditions): { replicas: number; reason: string; utilization: number } | undefined {
    let proposal: ReturnType<typeof resourceReplicas>;
    try {
      proposal = resourceReplicas({
        currentReplicas: input.currentReplicas,
        targetUtilization: this.spec.targetCPUUtilization,
        pods: input.pods,
        metrics: input.metrics,
        tolerances: this.spec.tolerances,
        cpuInitializationPeriodMs: this.settings.cpuInitializationPeriodMs,
        delayOfInitialReadinessStatusMs: this.settings.delayOfInitialReadinessStatusMs,
        now: input.now,
      });
    } catch (error) {
      const message = `the HPA was unable to compute the replica count: failed to get cpu utilization: ${(error as Error).message}`;
      conditions.ScalingActive = condition(false, 'FailedGetResourceMetric', message);
      return undefined;
    }
    conditions.ScalingActive = condition(
      true,
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${METRIC_NAME}`,
    );
    const { normalized, limitedFlag } = this.normalize(input, proposal.replicas);
    conditions.AbleToScale = condition(true, normalized.stabilized.reason, normalized.stabilized.message);
    conditions.ScalingLimited = condition(limitedFlag, normalized.limited.reason, normalized.limited.message);
    const replicas = normalized.limited.replicas;
    const reason =
      proposal.replicas > input.currentReplicas
        ? `${METRIC_NAME} above target`
        : proposal.replicas < input.currentReplicas
          ? 'All metrics below target'
          : '';
    return { replicas, reason, utilization: proposal.utilization };
  }

  private normalize(
    input: SyncInput,
    proposed: number,
  ): { normalized: { stabilized: Normalized; limited: Normalized }; limitedFlag: boolean } {
    const current = {
      currentReplicas: input.currentReplicas,
      desiredReplicas: proposed,
      minReplicas: this.spec.minReplicas,
      maxReplicas: this.spec.maxReplicas,
    };
    const normalized = this.spec.behavior
      ? normalizeDesiredReplicasWithBehaviors(this.history, this.spec.behavior, current, input.now)
      : normalizeDesiredReplicas(this.history, current, this.settings.downscaleStabilisationWindowMs, input.now);
    return { normalized, limitedFlag: normalized.limited.replicas !== normalized.stabilized.replicas };
  }

  /** setCurrentReplicasAndMetricsInStatus: the last desired count stays, the metric is unknown. */
  private keepScale(currentReplicas: number, conditions: Conditions): SyncResult {
    const desiredReplicas = this.current?.desiredReplicas ?? currentReplicas;
    this.current = {
      currentReplicas,
      desiredReplicas,
      currentCPUUtilization: undefined,
      lastScaleTime: this.current?.lastScaleTime,
      conditions,
    };
    return { status: this.current };
  }
}

function condition(status: boolean, reason: string, message: string): HpaCondition {
  return { status, reason, message };
}
