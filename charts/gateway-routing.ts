/**
 * Gateway API routing (an environment's `gateway`): one HTTPRoute with a PathPrefix rule per section to
 * its Service, attached to a Gateway the chart renders (`className`) or to an existing one, and the
 * controller's policy that carries the algorithm (Gateway API itself has none). Typed constructs from
 * `cdk8s import` of the vendored CRDs (imports/); test/manifests/ checks the output against their schemas.
 */
import type { Construct } from 'constructs';

import type { GatewayConfig } from '../config/types.ts';
import { BALANCER_IDLE_TIMEOUT_SECONDS, SECTION_NAMES, type SectionName } from '../config/vocabulary.ts';
import {
  BackendTrafficPolicy,
  BackendTrafficPolicySpecRequestBufferLimit,
  BackendTrafficPolicySpecLoadBalancerType as LoadBalancerType,
} from '../imports/backendtrafficpolicy-gateway.envoyproxy.io.ts';
import { Gateway, GatewaySpecListenersAllowedRoutesNamespacesFrom } from '../imports/gateway-gateway.networking.k8s.io.ts';
import {
  HttpRoute,
  type HttpRouteSpecParentRefs,
  HttpRouteSpecRulesMatchesPathType,
} from '../imports/httproute-gateway.networking.k8s.io.ts';
import { algorithmValue } from './load-balancing.ts';
import { ROUTING_NAME, type SectionBackend } from './section-backends.ts';

/** The rendered Gateway's one listener: plain HTTP (TLS belongs to a Gateway the platform runs). */
export const GATEWAY_LISTENER = { name: 'http', port: 80 } as const;

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

export interface GatewayRoutingProps {
  readonly gateway: GatewayConfig;
  readonly backends: Readonly<Record<SectionName, SectionBackend>>;
  /** The environment's maxRequestBodyBytes: Envoy refuses larger bodies (413) before any replica. */
  readonly maxRequestBodyBytes: number;
  /** Labels for every object (part-of, managed-by, name, instance, component). */
  readonly labels: Readonly<Record<string, string>>;
}

/** The objects one environment's Gateway API routing renders. */
export interface GatewayRouting {
  /** Undefined when the environment attaches to an existing Gateway. */
  readonly gateway: Gateway | undefined;
  readonly route: HttpRoute;
  readonly policy: BackendTrafficPolicy;
}

/** Renders the routing objects directly under `scope` (ids `Gateway`, `HttpRoute`, `BackendTrafficPolicy`). */
export function renderGatewayRouting(scope: Construct, props: GatewayRoutingProps): GatewayRouting {
  const { gateway: config, labels } = props;
  const metadata = () => ({ name: ROUTING_NAME, labels: { ...labels } });
  const gateway = config.className === undefined ? undefined : renderGateway(scope, config.className, config.host, metadata());
  const parentRef: HttpRouteSpecParentRefs = config.existingGateway
    ? {
        group: GATEWAY_API_GROUP,
        kind: 'Gateway',
        namespace: config.existingGateway.namespace,
        name: config.existingGateway.name,
        sectionName: config.existingGateway.sectionName,
      }
    : { group: GATEWAY_API_GROUP, kind: 'Gateway', name: ROUTING_NAME, sectionName: GATEWAY_LISTENER.name };
  const route = new HttpRoute(scope, 'HttpRoute', {
    metadata: metadata(),
    spec: {
      parentRefs: [parentRef],
      ...(config.host ? { hostnames: [config.host] } : {}),
      rules: SECTION_NAMES.map((section) => {
        const backend = props.backends[section];
        return {
          matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: backend.path } }],
          backendRefs: [{ group: '', kind: 'Service', name: backend.service, port: backend.port }],
        };
      }),
    },
  });
  const policy = new BackendTrafficPolicy(scope, 'BackendTrafficPolicy', {
    metadata: metadata(),
    spec: {
      targetRefs: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', name: ROUTING_NAME }],
      loadBalancer: { type: loadBalancerType(algorithmValue(config.controller, config.loadBalancing)) },
      // Envoy keeps idle upstream connections for an hour by default; the service closes them after
      // SERVICE_KEEP_ALIVE_SECONDS. Envoy must close first, or a request races the close (a 503).
      timeout: { http: { connectionIdleTimeout: `${BALANCER_IDLE_TIMEOUT_SECONDS}s` } },
      // Envoy streams a body to the replica by default, with no limit: a replica's 413 then cuts a body Envoy
      // is still sending. Buffered, Envoy answers 413 itself above the limit, and sends the replica only
      // whole bodies within it. The CRD asks to size the connection buffer for it: its default is 32 KiB.
      requestBuffer: { limit: BackendTrafficPolicySpecRequestBufferLimit.fromNumber(props.maxRequestBodyBytes) },
    },
  });
  return { gateway, route, policy };
}

function renderGateway(scope: Construct, className: string, host: string | undefined, metadata: { name: string }): Gateway {
  return new Gateway(scope, 'Gateway', {
    metadata,
    spec: {
      gatewayClassName: className,
      listeners: [
        {
          ...GATEWAY_LISTENER,
          protocol: 'HTTP',
          ...(host ? { hostname: host } : {}),
          // Only this namespace's routes: another team's HTTPRoute cannot take over the shop's host.
          allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
        },
      ],
    },
  });
}

/** The vocabulary's spelling, checked against the CRD's enum (a typo would otherwise reach the API server). */
function loadBalancerType(value: string): LoadBalancerType {
  const known: readonly string[] = Object.values(LoadBalancerType);
  if (!known.includes(value)) throw new Error(`BackendTrafficPolicy spec.loadBalancer.type has no '${value}' (it has ${known.join(', ')})`);
  return value as LoadBalancerType;
}
