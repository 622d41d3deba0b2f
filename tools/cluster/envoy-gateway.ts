/**
 * Envoy Gateway on a laptop cluster: its pinned release manifest, and the GatewayClass an environment's
 * rendered Gateway names, with an EnvoyProxy that makes each Gateway's proxy Service a NodePort Service
 * on a fixed port. kind maps that node port to the host (kind-config.ts); minikube serves it on its IP.
 * Why NodePort and not cloud-provider-kind: no extra host process with the container runtime's socket,
 * the same host ports and smoke URL as the Ingress path, and the same manifests on minikube (docs/cluster.md).
 */
import { stringify } from 'yaml';

import { ROUTING_NAME } from '../../charts/section-backends.ts';
import type { EnvoyProxyProps } from '../../imports/envoyproxy-gateway.envoyproxy.io.ts';
import type { GatewayClassProps } from '../../imports/gatewayclass-gateway.networking.k8s.io.ts';
import { GATEWAY_NODE_PORTS } from './kind-config.ts';

/** Envoy Gateway v1.9.1 (bundles the Gateway API v1.6.1 CRDs the chart's constructs come from). */
export const ENVOY_GATEWAY_MANIFEST = 'https://github.com/envoyproxy/gateway/releases/download/v1.9.1/install.yaml';
/** Where the controller and, by default, every Gateway's Envoy proxies run. */
export const ENVOY_GATEWAY_NAMESPACE = 'envoy-gateway-system';
export const ENVOY_GATEWAY_DEPLOYMENT = 'envoy-gateway';
/** The controllerName a GatewayClass must carry for Envoy Gateway to serve its Gateways. */
export const ENVOY_GATEWAY_CONTROLLER_NAME = 'gateway.envoyproxy.io/gatewayclass-controller';
/** What cluster:up writes the GatewayClass and EnvoyProxy to before it applies them (git-ignored). */
export const GATEWAY_CLASS_FILE = '.cluster/envoy-gateway-class.yaml';
/** The rendered Gateway's name (the chart's) and HTTP listener port (charts/gateway-routing.ts; a test keeps them equal). */
export const GATEWAY_NAME = ROUTING_NAME;
export const GATEWAY_LISTENER_PORT = 80;

const ENVOY_PROXY_NAME = 'sweetshop-node-port';

/** The EnvoyProxy (the proxy Service as NodePort, listener port 80 on GATEWAY_NODE_PORTS.http) and the GatewayClass using it. */
export function gatewayClassObjects(className: string): [object, object] {
  const envoyProxy: EnvoyProxyProps & { apiVersion: string; kind: string } = {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyProxy',
    metadata: { name: ENVOY_PROXY_NAME, namespace: ENVOY_GATEWAY_NAMESPACE },
    spec: {
      provider: {
        type: 'Kubernetes',
        kubernetes: {
          envoyService: {
            type: 'NodePort',
            // Strategic merge on the Service's ports (merge key: port) pins the listener's node port,
            // which kind's extraPortMappings must know before the cluster exists.
            patch: {
              type: 'StrategicMerge',
              value: { spec: { ports: [{ port: GATEWAY_LISTENER_PORT, nodePort: GATEWAY_NODE_PORTS.http }] } },
            },
          },
        },
      },
    },
  };
  const gatewayClass: GatewayClassProps & { apiVersion: string; kind: string } = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: className },
    spec: {
      controllerName: ENVOY_GATEWAY_CONTROLLER_NAME,
      parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: ENVOY_PROXY_NAME, namespace: ENVOY_GATEWAY_NAMESPACE },
    },
  };
  return [envoyProxy, gatewayClass];
}

/** The two objects as one multi-document YAML file, EnvoyProxy first (Envoy Gateway's advice). */
export function gatewayClassManifest(className: string): string {
  const header = `# Written by npm run cluster:up (tools/cluster/envoy-gateway.ts); do not edit.\n`;
  return (
    header +
    gatewayClassObjects(className)
      .map((object) => stringify(object))
      .join('---\n')
  );
}
