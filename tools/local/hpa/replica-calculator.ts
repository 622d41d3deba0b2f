/**
 * The HPA's replica count for a CPU Utilization target: a port of kubernetes
 * pkg/controller/podautoscaler/replica_calculator.go (GetResourceReplicas, groupPods) and
 * metrics/utilization.go (GetResourceUtilizationRatio), for the one metric the sweet shop's HPAs use.
 * Pure: pods, metrics and `now` come in, no clock or I/O is read. Times are milliseconds on one clock.
 */

/** A pod as the HPA controller sees it in the pod lister. */
export interface PodState {
  readonly name: string;
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** metadata.deletionTimestamp is set: the pod is terminating. */
  readonly deleting?: boolean;
  /** The Ready condition; undefined when the pod has none yet. */
  readonly ready?: { readonly status: boolean; readonly lastTransitionTime: number };
  /** status.startTime; undefined before the kubelet has started the pod. */
  readonly startTime?: number;
  /** The pod's CPU request in millicores; undefined when a container has none. */
  readonly cpuRequestMilli?: number;
}

/** One pod's CPU usage as metrics-server reports it: the average over `windowMs`, ending at `timestamp`. */
export interface PodMetric {
  readonly valueMilli: number;
  readonly timestamp: number;
  readonly windowMs: number;
}

/** How far the usage ratio may be from 1.0 before the HPA acts (controller flag, default 0.1 each way). */
export interface Tolerances {
  readonly scaleDown: number;
  readonly scaleUp: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { scaleDown: 0.1, scaleUp: 0.1 };

export interface ResourceReplicasInput {
  /** scale.spec.replicas of the target. */
  readonly currentReplicas: number;
  /** The metric's averageUtilization, percent of the request. */
  readonly targetUtilization: number;
  readonly pods: readonly PodState[];
  /** By pod name; pods without an entry are "missing". */
  readonly metrics: ReadonlyMap<string, PodMetric>;
  readonly tolerances: Tolerances;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  readonly cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  readonly delayOfInitialReadinessStatusMs: number;
  readonly now: number;
}

export interface ResourceReplicas {
  readonly replicas: number;
  /** Average utilization of the counted pods, percent of their requests (what `kubectl get hpa` shows). */
  readonly utilization: number;
  /** Average usage of the counted pods in millicores. */
  readonly rawUtilization: number;
}

/** GetResourceReplicas: throws with upstream's message when no count can be computed (the HPA then keeps its size). */
export function resourceReplicas(input: ResourceReplicasInput): ResourceReplicas {
  // metrics client: an empty list is an error before the pods are even listed.
  if (input.metrics.size === 0) throw new Error('unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  if (input.pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(input.metrics);
  const groups = groupPods(input.pods, metrics, input.cpuInitializationPeriodMs, input.delayOfInitialReadinessStatusMs, input.now);
  for (const name of [...groups.ignored, ...groups.unready]) metrics.delete(name);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(input.pods);
  const { usageRatio, utilization, rawUtilization } = resourceUtilizationRatio(metrics, requests, input.targetUtilization);
  const result = (replicas: number): ResourceReplicas => ({ replicas, utilization, rawUtilization });
  const { tolerances, currentReplicas } = input;

  const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (isWithin(tolerances, usageRatio)) return result(currentReplicas);
    return result(Math.ceil(usageRatio * groups.readyPodCount));
  }
  if (groups.missing.size > 0) {
    // On a scale-down a missing pod counts as using all of its request (or the target, above 100%);
    // on a scale-up as using nothing: either way the change gets smaller, never larger.
    const fallbackUtilization = Math.max(100, input.targetUtilization);
    for (const name of groups.missing) {
      if (usageRatio < 1.0)
        metrics.set(name, { ...ZERO_METRIC, valueMilli: Math.trunc((requests.get(name)! * fallbackUtilization) / 100) });
      else if (usageRatio > 1.0) metrics.set(name, ZERO_METRIC);
    }
  }
  // On a scale-up, unready pods count as using nothing: they will take load once ready.
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, ZERO_METRIC);

  const newUsageRatio = resourceUtilizationRatio(metrics, requests, input.targetUtilization).usageRatio;
  const flipped = (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0);
  if (isWithin(tolerances, newUsageRatio) || flipped) return result(currentReplicas);
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
    return result(currentReplicas);
  }
  return result(newReplicas);
}

const ZERO_METRIC: PodMetric = { valueMilli: 0, timestamp: 0, windowMs: 0 };

/** Tolerances.isWithin: inside [1 - scaleDown, 1 + scaleUp] nothing changes. */
export function isWithin(tolerances: Tolerances, usageRatio: number): boolean {
  return 1.0 - tolerances.scaleDown <= usageRatio && usageRatio <= 1.0 + tolerances.scaleUp;
}

export interface PodGroups {
  readonly readyPodCount: number;
  readonly unready: ReadonlySet<string>;
  readonly missing: ReadonlySet<string>;
  readonly ignored: ReadonlySet<string>;
}

/**
 * groupPods for the cpu resource: terminating and failed pods are ignored; pending ones are unready; a
 * pod with no metric is missing. While a pod is in its CPU initialization period its sample counts only
 * if it is ready and a whole metric window has passed since it became ready (start-up CPU is not load);
 * after that, only a pod that has never been ready (still unready within the initial readiness delay
 * of its start) is left out.
 */
export function groupPods(
  pods: readonly PodState[],
  metrics: ReadonlyMap<string, PodMetric>,
  cpuInitializationPeriodMs: number,
  delayOfInitialReadinessStatusMs: number,
  now: number,
): PodGroups {
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') ignored.add(pod.name);
    else if (pod.phase === 'Pending') unready.add(pod.name);
    else if (!metrics.has(pod.name)) missing.add(pod.name);
    else if (isUnreadyForCpu(pod, metrics.get(pod.name)!, cpuInitializationPeriodMs, delayOfInitialReadinessStatusMs, now)) {
      unready.add(pod.name);
    } else readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

function isUnreadyForCpu(pod: PodState, metric: PodMetric, initializationMs: number, readinessDelayMs: number, now: number): boolean {
  const { ready, startTime } = pod;
  if (ready === undefined || startTime === undefined) return true;
  if (startTime + initializationMs > now) return !ready.status || metric.timestamp < ready.lastTransitionTime + metric.windowMs;
  return !ready.status && startTime + readinessDelayMs > ready.lastTransitionTime;
}

/** calculateRequests: every pod's CPU request; a pod without one is an error, as upstream. */
function podRequests(pods: readonly PodState[]): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    if (pod.cpuRequestMilli === undefined) throw new Error(`missing request for cpu in container service of Pod ${pod.name}`);
    requests.set(pod.name, pod.cpuRequestMilli);
  }
  return requests;
}

/**
 * GetResourceUtilizationRatio: utilization is the sum of usage over the sum of requests, as a whole
 * percent (Go's integer division), and the ratio compares that whole percent to the target.
 * Metrics of pods without a request (pods the lister does not know) are skipped.
 */
function resourceUtilizationRatio(
  metrics: ReadonlyMap<string, PodMetric>,
  requests: ReadonlyMap<string, number>,
  targetUtilization: number,
): { usageRatio: number; utilization: number; rawUtilization: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += metric.valueMilli;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { usageRatio: utilization / targetUtilization, utilization, rawUtilization: Math.trunc(metricsTotal / entries) };
}
