/**
 * What `--autoscale` needs from a section's HorizontalPodAutoscaler and Deployment, read the way the API
 * server would store them: autoscaling/v2 defaults applied (minReplicas 1, a cpu 80% metric, the default
 * behaviour rules for a direction left out), then checked. Every problem is reported at once, naming the
 * object and the field. Pure: reads parsed YAML only.
 */
import { type HpaBehavior, hpaBehaviorProblems, type ScalingRules } from '../../../config/hpa-behavior.ts';
import { parseQuantity } from '../../../config/quantity.ts';
import { MAX_LOCAL_REPLICAS } from '../manifests/replica-counts.ts';
import type { DeploymentSpec } from '../manifests/types.ts';
import { DEFAULT_TOLERANCES, type Tolerances } from './replica-calculator.ts';

/** One HPA, ready for the controller. */
export interface AutoscalerSpec {
  /** metadata.name of the HPA. */
  readonly name: string;
  /** The Deployment (section) it scales. */
  readonly target: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** averageUtilization of the cpu Resource metric, percent of the request. */
  readonly targetCPUUtilization: number;
  /** spec.behavior with defaults filled in; undefined when the HPA has none (the controller's legacy path). */
  readonly behavior: HpaBehavior | undefined;
  readonly tolerances: Tolerances;
  /** The workload container's cpu request (else its limit, as the API server defaults it), in millicores. */
  readonly cpuRequestMilli: number;
}

// pkg/apis/autoscaling/v2/defaults.go; the scale-down window's default is the controller's
// --horizontal-pod-autoscaler-downscale-stabilization (5 min), applied by maybeInitScaleDownStabilizationWindow.
export const DEFAULT_SCALE_UP_RULES: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN_RULES: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};
// pkg/apis/autoscaling: DefaultCPUUtilization, the metric an HPA without metrics gets.
const DEFAULT_CPU_UTILIZATION = 80;

type Json = Readonly<Record<string, unknown>>;

/** The section's HPA as the controller would run it; undefined without an HPA. Throws listing every problem. */
export function readAutoscalerSpec(deployment: DeploymentSpec): AutoscalerSpec | undefined {
  const { hpa, deploymentSource, containerResources } = deployment.autoscaling;
  if (!hpa) return undefined;
  const problems: string[] = [];
  const at = `${hpa.source}: spec`;
  const minReplicas = (hpa.spec.minReplicas as number | undefined) ?? 1; // checked by readShopManifests
  const maxReplicas = readMaxReplicas(hpa.spec.maxReplicas, minReplicas, `${at}.maxReplicas`, problems);
  const targetCPUUtilization = readCpuTarget(hpa.spec.metrics, `${at}.metrics`, problems);
  const behavior = readBehavior(hpa.spec.behavior, `${at}.behavior`, problems);
  const tolerances = readTolerances(hpa.spec.behavior, `${at}.behavior`, problems);
  const cpuRequestMilli = readCpuRequest(containerResources, deploymentSource, problems);
  if (problems.length > 0) throw new Error(`--autoscale cannot run the HPA of ${deployment.name}:\n  ${problems.join('\n  ')}`);
  return {
    name: hpa.name,
    target: deployment.name,
    minReplicas,
    maxReplicas: maxReplicas!,
    targetCPUUtilization: targetCPUUtilization!,
    behavior,
    tolerances,
    cpuRequestMilli: cpuRequestMilli!,
  };
}

function readMaxReplicas(value: unknown, minReplicas: number, at: string, problems: string[]): number | undefined {
  if (!Number.isInteger(value) || (value as number) < minReplicas) {
    problems.push(`${at}: ${JSON.stringify(value) ?? '(missing)'} must be a whole number >= minReplicas (${minReplicas})`);
    return undefined;
  }
  if ((value as number) > MAX_LOCAL_REPLICAS) {
    problems.push(`${at}: ${value} is above the local cap of ${MAX_LOCAL_REPLICAS} processes per section`);
    return undefined;
  }
  return value as number;
}

/** Exactly one metric: Resource cpu with a Utilization target (what metrics-server serves; nothing else is emulated). */
function readCpuTarget(metrics: unknown, at: string, problems: string[]): number | undefined {
  if (metrics === undefined || (Array.isArray(metrics) && metrics.length === 0)) return DEFAULT_CPU_UTILIZATION;
  const metric = Array.isArray(metrics) && metrics.length === 1 && isObject(metrics[0]) ? metrics[0] : undefined;
  const resource = metric?.type === 'Resource' && isObject(metric.resource) ? metric.resource : undefined;
  const target = resource?.name === 'cpu' && isObject(resource.target) ? resource.target : undefined;
  if (target?.type !== 'Utilization') {
    problems.push(
      `${at}: ${JSON.stringify(metrics)}: local mode emulates one metric only, type Resource, name cpu, target type Utilization`,
    );
    return undefined;
  }
  const utilization = target.averageUtilization;
  if (!Number.isInteger(utilization) || (utilization as number) < 1) {
    problems.push(`${at}[0].resource.target.averageUtilization: ${JSON.stringify(utilization)} must be a whole number >= 1 (percent)`);
    return undefined;
  }
  return utilization as number;
}

/** SetDefaults_HorizontalPodAutoscalerBehavior: a direction's missing fields take the default rules' values. */
function readBehavior(value: unknown, at: string, problems: string[]): HpaBehavior | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not a mapping`);
    return undefined;
  }
  const behavior = {
    scaleUp: withDefaults(value.scaleUp, DEFAULT_SCALE_UP_RULES),
    scaleDown: withDefaults(value.scaleDown, DEFAULT_SCALE_DOWN_RULES),
  };
  const found = hpaBehaviorProblems(at, behavior);
  problems.push(...found);
  return found.length === 0 ? behavior : undefined;
}

function withDefaults(rules: unknown, defaults: ScalingRules): ScalingRules {
  const given = isObject(rules) ? rules : {};
  return {
    stabilizationWindowSeconds: (given.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds) as number,
    selectPolicy: (given.selectPolicy ?? defaults.selectPolicy) as ScalingRules['selectPolicy'],
    policies: (given.policies ?? defaults.policies) as ScalingRules['policies'],
  };
}

/** behavior.scaleUp/scaleDown.tolerance (HPAConfigurableTolerance, Kubernetes 1.33+): else the controller's 10%. */
function readTolerances(behavior: unknown, at: string, problems: string[]): Tolerances {
  const read = (direction: 'scaleUp' | 'scaleDown'): number => {
    const rules = isObject(behavior) && isObject(behavior[direction]) ? behavior[direction] : {};
    if (rules.tolerance === undefined) return DEFAULT_TOLERANCES[direction];
    const tolerance = typeof rules.tolerance === 'number' ? rules.tolerance : parseQuantity(String(rules.tolerance));
    if (tolerance === undefined)
      problems.push(`${at}.${direction}.tolerance: ${JSON.stringify(rules.tolerance)} is not a quantity, e.g. '0.05'`);
    return tolerance ?? DEFAULT_TOLERANCES[direction];
  };
  return { scaleUp: read('scaleUp'), scaleDown: read('scaleDown') };
}

function readCpuRequest(resources: unknown, deploymentSource: string, problems: string[]): number | undefined {
  const at = `${deploymentSource}: container service resources`;
  const requests = isObject(resources) && isObject(resources.requests) ? resources.requests : {};
  const limits = isObject(resources) && isObject(resources.limits) ? resources.limits : {};
  const quantity = requests.cpu ?? limits.cpu;
  if (quantity === undefined) {
    problems.push(`${at}: no requests.cpu: a cpu Utilization target is a percent of the request (FailedGetResourceMetric on a cluster)`);
    return undefined;
  }
  const cores = parseQuantity(String(quantity));
  if (cores === undefined || cores <= 0) {
    problems.push(`${at}: cpu ${JSON.stringify(quantity)} is not a cpu quantity > 0, e.g. 50m`);
    return undefined;
  }
  return Math.ceil(cores * 1000); // Quantity.MilliValue() rounds up
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
