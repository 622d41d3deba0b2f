/**
 * The shape of one environment: plain, typed data that code review reads.
 * Every number a reviewer may want to change lives in an environment file, never in a construct.
 * The names these fields take (sections, controllers, algorithms) come from ./vocabulary.ts.
 */
import type { HpaBehavior } from './hpa-behavior.ts';
import type { ControllerFor, LoadBalancingAlgorithm, ResizeRestartPolicy, SectionName, TrafficDistribution } from './vocabulary.ts';

export const IMAGE_PULL_POLICIES = ['IfNotPresent', 'Always', 'Never'] as const;
export type ImagePullPolicy = (typeof IMAGE_PULL_POLICIES)[number];

/** pino levels a replica may log at (LOG_LEVEL). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What `maxRequestBodyBytes` may be; the service's MAX_BODY_BYTES accepts the same (service/src/config.ts). */
export const MAX_REQUEST_BODY_BYTES_RANGE = { min: 1024, max: 1024 * 1024 } as const;

/** What `v8SemiSpaceMiB` may be: V8 takes whole MiB, and sizes its semi-spaces up to 64 MiB by itself. */
export const V8_SEMI_SPACE_MIB_RANGE = { min: 1, max: 64 } as const;

/** What `mallocArenaMax` may be: glibc's MALLOC_ARENA_MAX, at least one arena; its default is 8 per core. */
export const MALLOC_ARENA_MAX_RANGE = { min: 1, max: 64 } as const;

/** Kubernetes quantities, written exactly as they will appear in the manifest (e.g. `100m`, `128Mi`). */
export interface ResourceQuantities {
  readonly cpu: string;
  readonly memory: string;
  readonly ephemeralStorage: string;
}

export interface SectionConfig {
  /** Container image; the tag must be pinned (never `latest`). */
  readonly image: { readonly repository: string; readonly tag: string };
  /**
   * HPA floor: the HPA keeps at least this many (the Deployment sets no replicas). At least the
   * environment's `availability.minReplicasFloor`, and at most maxReplicas (validated).
   */
  readonly minReplicas: number;
  /** HPA ceiling. */
  readonly maxReplicas: number;
  /** Average CPU utilisation (percent of the cpu request, 1..100) the HPA aims for. */
  readonly cpuTargetPercent: number;
  /** What the scheduler reserves; the HPA measures utilisation against `requests.cpu`. */
  readonly requests: ResourceQuantities;
  /** Hard caps; each must be >= the matching request. */
  readonly limits: ResourceQuantities;
  /**
   * Ingress path prefix routed to this section. Must be `/<section>`: the Ingress forwards paths unchanged
   * and the service answers only under `/<section>` (validated).
   */
  readonly path: string;
}

export interface IngressConfig {
  /** Which controller implementation serves the Ingress (decides the annotation dialect). */
  readonly controller: ControllerFor<'Ingress'>;
  /** `spec.ingressClassName` of the Ingress. */
  readonly className: string;
  /**
   * Namespace the controller's pods run in: the only namespace the NetworkPolicy lets in. The controller
   * must use pod networking: with `hostNetwork: true` its requests come from node IPs, which no
   * namespaceSelector matches, so the policy would drop every request.
   */
  readonly controllerNamespace: string;
  /** Virtual host to match; omitted means every host. */
  readonly host?: string;
  /** How the controller spreads requests over a section's ready pods. */
  readonly loadBalancing: LoadBalancingAlgorithm;
}

/** A Gateway someone else runs (a platform team's shared one): the HTTPRoute attaches to one of its listeners. */
export interface ExistingGateway {
  readonly namespace: string;
  readonly name: string;
  /**
   * The listener to attach to (`parentRefs[].sectionName`), e.g. the HTTPS one. Required: without it the
   * route attaches to every listener that admits it, plain HTTP included, and the shop's more specific
   * host and paths then win over a platform-wide HTTP-to-HTTPS redirect.
   */
  readonly sectionName: string;
}

/**
 * Gateway API routing: one HTTPRoute (a PathPrefix rule per section) and a policy for the algorithm,
 * attached either to a Gateway the chart renders with `className`, or to an `existingGateway`.
 */
export type GatewayConfig = {
  /** Which Gateway API implementation serves the HTTPRoute (decides the policy that carries the algorithm). */
  readonly controller: ControllerFor<'HTTPRoute'>;
  /**
   * Namespace the controller's proxies run in (Envoy Gateway: `envoy-gateway-system`): the only namespace
   * the NetworkPolicy lets in. The proxies send from their pod IPs, never from the Gateway's namespace.
   */
  readonly controllerNamespace: string;
  /** Hostname the HTTPRoute (and a rendered Gateway's listener) matches; omitted means every host. */
  readonly host?: string;
  /** How the proxies spread requests over a section's ready pods. */
  readonly loadBalancing: LoadBalancingAlgorithm;
} & (
  | {
      /** GatewayClass of the Gateway the chart renders (`sweetshop`, one HTTP listener on port 80). */
      readonly className: string;
      readonly existingGateway?: never;
    }
  | {
      /** Attach to this Gateway instead of rendering one; it must admit routes from this namespace. */
      readonly existingGateway: ExistingGateway;
      readonly className?: never;
    }
);

/**
 * What the environment promises during voluntary disruptions (node drains, cluster upgrades). Each
 * section's PodDisruptionBudget lets one ready pod be evicted at a time, so a section whose HPA floor
 * is N keeps N - 1 replicas serving while a drain evicts one.
 */
export interface AvailabilityConfig {
  /**
   * The lowest `minReplicas` any section may have. 2 keeps a replica serving through a drain; 1 accepts
   * a moment with none (a one-node laptop cluster). Validation enforces it on every section.
   */
  readonly minReplicasFloor: number;
  /**
   * How strictly a section's replicas spread over nodes. `required`: evenly (no node holds 2 more than
   * another) over at least `minReplicasFloor` nodes, so one node failure cannot take a section down; with
   * fewer nodes the scheduler runs one replica per node and leaves the rest Pending. `preferred`: spread
   * when possible, schedule anyway (a one-node laptop cluster needs this).
   */
  readonly spreadAcrossNodes: NodeSpread;
}

export const NODE_SPREADS = ['required', 'preferred'] as const;
export type NodeSpread = (typeof NODE_SPREADS)[number];

/**
 * Scraping by a prometheus-operator Prometheus (kube-prometheus-stack) and the Grafana dashboard. Off
 * renders none of it, so the manifests apply to a cluster without the prometheus-operator CRDs.
 */
export type MonitoringConfig = { readonly enabled: false } | PrometheusMonitoring;

export interface PrometheusMonitoring {
  readonly enabled: true;
  /** Namespace the Prometheus pods run in: the only namespace the sections' metrics policies let in, on the metrics port. */
  readonly namespace: string;
  /** How often Prometheus scrapes each replica's /metrics: a Prometheus duration such as `30s` (1s to 5m). */
  readonly scrapeInterval: string;
  /**
   * Labels on each PodMonitor so the Prometheus's `podMonitorSelector` picks it: kube-prometheus-stack
   * selects `release: <its Helm release name>` unless installed with podMonitorSelectorNilUsesHelmValues=false.
   */
  readonly podMonitorLabels: Readonly<Record<string, string>>;
  /**
   * Labels of the Prometheus pods in that namespace (prometheus-operator: `app.kubernetes.io/name:
   * prometheus`): only they may call the metrics port, not Grafana or Alertmanager beside them.
   */
  readonly prometheusPodLabels: Readonly<Record<string, string>>;
  /** Labels on the dashboard ConfigMap that Grafana's dashboard sidecar watches for (kube-prometheus-stack: `grafana_dashboard: "1"`). */
  readonly dashboardLabels: Readonly<Record<string, string>>;
}

/** How outside traffic reaches the sections: exactly one of an Ingress or Gateway API (validated as well). */
export type RoutingConfig =
  | { readonly ingress: IngressConfig; readonly gateway?: never }
  | { readonly gateway: GatewayConfig; readonly ingress?: never };

export type EnvironmentConfig = EnvironmentSettings & RoutingConfig;

interface EnvironmentSettings {
  /** Environment name: `--env` / SWEETSHOP_ENV select it; the instance label is `sweetshop-<name>`. No rule depends on it. */
  readonly name: string;
  /** Namespace every object is created in. */
  readonly namespace: string;
  /** `IfNotPresent` for images loaded into kind/minikube; pinned tags make it safe everywhere. */
  readonly imagePullPolicy: ImagePullPolicy;
  /** pino log level passed to every replica as LOG_LEVEL. */
  readonly logLevel: LogLevel;
  /**
   * The largest request body, in bytes, that every hop accepts: the edge refuses a larger one itself (the
   * Ingress controller's annotation, or Envoy Gateway's BackendTrafficPolicy `requestBuffer.limit`), and so
   * do local mode's nginx and each replica (MAX_BODY_BYTES). One number, so no hop forwards what the next
   * refuses: a replica that refuses a body a proxy is still writing looks like a failed replica to the proxy.
   * 1 KiB to 1 MiB (MAX_REQUEST_BODY_BYTES_RANGE): a replica holds a whole body in memory.
   */
  readonly maxRequestBodyBytes: number;
  /**
   * V8's young generation per replica (`--max-semi-space-size`, MiB per semi-space), where short-lived
   * request objects live and most of a replica's RSS growth under load comes from. Smaller: less memory,
   * more frequent scavenges. 1..64 (V8_SEMI_SPACE_MIB_RANGE).
   */
  readonly v8SemiSpaceMiB: number;
  /**
   * glibc's malloc arenas per replica (MALLOC_ARENA_MAX): each thread that mallocs may get an arena of its own,
   * up to 8 per core, and each keeps freed memory resident. Fewer: less RSS, more lock contention between the
   * threads (V8's heap does not use malloc, so little). 1..64 (MALLOC_ARENA_MAX_RANGE).
   */
  readonly mallocArenaMax: number;
  readonly availability: AvailabilityConfig;
  /** How fast every section's HPA scales up and down (`spec.behavior`); see ./hpa-behavior.ts. */
  readonly hpaBehavior: HpaBehavior;
  /** Which endpoints each section's Service prefers (`trafficDistribution`); omitted: all alike (one zone, one node). */
  readonly trafficDistribution?: TrafficDistribution;
  /**
   * What an in-place resize of a replica's cpu or memory does (the container's `resizePolicy`): apply the
   * new value to the running container, or restart it to take effect.
   */
  readonly inPlaceResize: { readonly cpu: ResizeRestartPolicy; readonly memory: ResizeRestartPolicy };
  readonly monitoring: MonitoringConfig;
  readonly sections: Readonly<Record<SectionName, SectionConfig>>;
}
