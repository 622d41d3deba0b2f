import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { heapLimitMiB } from '../../charts/sweetshop-service.ts';
import { local } from '../../config/environments/local.ts';
import { localGateway } from '../../config/environments/local-gateway.ts';
import { production } from '../../config/environments/production.ts';
import type { EnvironmentConfig } from '../../config/types.ts';
import { PDB_MAX_UNAVAILABLE, SECTION_NAMES, type SectionName } from '../../config/vocabulary.ts';
import { findObject, type Manifest, render, withRouting } from './render.ts';

const PER_SECTION_KINDS = ['ServiceAccount', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy'];

for (const environment of [local, localGateway, production]) {
  describe(`SweetShopChart rendered with the ${environment.name} environment`, () => {
    const manifests = render(environment);
    objectSetTests(environment, manifests);
    for (const section of SECTION_NAMES) {
      workloadTests(environment, manifests, section);
      trafficTests(environment, manifests, section);
    }
    routingTests(environment, manifests);
  });
}

/** Which objects exist, and where. */
function objectSetTests(environment: EnvironmentConfig, manifests: Manifest[]): void {
  test('renders exactly the Namespace, six objects per section, the default-deny policy, the routing and monitoring where on', () => {
    const names = manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort();
    const monitoring = [
      'ConfigMap/sweetshop-dashboard',
      ...SECTION_NAMES.flatMap((s) => [`PodMonitor/${s}`, `NetworkPolicy/${s}-metrics`]),
    ];
    const routing = environment.gateway
      ? [...(environment.gateway.className ? ['Gateway/sweetshop'] : []), 'HTTPRoute/sweetshop', 'BackendTrafficPolicy/sweetshop']
      : ['Ingress/sweetshop'];
    const expected = [
      `Namespace/${environment.namespace}`,
      'NetworkPolicy/default-deny',
      ...routing,
      ...SECTION_NAMES.flatMap((section) => PER_SECTION_KINDS.map((kind) => `${kind}/${section}`)),
      ...(environment.monitoring.enabled ? monitoring : []),
    ].sort();
    assert.deepEqual(names, expected);
  });

  test('the Namespace makes the API server enforce, audit and warn on Pod Security "restricted"', () => {
    const labels = findObject(manifests, 'Namespace', environment.namespace).metadata.labels as Record<string, string>;
    for (const mode of ['enforce', 'audit', 'warn']) assert.equal(labels[`pod-security.kubernetes.io/${mode}`], 'restricted', mode);
  });

  test('puts every namespaced object in the environment namespace and none on the Namespace itself', () => {
    for (const m of manifests) {
      if (m.kind === 'Namespace') assert.equal(m.metadata.namespace, undefined);
      else assert.equal(m.metadata.namespace, environment.namespace, `${m.kind}/${m.metadata.name}`);
    }
  });
}

/** One section's Deployment, HPA, container and disruption budget. */
function workloadTests(environment: EnvironmentConfig, manifests: Manifest[], section: SectionName): void {
  const config = environment.sections[section];

  test(`${section}: the HPA owns the replica count (autoscaling/v2, CPU target from the environment)`, () => {
    const deployment = findObject(manifests, 'Deployment', section);
    assert.equal(deployment.spec.replicas, undefined, 'a Deployment an HPA targets must not set spec.replicas');
    const hpa = findObject(manifests, 'HorizontalPodAutoscaler', section);
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: section });
    assert.equal(hpa.spec.minReplicas, config.minReplicas);
    assert.equal(hpa.spec.maxReplicas, config.maxReplicas);
    assert.deepEqual(hpa.spec.metrics, [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: config.cpuTargetPercent } } },
    ]);
  });

  test(`${section}: the HPA scales as the environment's hpaBehavior says, not as cdk8s-plus's default`, () => {
    const { behavior } = findObject(manifests, 'HorizontalPodAutoscaler', section).spec;
    // The API's tolerance is a quantity: written as a string.
    const expected = JSON.parse(JSON.stringify(environment.hpaBehavior, (key, value) => (key === 'tolerance' ? String(value) : value)));
    assert.deepEqual(behavior, expected);
    // cdk8s-plus-27's own default scale-down: minReplicas pods per 300 s.
    assert.notDeepEqual(behavior.scaleDown.policies, [{ type: 'Pods', value: config.minReplicas, periodSeconds: 300 }]);
  });

  test(`${section}: replicas spread over nodes as the environment's availability says, over zones where there are`, () => {
    const constraints = findObject(manifests, 'Deployment', section).spec.template.spec.topologySpreadConstraints;
    const onNodes = environment.availability.spreadAcrossNodes === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway';
    assert.deepEqual(
      constraints.map((c: { topologyKey: string; whenUnsatisfiable: string }) => [c.topologyKey, c.whenUnsatisfiable]),
      [
        ['kubernetes.io/hostname', onNodes],
        ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
      ],
    );
  });

  test(`${section}: the container runs the pinned image with the contract env and exact resources`, () => {
    const [container] = findObject(manifests, 'Deployment', section).spec.template.spec.containers;
    assert.equal(container.name, 'service');
    assert.equal(container.image, `${config.image.repository}:${config.image.tag}`);
    assert.equal(container.imagePullPolicy, environment.imagePullPolicy);
    assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080 }]);
    assert.deepEqual(container.env, [
      { name: 'PORT', value: '8080' },
      { name: 'SHOP_SECTION', value: section },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'LOG_LEVEL', value: environment.logLevel },
      { name: 'MAX_BODY_BYTES', value: String(environment.maxRequestBodyBytes) },
      { name: 'DRAIN_TIMEOUT_MS', value: '10000' },
      {
        name: 'NODE_OPTIONS',
        value: `--max-old-space-size=${heapLimitMiB(config.limits.memory)} --max-semi-space-size=${environment.v8SemiSpaceMiB}`,
      },
      { name: 'MALLOC_ARENA_MAX', value: String(environment.mallocArenaMax) },
    ]);
    assert.deepEqual(container.resources, {
      requests: { cpu: config.requests.cpu, memory: config.requests.memory, 'ephemeral-storage': config.requests.ephemeralStorage },
      limits: { cpu: config.limits.cpu, memory: config.limits.memory, 'ephemeral-storage': config.limits.ephemeralStorage },
    });
  });

  test(`${section}: Service, PDB, NetworkPolicy and the topology spread select the Deployment's pods by app.kubernetes.io labels`, () => {
    const deployment = findObject(manifests, 'Deployment', section);
    const selector = { 'app.kubernetes.io/name': section, 'app.kubernetes.io/instance': `sweetshop-${environment.name}` };
    assert.deepEqual(deployment.spec.selector, { matchLabels: selector });
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(selector)) assert.equal(podLabels[key], value);
    // A wider selector (e.g. part-of only) would count the other sections' pods and skew the spread.
    for (const constraint of deployment.spec.template.spec.topologySpreadConstraints) {
      assert.deepEqual(constraint.labelSelector, { matchLabels: selector }, constraint.topologyKey);
    }
    assert.deepEqual(findObject(manifests, 'Service', section).spec.selector, selector);
    assert.deepEqual(findObject(manifests, 'PodDisruptionBudget', section).spec.selector, { matchLabels: selector });
    assert.deepEqual(findObject(manifests, 'NetworkPolicy', section).spec.podSelector, { matchLabels: selector });
  });

  test(`${section}: ClusterIP Service port http forwards to the container port`, () => {
    const service = findObject(manifests, 'Service', section);
    assert.equal(service.spec.type, 'ClusterIP');
    assert.deepEqual(service.spec.ports, [{ name: 'http', port: 80, targetPort: 8080 }]);
  });

  test(`${section}: the PDB allows one voluntary eviction at a time, and never lets a not-ready pod block a drain`, () => {
    const pdb = findObject(manifests, 'PodDisruptionBudget', section);
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.equal(pdb.spec.maxUnavailable, PDB_MAX_UNAVAILABLE, 'the budget validation reasons with');
    assert.equal(pdb.spec.minAvailable, undefined);
    assert.equal(pdb.spec.unhealthyPodEvictionPolicy, 'AlwaysAllow');
    // While a drain evicts, the floor minus the budget keeps serving: what the availability floor promises.
    const floor = environment.availability.minReplicasFloor;
    assert.ok(config.minReplicas - pdb.spec.maxUnavailable >= floor - PDB_MAX_UNAVAILABLE);
  });
}

/** One section's Service, NetworkPolicy and labels. */
function trafficTests(environment: EnvironmentConfig, manifests: Manifest[], section: SectionName): void {
  const config = environment.sections[section];
  test(`${section}: the NetworkPolicy admits only the controller (its namespace; with Gateway API, only its Gateway's proxies) on 8080, lets DNS out`, () => {
    const policy = findObject(manifests, 'NetworkPolicy', section);
    const controllerNamespace = (environment.ingress ?? environment.gateway).controllerNamespace;
    // Envoy Gateway runs every Gateway's proxies (and its controller) in its namespace: only this route's Gateway's may call.
    const gateway = environment.gateway && (environment.gateway.existingGateway ?? { namespace: environment.namespace, name: 'sweetshop' });
    const proxies = gateway
      ? {
          podSelector: {
            matchLabels: {
              'gateway.envoyproxy.io/owning-gateway-name': gateway.name,
              'gateway.envoyproxy.io/owning-gateway-namespace': gateway.namespace,
            },
          },
        }
      : {};
    assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(policy.spec.ingress, [
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': controllerNamespace } }, ...proxies }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    assert.deepEqual(policy.spec.egress, [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  test(`${section}: every object carries the standard app.kubernetes.io labels`, () => {
    for (const kind of PER_SECTION_KINDS) {
      assert.deepEqual(
        findObject(manifests, kind, section).metadata.labels,
        {
          'app.kubernetes.io/name': section,
          'app.kubernetes.io/instance': `sweetshop-${environment.name}`,
          'app.kubernetes.io/version': config.image.tag,
          'app.kubernetes.io/component': 'api',
          'app.kubernetes.io/part-of': 'sweetshop',
          'app.kubernetes.io/managed-by': 'cdk8s',
        },
        `${kind}/${section}`,
      );
    }
  });
}

/** The namespace-wide policy and the Ingress. */
function routingTests(environment: EnvironmentConfig, manifests: Manifest[]): void {
  test('the namespace-wide default-deny policy selects every pod and allows nothing', () => {
    assert.deepEqual(findObject(manifests, 'NetworkPolicy', 'default-deny').spec, {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  const { ingress: config } = environment;
  if (!config) return; // Gateway API routing: test/charts/gateway-routing.test.ts
  test('one networking.k8s.io/v1 Ingress routes each section path (Prefix) to its Service port http', () => {
    const ingress = findObject(manifests, 'Ingress', 'sweetshop');
    assert.equal(ingress.apiVersion, 'networking.k8s.io/v1');
    assert.equal(ingress.spec.ingressClassName, config.className);
    assert.equal(ingress.spec.rules.length, 1);
    assert.equal(ingress.spec.rules[0].host, config.host);
    assert.deepEqual(
      ingress.spec.rules[0].http.paths,
      SECTION_NAMES.map((section) => ({
        path: `/${section}`,
        pathType: 'Prefix',
        backend: { service: { name: section, port: { name: 'http' } } },
      })),
    );
  });
}

test("local: F5's NGINX Ingress Controller least-connections is rendered as lb-method least_conn (the key local mode reads), class nginx", () => {
  const ingress = findObject(render(local), 'Ingress', 'sweetshop');
  assert.deepEqual(ingress.metadata.annotations, {
    'nginx.org/lb-method': 'least_conn',
    'nginx.org/client-max-body-size': '16384',
    // nginx's default max_fails=1 would take a replica out for 10 s after one refused request.
    'nginx.org/max-fails': '0',
  });
  assert.equal(ingress.spec.ingressClassName, 'nginx');
});

test("F5's least-connections and least-request are its least_conn and `random two least_conn`", () => {
  for (const [loadBalancing, value] of [
    ['least-connections', 'least_conn'],
    ['least-request', 'random two least_conn'],
  ] as const) {
    const environment = withRouting(local, { ingress: { ...local.ingress!, loadBalancing } });
    assert.deepEqual(findObject(render(environment), 'Ingress', 'sweetshop').metadata.annotations, {
      'nginx.org/lb-method': value,
      'nginx.org/client-max-body-size': '16384',
      'nginx.org/max-fails': '0',
    });
  }
});

test('HAProxy Ingress least-connections (production before Gateway API) is rendered as balance-algorithm leastconn', () => {
  const haproxy = withRouting(production, {
    ingress: {
      controller: 'haproxy-ingress',
      className: 'haproxy',
      controllerNamespace: 'ingress-controller',
      host: 'shop.example.com',
      loadBalancing: 'least-connections',
    },
  });
  assert.deepEqual(findObject(render(haproxy), 'Ingress', 'sweetshop').metadata.annotations, {
    'haproxy-ingress.github.io/balance-algorithm': 'leastconn',
    'haproxy-ingress.github.io/proxy-body-size': '16384',
  });
});

test('ingress-nginx (retired, still renderable) with ewma is rendered as load-balance ewma', () => {
  const environment = withRouting(local, { ingress: { ...local.ingress!, controller: 'ingress-nginx', loadBalancing: 'ewma' } });
  assert.deepEqual(findObject(render(environment), 'Ingress', 'sweetshop').metadata.annotations, {
    'nginx.ingress.kubernetes.io/load-balance': 'ewma',
    'nginx.ingress.kubernetes.io/proxy-body-size': '16384',
  });
});

test("the body limit is the environment's one number at the edge and in every replica", () => {
  const environment = { ...local, maxRequestBodyBytes: 4096 };
  const manifests = render(environment);
  const annotations = findObject(manifests, 'Ingress', 'sweetshop').metadata.annotations as Record<string, string>;
  assert.equal(annotations['nginx.org/client-max-body-size'], '4096');
  for (const section of ['chocolates', 'candies', 'cakes']) {
    const env = findObject(manifests, 'Deployment', section).spec.template.spec.containers[0].env as { name: string; value?: string }[];
    assert.deepEqual(
      env.find((e) => e.name === 'MAX_BODY_BYTES'),
      { name: 'MAX_BODY_BYTES', value: '4096' },
    );
  }
});

test('the chart refuses a controller/algorithm pair the controller cannot do, even without validation', () => {
  const environment = withRouting(local, {
    ingress: { ...local.ingress!, controller: 'ingress-nginx', loadBalancing: 'least-connections' },
  });
  assert.throws(() => render(environment), {
    message:
      "ingress-nginx cannot do 'least-connections' (its Lua balancer dropped least_conn in 2019; it supports round-robin, ewma): " +
      "choose 'ewma' (latency-aware) or 'round-robin', or switch ingress.controller to 'f5-nginx-ingress' or 'haproxy-ingress' for least-connections",
  });
});
