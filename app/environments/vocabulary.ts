/**
 * The sweet shop's shared vocabulary: the facts that validation (app/environments/validate.ts), the
 * chart (charts/) and local mode (tools/local/) all read. It imports nothing, so every layer may depend
 * on it and it depends on none (cdk8s-plus's `k8s` module plays this role for Kubernetes itself).
 *
 * Adding a controller is a data change: one entry in INGRESS_CONTROLLERS. Adding a portable algorithm
 * is one name in LOAD_BALANCING_ALGORITHMS; the type checker then lists every controller (and local
 * mode) that must say how it runs it, or why it cannot.
 */

/** The three sections of the sweet shop; each runs as its own Deployment named after it. */
export const SECTION_NAMES = ['chocolates', 'candies', 'cakes'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** Portable load-balancing intent, as an environment states it; each controller spells it its own way. */
export const LOAD_BALANCING_ALGORITHMS = ['round-robin', 'least-connections', 'ewma'] as const;
export type LoadBalancingAlgorithm = (typeof LOAD_BALANCING_ALGORITHMS)[number];

/** How one controller runs one algorithm: the value it reads, or why it has none and what to pick instead. */
export type AlgorithmSupport = { readonly value: string } | { readonly unsupported: string; readonly instead: string };

/**
 * Where the chart writes a controller's algorithm. Today every controller reads an Ingress annotation;
 * a Gateway API controller (envoy-gateway: a BackendTrafficPolicy's `spec.loadBalancer.type`) adds a
 * variant here, and readers that only understand annotations (local mode) skip it by `kind`.
 */
export interface IngressAnnotationSetting {
  readonly kind: 'ingress-annotation';
  /** Annotation key on the Ingress (docs/contracts.md: local mode reads it from dist/). */
  readonly key: string;
}
export type BalancingSetting = IngressAnnotationSetting;

/** What the chart, validation and local mode need to know about one ingress controller. */
export interface ControllerSupport {
  /** Where the algorithm is written. */
  readonly balancing: BalancingSetting;
  /** Every portable algorithm, in the controller's own spelling or with the reason it has none. */
  readonly algorithms: Readonly<Record<LoadBalancingAlgorithm, AlgorithmSupport>>;
}

/** The controllers the chart can configure, by the name an environment's `ingress.controller` uses. */
export const INGRESS_CONTROLLERS = {
  'ingress-nginx': {
    balancing: { kind: 'ingress-annotation', key: 'nginx.ingress.kubernetes.io/load-balance' },
    algorithms: {
      'round-robin': { value: 'round_robin' },
      'least-connections': {
        unsupported: 'its Lua balancer dropped least_conn in 2019',
        instead: "choose 'ewma' (latency-aware) or 'round-robin', or switch ingress.controller to 'haproxy-ingress' for least-connections",
      },
      ewma: { value: 'ewma' },
    },
  },
  'haproxy-ingress': {
    balancing: { kind: 'ingress-annotation', key: 'haproxy-ingress.github.io/balance-algorithm' },
    algorithms: {
      'round-robin': { value: 'roundrobin' },
      'least-connections': { value: 'leastconn' },
      ewma: {
        unsupported: 'HAProxy has no EWMA balancer',
        instead: "choose 'least-connections' (closest to ewma) or 'round-robin', or switch ingress.controller to 'ingress-nginx' for ewma",
      },
    },
  },
} as const satisfies Readonly<Record<string, ControllerSupport>>;
export type IngressController = keyof typeof INGRESS_CONTROLLERS;
export const INGRESS_CONTROLLER_NAMES = Object.keys(INGRESS_CONTROLLERS) as readonly IngressController[];

/** True when `name` is a controller of INGRESS_CONTROLLERS (own keys only: not `toString`). */
export function isIngressController(name: string): name is IngressController {
  return Object.hasOwn(INGRESS_CONTROLLERS, name);
}

/** True when `name` is one of LOAD_BALANCING_ALGORITHMS. */
export function isLoadBalancingAlgorithm(name: string): name is LoadBalancingAlgorithm {
  return (LOAD_BALANCING_ALGORITHMS as readonly string[]).includes(name);
}

/** The algorithms `controller` can run with the value it reads for each, in LOAD_BALANCING_ALGORITHMS order. */
export function supportedAlgorithms(controller: IngressController): { algorithm: LoadBalancingAlgorithm; value: string }[] {
  const support: ControllerSupport = INGRESS_CONTROLLERS[controller];
  return LOAD_BALANCING_ALGORITHMS.flatMap((algorithm) => {
    const entry = support.algorithms[algorithm];
    return 'value' in entry ? [{ algorithm, value: entry.value }] : [];
  });
}

/** Why `controller` cannot run `algorithm` and what to pick instead, or undefined when it can. */
export function unsupportedLoadBalancing(controller: IngressController, algorithm: LoadBalancingAlgorithm): string | undefined {
  const entry: AlgorithmSupport = INGRESS_CONTROLLERS[controller].algorithms[algorithm];
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
