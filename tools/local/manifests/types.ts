// What local mode reads from the manifests: the shapes every room of tools/local passes around.
import type { JsonObject } from '../../lib/json-object.ts';
import type { BalanceChoice } from '../nginx/balance.ts';
import type { ProbeSpec } from '../supervisor/probes.ts';
import type { ContainerLimits } from '../supervisor/resource-limits.ts';

/** One environment variable of a replica: a literal value, or the pod's own name (fieldRef metadata.name). */
export type EnvVarSpec = { readonly name: string; readonly value: string } | { readonly name: string; readonly podName: true };

/** What local mode needs from one Deployment. */
export interface DeploymentSpec {
  /** Deployment name, which is also the section name in contracts.md (e.g. `chocolates`). */
  readonly name: string;
  /** HPA minReplicas, else spec.replicas, else 1 (the Kubernetes default). */
  readonly replicas: number;
  /** The container's env, in manifest order. */
  readonly env: readonly EnvVarSpec[];
  /** Labels of the pod template, which Services select on. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** What `--autoscale` reads (hpa/autoscaler-spec.ts), as written: unread, and so never an error, without it. */
  readonly autoscaling: AutoscalingSource;
  /** The service container's probes, run on every replica once it is in nginx; absent: always ready / alive. */
  readonly readinessProbe?: ProbeSpec;
  readonly livenessProbe?: ProbeSpec;
  /** spec.template.spec.terminationGracePeriodSeconds (Kubernetes' default 30): how long a liveness kill waits after SIGTERM. */
  readonly terminationGracePeriodSeconds: number;
  /** The service container's resources.limits: each replica runs inside them (resource-limits.ts). */
  readonly limits: ContainerLimits;
}

/** The HPA targeting a Deployment (if any) and the Deployment's workload container resources. */
export interface AutoscalingSource {
  readonly hpa?: { readonly name: string; readonly source: string; readonly spec: Readonly<Record<string, unknown>> };
  readonly deploymentSource: string;
  readonly containerResources: unknown;
}

/** One Ingress path (or HTTPRoute match), routed to the Service it names. */
export interface RouteSpec {
  readonly path: string;
  readonly pathType: 'Prefix' | 'Exact';
  readonly service: string;
  /** Where it is declared, for messages: `file (Ingress name): rules[0].http.paths[1]`. */
  readonly source: string;
}

/** One Service and the Deployment whose pods it selects. */
export interface ServiceSpec {
  readonly name: string;
  readonly deployment: string;
}

export interface ShopManifests {
  readonly deployments: readonly DeploymentSpec[];
  readonly services: readonly ServiceSpec[];
  readonly routes: readonly RouteSpec[];
  /** Balancing asked for by the Ingress annotations; undefined when none is set. */
  readonly balance: BalanceChoice | undefined;
}

/** One object of a manifest file, as read-manifests.ts passes it on. */
export interface ManifestObject {
  readonly kind: string;
  readonly name: string;
  /** `file (Kind name)`, for messages. */
  readonly source: string;
  /** `file document 3`: tells apart two objects of one kind and name. */
  readonly document: string;
  readonly body: JsonObject;
}
