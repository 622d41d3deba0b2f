import type { AlgorithmSupport, IngressController, LoadBalancingAlgorithm } from '../app/environments/vocabulary.ts';
import { INGRESS_CONTROLLERS, unsupportedLoadBalancing } from '../app/environments/vocabulary.ts';

/**
 * The Ingress annotation that selects `algorithm` on `controller`, as app/environments/vocabulary.ts
 * spells it; throws for a combination the controller cannot do (validation reports it first).
 */
export function loadBalancingAnnotations(controller: IngressController, algorithm: LoadBalancingAlgorithm): Record<string, string> {
  const { balancing, algorithms } = INGRESS_CONTROLLERS[controller];
  const support: AlgorithmSupport = algorithms[algorithm];
  if (!('value' in support)) throw new Error(unsupportedLoadBalancing(controller, algorithm));
  return { [balancing.key]: support.value };
}
