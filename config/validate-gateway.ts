// Gateway API routing: the controller, the Gateway the HTTPRoute attaches to, the proxies' namespace, the host.

import { isDns1123Label, isDns1123Subdomain } from './kubernetes-names.ts';
import type { ExistingGateway, GatewayConfig } from './types.ts';
import { HOST, loadBalancingProblems } from './validate-routing.ts';

/** Every problem of an environment's `gateway` block; `at` is its field path (e.g. `production.gateway`). */
export function gatewayProblems(at: string, gateway: GatewayConfig): string[] {
  const { controller, loadBalancing, controllerNamespace, host } = gateway;
  const problems = [...loadBalancingProblems(at, 'HTTPRoute', String(controller), String(loadBalancing)), ...parentProblems(at, gateway)];
  if (!isDns1123Label(String(controllerNamespace))) {
    problems.push(
      `${at}.controllerNamespace: '${controllerNamespace}' is not a valid namespace name; ` +
        "use the namespace the controller's proxies run in (Envoy Gateway: 'envoy-gateway-system')",
    );
  }
  if (host !== undefined && !HOST.test(host)) {
    problems.push(`${at}.host: '${host}' is not a DNS name; use e.g. 'shop.example.com' or leave host out to match every host`);
  }
  return problems;
}

/** Exactly one parent: a Gateway the chart renders (className) or one that exists (existingGateway). */
function parentProblems(at: string, gateway: GatewayConfig): string[] {
  const { className, existingGateway } = gateway as { className?: unknown; existingGateway?: ExistingGateway };
  if (className !== undefined && existingGateway !== undefined) {
    return [`${at}: sets both className and existingGateway; keep className to render a Gateway, or existingGateway to attach to one`];
  }
  if (existingGateway !== undefined) return existingGatewayProblems(`${at}.existingGateway`, existingGateway);
  if (className === undefined) {
    return [`${at}: no Gateway; set className (the chart renders a Gateway of that GatewayClass, e.g. 'eg') or existingGateway`];
  }
  if (!isDns1123Subdomain(String(className))) {
    return [`${at}.className: '${className}' is not a GatewayClass name; use lowercase letters, digits, '-' and '.' (e.g. 'eg')`];
  }
  return [];
}

function existingGatewayProblems(at: string, existing: ExistingGateway): string[] {
  const problems: string[] = [];
  if (!isDns1123Label(String(existing.namespace))) {
    problems.push(`${at}.namespace: '${existing.namespace}' is not a valid namespace name; use the namespace the Gateway is in`);
  }
  if (!isDns1123Subdomain(String(existing.name))) {
    problems.push(`${at}.name: '${existing.name}' is not a Gateway name; use the metadata.name of the Gateway to attach to`);
  }
  if (!isDns1123Label(String(existing.sectionName ?? ''))) {
    problems.push(
      `${at}.sectionName: '${existing.sectionName ?? ''}' is not a listener name; name the Gateway's listener to attach to ` +
        "(e.g. 'https'), or the route attaches to every listener, plain HTTP included",
    );
  }
  return problems;
}
