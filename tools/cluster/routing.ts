/**
 * What an environment's routing asks of the laptop cluster: which controller cluster:up installs, which
 * node ports kind publishes, and where smoke and deploy find the entry point. The environment decides;
 * a routing these scripts cannot set up is refused with what to do instead.
 */
import type { EnvironmentConfig } from '../../config/index.ts';
import type { IngressControllerInstall } from './ingress-controllers.ts';
import { GATEWAY_NODE_PORTS, INGRESS_NODE_PORTS, type NodePorts } from './kind-config.ts';

export type ClusterRouting =
  | { readonly controller: IngressControllerInstall; readonly nodePorts: NodePorts; readonly host?: string }
  | {
      readonly controller: 'envoy-gateway';
      readonly nodePorts: NodePorts;
      readonly host?: string;
      /** The GatewayClass cluster:up creates, which the environment's rendered Gateway names. */
      readonly className: string;
    };

/** The cluster routing `environment` needs; throws one line naming the environment's field and the way out. */
export function clusterRoutingOf(environment: EnvironmentConfig): ClusterRouting {
  const { ingress, gateway, name } = environment;
  const host = (ingress ?? gateway).host;
  const hosted = host === undefined ? {} : { host };
  if (ingress?.controller === 'f5-nginx-ingress' || ingress?.controller === 'ingress-nginx') {
    return { controller: ingress.controller, nodePorts: INGRESS_NODE_PORTS, ...hosted };
  }
  if (ingress) {
    throw new Error(
      `${name}.ingress.controller is '${ingress.controller}', which cluster:up does not install ` +
        "(it installs F5's NGINX Ingress Controller, the retired ingress-nginx, or Envoy Gateway): " +
        "install it yourself (HAProxy Ingress's Helm chart creates IngressClass 'haproxy' only with " +
        'controller.ingressClassResource.enabled=true), or use --env local or --env local-gateway',
    );
  }
  if (gateway?.className !== undefined) {
    return { controller: 'envoy-gateway', nodePorts: GATEWAY_NODE_PORTS, className: gateway.className, ...hosted };
  }
  const existing = gateway?.existingGateway;
  throw new Error(
    `${name}.gateway attaches to the existing Gateway ${existing?.namespace}/${existing?.name}, which cluster:up does not create: ` +
      'use --env local-gateway (it renders its own Gateway), or create that Gateway first',
  );
}

/** How a routing is named in messages. */
export function describeRouting(nodePorts: NodePorts): string {
  return nodePorts.http === GATEWAY_NODE_PORTS.http
    ? `Gateway API (Envoy's NodePort ${nodePorts.http})`
    : `an Ingress (the controller's hostPort ${nodePorts.http})`;
}
