import type {
  AlgorithmSupport,
  ControllerFor,
  ControllerSupport,
  LoadBalancingAlgorithm,
  RoutingController,
} from '../config/vocabulary.ts';
import { ROUTING_CONTROLLERS, unsupportedLoadBalancing } from '../config/vocabulary.ts';

/**
 * `controller`'s own spelling of `algorithm`, as config/vocabulary.ts has it; throws for a
 * combination the controller cannot do (validation reports it first).
 */
export function algorithmValue(controller: RoutingController, algorithm: LoadBalancingAlgorithm): string {
  const support: AlgorithmSupport = ROUTING_CONTROLLERS[controller].algorithms[algorithm];
  if (!('value' in support)) throw new Error(unsupportedLoadBalancing(controller, algorithm));
  return support.value;
}

/** The Ingress annotation that selects `algorithm` on an Ingress `controller`. */
export function loadBalancingAnnotations(controller: ControllerFor<'Ingress'>, algorithm: LoadBalancingAlgorithm): Record<string, string> {
  return { [ROUTING_CONTROLLERS[controller].balancing.key]: algorithmValue(controller, algorithm) };
}

/**
 * The Ingress annotation that limits request bodies on an Ingress `controller`, in bytes (a plain number is
 * bytes to both controllers), so the controller answers 413 itself and never streams a body a replica refuses.
 */
export function bodyLimitAnnotations(controller: ControllerFor<'Ingress'>, bytes: number): Record<string, string> {
  return { [ROUTING_CONTROLLERS[controller].bodyLimit.key]: String(bytes) };
}

/** The controller's annotations that keep a replica in its upstream after failed requests (ControllerSupport.noPassiveEjection). */
export function noPassiveEjectionAnnotations(controller: ControllerFor<'Ingress'>): Record<string, string> {
  return { ...(ROUTING_CONTROLLERS[controller] as ControllerSupport).noPassiveEjection };
}
