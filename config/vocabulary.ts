/**
 * The sweet shop's shared vocabulary: the facts that validation (config/validate.ts), the
 * chart (charts/) and local mode (tools/local/) all read. It imports nothing, so every layer may depend
 * on it and it depends on none (cdk8s-plus's `k8s` module plays this role for Kubernetes itself).
 *
 * Adding a controller is a data change: one entry in ROUTING_CONTROLLERS, whichever API it reads (an
 * Ingress, or Gateway API's HTTPRoute). Adding a portable algorithm is one name in
 * LOAD_BALANCING_ALGORITHMS; the type checker then lists every controller (and local mode) that must say
 * how it runs it, or why it cannot.
 */

/**
 * Service `trafficDistribution` (GA in Kubernetes 1.35): which ready endpoints a client's proxy prefers.
 * PreferSameZone keeps a request in the caller's zone while that zone has a ready endpoint (no cross-zone
 * traffic cost or latency); PreferSameNode on the caller's node. Omitted: every ready endpoint alike.
 */
export const TRAFFIC_DISTRIBUTIONS = ['PreferSameZone', 'PreferSameNode'] as const;
export type TrafficDistribution = (typeof TRAFFIC_DISTRIBUTIONS)[number];

/** A container's `resizePolicy` per resource (in-place resize, GA in 1.35): apply a new value live, or restart. */
export const RESIZE_RESTART_POLICIES = ['NotRequired', 'RestartContainer'] as const;
export type ResizeRestartPolicy = (typeof RESIZE_RESTART_POLICIES)[number];

/** The three sections of the sweet shop; each runs as its own Deployment named after it. */
export const SECTION_NAMES = ['chocolates', 'candies', 'cakes'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/**
 * Portable load-balancing intent, as an environment states it; each controller spells it its own way.
 * least-connections counts a replica's open connections (HAProxy's leastconn), least-request its requests
 * in flight (Envoy's LeastRequest): different numbers once connections are kept alive and reused.
 */
export const LOAD_BALANCING_ALGORITHMS = ['round-robin', 'least-connections', 'least-request', 'ewma'] as const;
export type LoadBalancingAlgorithm = (typeof LOAD_BALANCING_ALGORITHMS)[number];

/** How one controller runs one algorithm: the value it reads, or why it has none and what to pick instead. */
export type AlgorithmSupport = { readonly value: string } | { readonly unsupported: string; readonly instead: string };

/**
 * Where the chart writes a controller's algorithm: an annotation on the Ingress, or a field of a policy
 * object attached to the HTTPRoute (Gateway API has no algorithm of its own). Readers dispatch on `kind`.
 */
export interface IngressAnnotationSetting {
  readonly kind: 'ingress-annotation';
  /** Annotation key on the Ingress (docs/contracts.md: local mode reads it from dist/). */
  readonly key: string;
}
export interface RoutePolicySetting {
  readonly kind: 'route-policy';
  /** The policy object that targets the HTTPRoute (`spec.targetRefs`); local mode finds it by both. */
  readonly apiVersion: string;
  readonly policyKind: string;
  /** Dotted path of the field that holds the algorithm's value. */
  readonly field: string;
}
export type BalancingSetting = IngressAnnotationSetting | RoutePolicySetting;

/** The Kubernetes API whose objects carry a controller's routes. */
export const ROUTE_APIS = ['Ingress', 'HTTPRoute'] as const;
export type RouteApi = (typeof ROUTE_APIS)[number];

/** What the chart, validation and local mode need to know about one ingress controller. */
export interface ControllerSupport {
  /** The object the routes are written in: an environment's `ingress` renders an Ingress, its `gateway` an HTTPRoute. */
  readonly routes: RouteApi;
  /** Where the algorithm is written. */
  readonly balancing: BalancingSetting;
  /** Where the request body limit (`maxRequestBodyBytes`, in bytes) is written; the controller answers 413 above it. */
  readonly bodyLimit: BalancingSetting;
  /**
   * Annotations that stop the controller taking a replica out on its own after failed requests (nginx's
   * max_fails, 1 by default: one refused request, e.g. a 413 that closes before the body is read, ejects a
   * healthy replica for 10 s). Kubernetes' readiness already removes replicas that are not serving. Absent:
   * the controller has no passive ejection by default (ingress-nginx's Lua balancer, HAProxy Ingress,
   * Envoy Gateway without a BackendTrafficPolicy healthCheck.passive).
   */
  readonly noPassiveEjection?: Readonly<Record<string, string>>;
  /** Every portable algorithm, in the controller's own spelling or with the reason it has none. */
  readonly algorithms: Readonly<Record<LoadBalancingAlgorithm, AlgorithmSupport>>;
  /** Label keys the controller puts on a Gateway's proxy pods, when it runs several Gateways' proxies in its namespace. */
  readonly proxyPodLabels?: { readonly gatewayName: string; readonly gatewayNamespace: string };
  /** Set when the project is retired upstream: still renderable, but synth and plan warn with what to choose instead. */
  readonly retired?: { readonly since: string; readonly instead: string };
}

/**
 * Every controller the chart can configure to bring outside traffic to the sections, by the name an
 * environment's `ingress.controller` or `gateway.controller` uses (`routes` says which of the two).
 */
export const ROUTING_CONTROLLERS = {
  // F5's NGINX Ingress Controller (nginx/kubernetes-ingress), the default of `local`. Its annotation
  // parser (internal/configs/parsing_helpers.go, ParseLBMethod) reads round_robin as nginx's default
  // method and accepts least_conn and `random two least_conn`; without the annotation it runs its own
  // default, `random two least_conn`, so the chart always writes it.
  'f5-nginx-ingress': {
    routes: 'Ingress',
    balancing: { kind: 'ingress-annotation', key: 'nginx.org/lb-method' },
    // nginx's client_max_body_size for the Ingress's locations; a plain number is bytes.
    bodyLimit: { kind: 'ingress-annotation', key: 'nginx.org/client-max-body-size' },
    // Its upstreams use nginx's defaults (max_fails 1, fail_timeout 10s) unless annotated.
    noPassiveEjection: { 'nginx.org/max-fails': '0' },
    algorithms: {
      'round-robin': { value: 'round_robin' },
      'least-connections': { value: 'least_conn' },
      // nginx counts a peer's connections while a request uses them (an idle keep-alive one is not
      // counted), so two random peers compared on that are Envoy's LeastRequest (choice count 2).
      'least-request': { value: 'random two least_conn' },
      ewma: {
        unsupported: 'NGINX (OSS) has no EWMA balancer; the latency-aware least_time is NGINX Plus only',
        instead: "choose 'least-request' (it also steers away from a slow replica) or 'least-connections'",
      },
    },
  },
  'ingress-nginx': {
    routes: 'Ingress',
    retired: {
      since: 'March 2026',
      instead:
        "choose ingress.controller 'f5-nginx-ingress' (IngressClass nginx, annotation nginx.org/lb-method) or a gateway with controller 'envoy-gateway'",
    },
    balancing: { kind: 'ingress-annotation', key: 'nginx.ingress.kubernetes.io/load-balance' },
    // Its client_max_body_size per location; a plain number is bytes.
    bodyLimit: { kind: 'ingress-annotation', key: 'nginx.ingress.kubernetes.io/proxy-body-size' },
    algorithms: {
      'round-robin': { value: 'round_robin' },
      'least-connections': {
        unsupported: 'its Lua balancer dropped least_conn in 2019',
        instead:
          "choose 'ewma' (latency-aware) or 'round-robin', or switch ingress.controller to 'f5-nginx-ingress' or 'haproxy-ingress' for least-connections",
      },
      'least-request': {
        unsupported: 'its balancers are round_robin and ewma',
        instead: "choose 'ewma' (latency-aware), or switch ingress.controller to 'f5-nginx-ingress' for least-request",
      },
      ewma: { value: 'ewma' },
    },
  },
  'haproxy-ingress': {
    routes: 'Ingress',
    balancing: { kind: 'ingress-annotation', key: 'haproxy-ingress.github.io/balance-algorithm' },
    // Unlimited by default; a plain number is bytes.
    bodyLimit: { kind: 'ingress-annotation', key: 'haproxy-ingress.github.io/proxy-body-size' },
    algorithms: {
      'round-robin': { value: 'roundrobin' },
      'least-connections': { value: 'leastconn' },
      'least-request': {
        unsupported: 'HAProxy balances on connections (leastconn), not on requests in flight',
        instead: "choose 'least-connections', or route through Gateway API (`gateway` with controller 'envoy-gateway') for least-request",
      },
      ewma: {
        unsupported: 'HAProxy has no EWMA balancer',
        instead: "choose 'least-connections' (closest to ewma) or 'round-robin'",
      },
    },
  },
  'envoy-gateway': {
    routes: 'HTTPRoute',
    // Envoy Gateway labels each Gateway's proxy pods with the Gateway they serve (its
    // OwningGatewayNameLabel / OwningGatewayNamespaceLabel): the NetworkPolicy admits exactly those.
    proxyPodLabels: {
      gatewayName: 'gateway.envoyproxy.io/owning-gateway-name',
      gatewayNamespace: 'gateway.envoyproxy.io/owning-gateway-namespace',
    },
    balancing: {
      kind: 'route-policy',
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      policyKind: 'BackendTrafficPolicy',
      field: 'spec.loadBalancer.type',
    },
    // Envoy buffers the whole request and answers 413 above the limit (no limit by default: Envoy streams).
    bodyLimit: {
      kind: 'route-policy',
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      policyKind: 'BackendTrafficPolicy',
      field: 'spec.requestBuffer.limit',
    },
    algorithms: {
      'round-robin': { value: 'RoundRobin' },
      'least-connections': {
        unsupported: 'Envoy counts requests in flight, not connections',
        instead: "choose 'least-request' (LeastRequest), Envoy's closest algorithm",
      },
      'least-request': { value: 'LeastRequest' },
      ewma: {
        unsupported: 'Envoy has no EWMA balancer',
        instead: "choose 'least-request' (it also steers away from a slow replica) or 'round-robin'",
      },
    },
  },
} as const satisfies Readonly<Record<string, ControllerSupport>>;
export type RoutingController = keyof typeof ROUTING_CONTROLLERS;
export const ROUTING_CONTROLLER_NAMES = Object.keys(ROUTING_CONTROLLERS) as readonly RoutingController[];

/** The controllers whose routes are written in `api`'s objects, as a type. */
export type ControllerFor<Api extends RouteApi> = {
  [Name in RoutingController]: (typeof ROUTING_CONTROLLERS)[Name]['routes'] extends Api ? Name : never;
}[RoutingController];

/** The names of the controllers whose routes are written in `api`'s objects, in table order. */
export function controllersFor<Api extends RouteApi>(api: Api): ControllerFor<Api>[] {
  return ROUTING_CONTROLLER_NAMES.filter((name): name is ControllerFor<Api> => ROUTING_CONTROLLERS[name].routes === api);
}

/** True when `name` is a controller of ROUTING_CONTROLLERS (own keys only: not `toString`). */
export function isRoutingController(name: string): name is RoutingController {
  return Object.hasOwn(ROUTING_CONTROLLERS, name);
}

/** True when `name` is one of LOAD_BALANCING_ALGORITHMS. */
export function isLoadBalancingAlgorithm(name: string): name is LoadBalancingAlgorithm {
  return (LOAD_BALANCING_ALGORITHMS as readonly string[]).includes(name);
}

/**
 * One line for an environment whose routing names a retired controller (what it is and what to choose
 * instead), or undefined. synth and plan print it; validation still accepts the controller.
 */
export function retiredControllerWarning(at: string, controller: RoutingController): string | undefined {
  const support: ControllerSupport = ROUTING_CONTROLLERS[controller];
  if (support.retired === undefined) return undefined;
  return `warning: ${at}.controller '${controller}' is retired (no releases or security fixes since ${support.retired.since}): ${support.retired.instead}`;
}

/** The algorithms `controller` can run with the value it reads for each, in LOAD_BALANCING_ALGORITHMS order. */
export function supportedAlgorithms(controller: RoutingController): { algorithm: LoadBalancingAlgorithm; value: string }[] {
  const support: ControllerSupport = ROUTING_CONTROLLERS[controller];
  return LOAD_BALANCING_ALGORITHMS.flatMap((algorithm) => {
    const entry = support.algorithms[algorithm];
    return 'value' in entry ? [{ algorithm, value: entry.value }] : [];
  });
}

/** Why `controller` cannot run `algorithm` and what to pick instead, or undefined when it can. */
export function unsupportedLoadBalancing(controller: RoutingController, algorithm: LoadBalancingAlgorithm): string | undefined {
  const entry: AlgorithmSupport = ROUTING_CONTROLLERS[controller].algorithms[algorithm];
  if ('value' in entry) return undefined;
  const supported = supportedAlgorithms(controller)
    .map((each) => each.algorithm)
    .join(', ');
  return `${controller} cannot do '${algorithm}' (${entry.unsupported}; it supports ${supported}): ${entry.instead}`;
}

/**
 * Voluntary evictions each section's PodDisruptionBudget allows at a time (its `maxUnavailable`).
 * Validation counts on it: with an HPA floor of N, N - PDB_MAX_UNAVAILABLE replicas keep serving
 * while a node drain evicts; the chart writes it.
 */
export const PDB_MAX_UNAVAILABLE = 1;

/**
 * How long a replica keeps an idle keep-alive connection (service/src/http-server.ts; a test keeps the two
 * equal), and how long the load balancer in front keeps its idle upstream connections: shorter, so it never
 * sends a request on a connection the replica is closing (ingress-nginx#3099: sporadic 502/503s).
 * nginx's upstream keep-alive default is 60 s; Envoy Gateway's BackendTrafficPolicy sets it explicitly.
 */
export const SERVICE_KEEP_ALIVE_SECONDS = 65;
export const BALANCER_IDLE_TIMEOUT_SECONDS = 60;
