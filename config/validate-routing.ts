// Checks both kinds of routing share: the controller serves this API and can run the algorithm.
import {
  controllersFor,
  isLoadBalancingAlgorithm,
  isRoutingController,
  LOAD_BALANCING_ALGORITHMS,
  ROUTING_CONTROLLERS,
  type RouteApi,
  unsupportedLoadBalancing,
} from './vocabulary.ts';

export const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Where each API's settings live in an environment, and what that block needs besides the controller. */
const SETTINGS_OF: Readonly<Record<RouteApi, string>> = {
  Ingress: 'ingress (with className, the IngressClass)',
  HTTPRoute: 'gateway (with className, the GatewayClass, or existingGateway)',
};

/** `controller` exists, serves `api`'s objects, and can run `algorithm`; `at` is the routing block's field path. */
export function loadBalancingProblems(at: string, api: RouteApi, controller: string, algorithm: string): string[] {
  const problems: string[] = [];
  const knownController = isRoutingController(controller);
  const knownAlgorithm = isLoadBalancingAlgorithm(algorithm);
  if (!knownController) {
    problems.push(`${at}.controller: '${controller}' is not supported; use one of ${controllersFor(api).join(', ')}`);
  } else if (ROUTING_CONTROLLERS[controller].routes !== api) {
    const its = ROUTING_CONTROLLERS[controller].routes;
    problems.push(`${at}.controller: '${controller}' serves an ${its}, not an ${api}: move these settings to ${SETTINGS_OF[its]}`);
  }
  if (!knownAlgorithm) {
    problems.push(`${at}.loadBalancing: '${algorithm}' is not an algorithm; use one of ${LOAD_BALANCING_ALGORITHMS.join(', ')}`);
  }
  if (knownController && knownAlgorithm && ROUTING_CONTROLLERS[controller].routes === api) {
    const reason = unsupportedLoadBalancing(controller, algorithm);
    if (reason !== undefined) problems.push(`${at}.loadBalancing: ${reason}`);
  }
  return problems;
}
