// What cluster:up creates for Gateway API routing: the GatewayClass and EnvoyProxy (valid against the
// vendored CRDs), tied to what the chart renders and what kind publishes.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseAllDocuments } from 'yaml';

import { localGateway } from '../../config/environments/local-gateway.ts';
import { production } from '../../config/environments/production.ts';
import {
  ENVOY_GATEWAY_CONTROLLER_NAME,
  GATEWAY_LISTENER_PORT,
  GATEWAY_NAME,
  gatewayClassManifest,
  gatewayClassObjects,
} from '../../tools/cluster/envoy-gateway.ts';
import { GATEWAY_NODE_PORTS, INGRESS_NODE_PORTS, kindConfigFor, publishedPortsOf } from '../../tools/cluster/kind-config.ts';
import { clusterRoutingOf } from '../../tools/cluster/routing.ts';
import { findObject, render, withRouting } from '../charts/render.ts';
import { CrdValidators } from '../manifests/crd-schema.ts';

test('the GatewayClass and EnvoyProxy cluster:up applies are valid against the vendored CRDs', () => {
  const validators = new CrdValidators();
  for (const object of gatewayClassObjects('eg')) {
    assert.deepEqual(validators.problems(object as { apiVersion: string; kind: string }), [], (object as { kind: string }).kind);
  }
});

test('the written file holds the EnvoyProxy, then the GatewayClass of that name that points at it', () => {
  const [proxy, gatewayClass] = parseAllDocuments(gatewayClassManifest('eg')).map((doc) => doc.toJS());
  assert.equal(proxy.kind, 'EnvoyProxy');
  assert.deepEqual(gatewayClass.metadata, { name: 'eg' });
  assert.equal(gatewayClass.spec.controllerName, ENVOY_GATEWAY_CONTROLLER_NAME);
  assert.deepEqual(gatewayClass.spec.parametersRef, {
    group: 'gateway.envoyproxy.io',
    kind: 'EnvoyProxy',
    name: proxy.metadata.name,
    namespace: proxy.metadata.namespace,
  });
  assert.equal(proxy.spec.provider.kubernetes.envoyService.type, 'NodePort');
});

test("the EnvoyProxy pins the rendered Gateway's listener to the node port kind publishes", () => {
  const gateway = findObject(render(localGateway), 'Gateway', GATEWAY_NAME);
  assert.deepEqual(
    gateway.spec.listeners.map((listener: { port: number }) => listener.port),
    [GATEWAY_LISTENER_PORT],
  );
  const [proxy] = gatewayClassObjects(gateway.spec.gatewayClassName) as any[];
  assert.deepEqual(proxy.spec.provider.kubernetes.envoyService.patch, {
    type: 'StrategicMerge',
    value: { spec: { ports: [{ port: GATEWAY_LISTENER_PORT, nodePort: GATEWAY_NODE_PORTS.http }] } },
  });
  const config = kindConfigFor({ http: 80, https: 443 }, undefined, GATEWAY_NODE_PORTS);
  assert.deepEqual(publishedPortsOf(config, 'test'), { hostPorts: { http: 80, https: 443 }, nodePorts: GATEWAY_NODE_PORTS });
  assert.match(config, /containerPort: 30080\n\s+hostPort: 80\n/);
});

test('the environment decides the routing; what cluster:up cannot set up is refused with the way out', () => {
  assert.deepEqual(clusterRoutingOf(localGateway), { controller: 'envoy-gateway', nodePorts: GATEWAY_NODE_PORTS, className: 'eg' });
  const haproxy = withRouting(production, {
    ingress: {
      controller: 'haproxy-ingress',
      className: 'haproxy',
      controllerNamespace: 'ingress-controller',
      loadBalancing: 'round-robin',
    },
  });
  assert.throws(() => clusterRoutingOf(haproxy), {
    message:
      "production.ingress.controller is 'haproxy-ingress', which cluster:up does not install " +
      "(it installs F5's NGINX Ingress Controller, the retired ingress-nginx, or Envoy Gateway): " +
      "install it yourself (HAProxy Ingress's Helm chart creates IngressClass 'haproxy' only with " +
      'controller.ingressClassResource.enabled=true), or use --env local or --env local-gateway',
  });
  assert.equal(
    clusterRoutingOf(withRouting(production, { ingress: { ...haproxy.ingress!, controller: 'ingress-nginx' } })).nodePorts,
    INGRESS_NODE_PORTS,
  );
});
