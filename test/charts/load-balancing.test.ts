// The chart writes and local mode reads the same vocabulary (config/vocabulary.ts): every
// pair the chart can render must come back as the algorithm local nginx runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { algorithmValue, loadBalancingAnnotations } from '../../charts/load-balancing.ts';
import {
  controllersFor,
  LOAD_BALANCING_ALGORITHMS,
  ROUTING_CONTROLLER_NAMES,
  ROUTING_CONTROLLERS,
  supportedAlgorithms,
  unsupportedLoadBalancing,
} from '../../config/vocabulary.ts';
import { readGatewayRoutes } from '../../tools/local/manifests/gateway-routes.ts';
import { balanceFromIngressAnnotations, parseLocalAlgorithm } from '../../tools/local/nginx/balance.ts';

// What local nginx (OSS) runs for each portable algorithm: it has no EWMA, least_conn is the closest;
// least_conn counts requests in flight, which is what least-request asks for.
const LOCAL_EQUIVALENT = {
  'round-robin': 'round-robin',
  'least-connections': 'least-connections',
  'least-request': 'least-connections',
  ewma: 'least-connections',
};

for (const controller of controllersFor('Ingress')) {
  for (const algorithm of LOAD_BALANCING_ALGORITHMS) {
    const reason = unsupportedLoadBalancing(controller, algorithm);
    if (reason === undefined) {
      test(`${controller} ${algorithm}: local mode reads the chart's annotation as ${LOCAL_EQUIVALENT[algorithm]}`, () => {
        const annotations = loadBalancingAnnotations(controller, algorithm);
        assert.deepEqual(Object.keys(annotations), [ROUTING_CONTROLLERS[controller].balancing.key]);
        assert.equal(balanceFromIngressAnnotations(annotations, 'sweetshop')?.algorithm, LOCAL_EQUIVALENT[algorithm]);
      });
    } else {
      test(`${controller} ${algorithm}: the chart refuses it with the vocabulary's reason`, () => {
        assert.throws(() => loadBalancingAnnotations(controller, algorithm), { message: reason });
        assert.match(reason, new RegExp(`^${controller} cannot do '${algorithm}' \\(.+; it supports .+\\): .+`));
      });
    }
  }
}

for (const controller of controllersFor('HTTPRoute')) {
  for (const algorithm of LOAD_BALANCING_ALGORITHMS) {
    const reason = unsupportedLoadBalancing(controller, algorithm);
    const title = reason
      ? "the chart refuses it with the vocabulary's reason"
      : `local mode reads the policy as ${LOCAL_EQUIVALENT[algorithm]}`;
    test(`${controller} ${algorithm}: ${title}`, () => {
      if (reason !== undefined) {
        assert.throws(() => algorithmValue(controller, algorithm), { message: reason });
        return;
      }
      const { apiVersion, policyKind, field } = ROUTING_CONTROLLERS[controller].balancing;
      // The value at the vocabulary's field path (spec.loadBalancer.type), and targetRefs beside it in spec.
      const written = field.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), algorithmValue(controller, algorithm));
      const { spec } = written as { spec: object };
      const body = { apiVersion, spec: { ...spec, targetRefs: [{ kind: 'HTTPRoute', name: 'shop' }] } };
      const policy = { kind: policyKind, name: 'lb', source: 'test', document: 'test document 1', body };
      const route = {
        kind: 'HTTPRoute',
        name: 'shop',
        source: 'test',
        document: 'test document 2',
        body: { apiVersion: 'gateway.networking.k8s.io/v1', spec: {} },
      };
      assert.equal(readGatewayRoutes([route, policy], []).balances[0]?.algorithm, LOCAL_EQUIVALENT[algorithm]);
    });
  }
}

test('each API has its controllers, and every controller is of exactly one', () => {
  assert.deepEqual(controllersFor('Ingress'), ['f5-nginx-ingress', 'ingress-nginx', 'haproxy-ingress']);
  assert.deepEqual(controllersFor('HTTPRoute'), ['envoy-gateway']);
  assert.deepEqual([...controllersFor('Ingress'), ...controllersFor('HTTPRoute')].sort(), [...ROUTING_CONTROLLER_NAMES].sort());
  assert.deepEqual(ROUTING_CONTROLLERS['envoy-gateway'].balancing, {
    kind: 'route-policy',
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    policyKind: 'BackendTrafficPolicy',
    field: 'spec.loadBalancer.type',
  });
});

test('every controller runs round-robin; every Ingress controller reads its own annotation key', () => {
  for (const controller of ROUTING_CONTROLLER_NAMES) {
    assert.ok(
      supportedAlgorithms(controller).some((each) => each.algorithm === 'round-robin'),
      controller,
    );
  }
  const keys = controllersFor('Ingress').map((controller) => ROUTING_CONTROLLERS[controller].balancing.key);
  assert.equal(new Set(keys).size, keys.length);
});

test("--balance accepts the controllers' annotation spellings of what local nginx runs, and nginx's least_conn", () => {
  for (const spelling of ['round_robin', 'roundrobin']) assert.equal(parseLocalAlgorithm(spelling), 'round-robin', spelling);
  for (const spelling of ['leastconn', 'least_conn']) assert.equal(parseLocalAlgorithm(spelling), 'least-connections', spelling);
  assert.throws(() => parseLocalAlgorithm('ewma'), /--balance ewma: expected round-robin or least-connections/);
});
