// Gateway API routing (an environment's `gateway`): the HTTPRoute, its parent Gateway and the policy
// that carries the algorithm, as the chart renders them for local-gateway, production and variants.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { localGateway } from '../../config/environments/local-gateway.ts';
import { production } from '../../config/environments/production.ts';
import type { GatewayConfig } from '../../config/types.ts';
import { SECTION_NAMES } from '../../config/vocabulary.ts';
import { SERVER_TIMEOUTS } from '../../service/src/http-server.ts';
import { findObject, type Manifest, render, withRouting } from './render.ts';

const GATEWAY_API = 'gateway.networking.k8s.io';
const gatewayOf = (manifests: Manifest[]) => manifests.find((m) => m.kind === 'Gateway');

/** A PathPrefix rule per section to the section's Service on its port 80 (the Service's `http`). */
const SECTION_RULES = SECTION_NAMES.map((section) => ({
  matches: [{ path: { type: 'PathPrefix', value: `/${section}` } }],
  backendRefs: [{ group: '', kind: 'Service', name: section, port: 80 }],
}));

describe('local-gateway: a Gateway of its class, an HTTPRoute on it, least-request', () => {
  const manifests = render(localGateway);

  test('renders a Gateway of class eg with one HTTP listener on port 80 that admits only this namespace', () => {
    const gateway = findObject(manifests, 'Gateway', 'sweetshop');
    assert.equal(gateway.apiVersion, `${GATEWAY_API}/v1`);
    assert.equal(gateway.metadata.namespace, 'sweetshop');
    assert.deepEqual(gateway.spec, {
      gatewayClassName: 'eg',
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
    });
  });

  test('the HTTPRoute attaches to that Gateway listener and routes each section path to its Service', () => {
    const route = findObject(manifests, 'HTTPRoute', 'sweetshop');
    assert.equal(route.apiVersion, `${GATEWAY_API}/v1`);
    assert.deepEqual(route.spec, {
      parentRefs: [{ group: GATEWAY_API, kind: 'Gateway', name: 'sweetshop', sectionName: 'http' }],
      rules: SECTION_RULES,
    });
  });

  test('a BackendTrafficPolicy on the HTTPRoute sets LeastRequest and an upstream idle timeout under the service keep-alive', () => {
    const policy = findObject(manifests, 'BackendTrafficPolicy', 'sweetshop');
    assert.equal(policy.apiVersion, 'gateway.envoyproxy.io/v1alpha1');
    assert.deepEqual(policy.spec, {
      targetRefs: [{ group: GATEWAY_API, kind: 'HTTPRoute', name: 'sweetshop' }],
      loadBalancer: { type: 'LeastRequest' },
      timeout: { http: { connectionIdleTimeout: '60s' } },
      // Envoy answers 413 itself past the environment's limit, and sends replicas whole bodies only.
      requestBuffer: { limit: 16384 },
    });
    // Envoy's default is an hour: it would send requests on connections the replica has closed.
    assert.ok(60_000 < SERVER_TIMEOUTS.keepAliveMs, 'Envoy must close idle upstream connections before the replica does');
  });

  test('no Ingress, and the routing objects carry the shop labels', () => {
    assert.equal(
      manifests.find((m) => m.kind === 'Ingress'),
      undefined,
    );
    for (const kind of ['Gateway', 'HTTPRoute', 'BackendTrafficPolicy']) {
      assert.deepEqual(findObject(manifests, kind, 'sweetshop').metadata.labels, {
        'app.kubernetes.io/name': 'sweetshop',
        'app.kubernetes.io/instance': 'sweetshop-local-gateway',
        'app.kubernetes.io/component': 'gateway',
        'app.kubernetes.io/part-of': 'sweetshop',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
  });
});

describe('production: an HTTPRoute on the existing Gateway it names, for its host, least-request', () => {
  const manifests = render(production);

  test('renders no Gateway; the HTTPRoute names the existing one (namespace, name, listener) and the host', () => {
    assert.equal(gatewayOf(manifests), undefined);
    assert.deepEqual(findObject(manifests, 'HTTPRoute', 'sweetshop').spec, {
      parentRefs: [{ group: GATEWAY_API, kind: 'Gateway', namespace: 'gateway-infra', name: 'public', sectionName: 'https' }],
      hostnames: ['shop.example.com'],
      rules: SECTION_RULES,
    });
  });

  test('the BackendTrafficPolicy sets LeastRequest', () => {
    assert.deepEqual(findObject(manifests, 'BackendTrafficPolicy', 'sweetshop').spec.loadBalancer, { type: 'LeastRequest' });
  });
});

describe('variants', () => {
  const gateway = localGateway.gateway as GatewayConfig;

  test('round-robin becomes RoundRobin', () => {
    const manifests = render(withRouting(localGateway, { gateway: { ...gateway, loadBalancing: 'round-robin' } }));
    assert.deepEqual(findObject(manifests, 'BackendTrafficPolicy', 'sweetshop').spec.loadBalancer, { type: 'RoundRobin' });
  });

  test('a host on a rendered Gateway goes on its listener and on the HTTPRoute', () => {
    const manifests = render(withRouting(localGateway, { gateway: { ...gateway, host: 'shop.local' } }));
    assert.equal(findObject(manifests, 'Gateway', 'sweetshop').spec.listeners[0].hostname, 'shop.local');
    assert.deepEqual(findObject(manifests, 'HTTPRoute', 'sweetshop').spec.hostnames, ['shop.local']);
  });

  test('the chart refuses an algorithm Envoy Gateway cannot run, even without validation', () => {
    assert.throws(() => render(withRouting(localGateway, { gateway: { ...gateway, loadBalancing: 'least-connections' } })), {
      message:
        "envoy-gateway cannot do 'least-connections' (Envoy counts requests in flight, not connections; " +
        "it supports round-robin, least-request): choose 'least-request' (LeastRequest), Envoy's closest algorithm",
    });
  });
});
