import type { IngressController, LoadBalancingAlgorithm } from '../app/environments/types.ts';

/**
 * Portable load-balancing intent -> the annotation each ingress controller reads.
 * The annotation keys are part of docs/contracts.md: local mode reads them from dist/.
 */
export const LOAD_BALANCE_ANNOTATION: Readonly<Record<IngressController, string>> = {
  'ingress-nginx': 'nginx.ingress.kubernetes.io/load-balance',
  'haproxy-ingress': 'haproxy-ingress.github.io/balance-algorithm',
};

const ANNOTATION_VALUES: Readonly<Record<IngressController, Partial<Record<LoadBalancingAlgorithm, string>>>> = {
  // ingress-nginx removed least_conn in 2019; its Lua balancer knows round_robin and ewma.
  'ingress-nginx': { 'round-robin': 'round_robin', ewma: 'ewma' },
  // HAProxy has no EWMA; leastconn is the closest latency-aware choice.
  'haproxy-ingress': { 'round-robin': 'roundrobin', 'least-connections': 'leastconn' },
};

const LIMITATIONS: Readonly<Record<IngressController, string>> = {
  'ingress-nginx': 'its Lua balancer dropped least_conn in 2019',
  'haproxy-ingress': 'HAProxy has no EWMA balancer',
};

const ALTERNATIVES: Readonly<Record<IngressController, string>> = {
  'ingress-nginx':
    "choose 'ewma' (latency-aware) or 'round-robin', or switch ingress.controller to 'haproxy-ingress' for least-connections",
  'haproxy-ingress':
    "choose 'least-connections' (closest to ewma) or 'round-robin', or switch ingress.controller to 'ingress-nginx' for ewma",
};

/** Why `controller` cannot do `algorithm` and what to pick instead, or undefined when it can. */
export function unsupportedLoadBalancing(controller: IngressController, algorithm: LoadBalancingAlgorithm): string | undefined {
  if (ANNOTATION_VALUES[controller][algorithm] !== undefined) return undefined;
  const supported = Object.keys(ANNOTATION_VALUES[controller]).join(', ');
  return `${controller} cannot do '${algorithm}' (${LIMITATIONS[controller]}; it supports ${supported}): ${ALTERNATIVES[controller]}`;
}

/** The Ingress annotations that select `algorithm` on `controller`; throws for a combination it cannot do. */
export function loadBalancingAnnotations(controller: IngressController, algorithm: LoadBalancingAlgorithm): Record<string, string> {
  const value = ANNOTATION_VALUES[controller][algorithm];
  if (value === undefined) throw new Error(unsupportedLoadBalancing(controller, algorithm));
  return { [LOAD_BALANCE_ANNOTATION[controller]]: value };
}
