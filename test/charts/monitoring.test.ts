import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ApiObject } from 'cdk8s';

import { CHART_ID } from '../../app/build-app.ts';
import { SweetShopChart } from '../../charts/sweetshop-chart.ts';
import { local } from '../../config/environments/local.ts';
import { production } from '../../config/environments/production.ts';
import type { EnvironmentConfig, PrometheusMonitoring } from '../../config/types.ts';
import { SECTION_NAMES } from '../../config/vocabulary.ts';
import { findObject, type Manifest, render, testApp } from './render.ts';

const BUILT_IN_API_VERSIONS = ['v1', 'apps/v1', 'autoscaling/v2', 'policy/v1', 'networking.k8s.io/v1'];
// kubectl's client-side apply copies the whole object into an annotation, which the API server caps at 256 KiB.
const LAST_APPLIED_LIMIT_BYTES = 256 * 1024;

const monitoring = production.monitoring as PrometheusMonitoring;

describe('monitoring off (local): nothing that needs the prometheus-operator CRDs', () => {
  const manifests = render(local);

  test('renders no PodMonitor, scrape policy or dashboard', () => {
    const monitoringObjects = manifests.filter(
      (m) => m.kind === 'PodMonitor' || m.kind === 'ConfigMap' || m.metadata.name.endsWith('-metrics'),
    );
    assert.deepEqual(monitoringObjects, []);
  });

  test('every object is a built-in Kubernetes API, so dist/ applies to a bare kind/minikube cluster', () => {
    for (const m of manifests) assert.ok(BUILT_IN_API_VERSIONS.includes(m.apiVersion), `${m.apiVersion} ${m.kind}/${m.metadata.name}`);
  });

  test('the sections admit nobody from a monitoring namespace', () => {
    for (const section of SECTION_NAMES) assert.deepEqual(admittedPorts(manifests, podLabels(manifests, section), 'monitoring'), []);
  });
});

for (const environment of [production, withMonitoring(local)]) {
  describe(`monitoring on (${environment.name})`, () => {
    const manifests = render(environment);
    const settings = environment.monitoring as PrometheusMonitoring;
    for (const section of SECTION_NAMES) podMonitorTests(environment, manifests, section, settings);
    scrapePolicyTests(environment, manifests, settings);
    dashboardTests(environment, manifests, settings);
  });
}

function podMonitorTests(environment: EnvironmentConfig, manifests: Manifest[], section: string, settings: PrometheusMonitoring): void {
  test(`${section}: a monitoring.coreos.com/v1 PodMonitor next to the Deployment, labelled for the Prometheus's selector`, () => {
    const podMonitor = findObject(manifests, 'PodMonitor', section);
    assert.equal(podMonitor.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(podMonitor.metadata.namespace, environment.namespace);
    const labels = podMonitor.metadata.labels as Record<string, string>;
    for (const [key, value] of Object.entries(settings.podMonitorLabels)) assert.equal(labels[key], value, key);
    assert.equal(labels['app.kubernetes.io/name'], section);
  });

  test(`${section}: the PodMonitor selects exactly the section's pods and scrapes their container port http at /metrics`, () => {
    const { spec } = findObject(manifests, 'PodMonitor', section);
    const deployment = findObject(manifests, 'Deployment', section);
    assert.deepEqual(spec.selector, deployment.spec.selector);
    assert.equal(spec.namespaceSelector, undefined, 'defaults to the PodMonitor namespace, which is the pods namespace');
    assert.equal(spec.podMetricsEndpoints.length, 1);
    const [endpoint] = spec.podMetricsEndpoints;
    assert.deepEqual(
      { port: endpoint.port, path: endpoint.path, interval: endpoint.interval },
      { port: 'http', path: '/metrics', interval: settings.scrapeInterval },
    );
    const containerPorts = deployment.spec.template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.name));
    assert.ok(containerPorts.includes(endpoint.port), `no container port named ${endpoint.port}: ${containerPorts}`);
  });

  test(`${section}: every series gets a section label from the pod's app.kubernetes.io/name (the dashboard groups by it)`, () => {
    const [endpoint] = findObject(manifests, 'PodMonitor', section).spec.podMetricsEndpoints;
    assert.deepEqual(endpoint.relabelings, [
      { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], targetLabel: 'section' },
    ]);
    assert.equal(podLabels(manifests, section)['app.kubernetes.io/name'], section);
  });
}

function scrapePolicyTests(environment: EnvironmentConfig, manifests: Manifest[], settings: PrometheusMonitoring): void {
  test('each section has a <section>-metrics policy: the Prometheus pods in, on the scraped port only', () => {
    for (const section of SECTION_NAMES) {
      const policy = findObject(manifests, 'NetworkPolicy', `${section}-metrics`);
      assert.equal(policy.metadata.namespace, environment.namespace);
      assert.deepEqual(policy.spec, {
        podSelector: findObject(manifests, 'Deployment', section).spec.selector,
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': settings.namespace } },
                podSelector: { matchLabels: settings.prometheusPodLabels },
              },
            ],
            ports: [{ protocol: 'TCP', port: httpContainerPort(manifests, section) }],
          },
        ],
      });
    }
  });

  test('over all policies, the Prometheus pods reach each section on the metrics port, their neighbours nothing', () => {
    for (const section of SECTION_NAMES) {
      const labels = podLabels(manifests, section);
      const prometheus = { ...settings.prometheusPodLabels, 'app.kubernetes.io/instance': 'k8s' };
      assert.deepEqual(admittedPorts(manifests, labels, settings.namespace, prometheus), [httpContainerPort(manifests, section)], section);
      const grafana = { 'app.kubernetes.io/name': 'grafana' };
      assert.deepEqual(admittedPorts(manifests, labels, settings.namespace, grafana), [], `${section}: Grafana beside Prometheus`);
      assert.deepEqual(admittedPorts(manifests, labels, 'default'), [], `${section}: another namespace`);
      assert.deepEqual(egressTypes(manifests, labels), ['Egress'], `${section}: egress still governed by the section's own policy`);
    }
  });

  test('the scrape policies do not widen anything for the routing controller namespace', () => {
    const without = render({ ...environment, monitoring: { enabled: false } });
    for (const section of SECTION_NAMES) {
      const namespace = (environment.ingress ?? environment.gateway).controllerNamespace;
      assert.deepEqual(
        admittedPorts(manifests, podLabels(manifests, section), namespace),
        admittedPorts(without, podLabels(without, section), namespace),
      );
    }
  });
}

function dashboardTests(environment: EnvironmentConfig, manifests: Manifest[], settings: PrometheusMonitoring): void {
  test("the dashboard ConfigMap carries the Grafana sidecar's label, in the shop namespace, under the apply size limit", () => {
    const configMap = findObject(manifests, 'ConfigMap', 'sweetshop-dashboard');
    assert.equal(configMap.metadata.namespace, environment.namespace);
    const labels = configMap.metadata.labels as Record<string, string>;
    for (const [key, value] of Object.entries(settings.dashboardLabels)) assert.equal(labels[key], value, key);
    assert.deepEqual(Object.keys(configMap.data), [`sweetshop-${environment.name}.json`]);
    assert.ok(JSON.stringify(configMap).length < LAST_APPLIED_LIMIT_BYTES / 4, 'leaves room under the last-applied annotation cap');
  });

  test('the dashboard has the traffic panels and, per section, replicas vs HPA bounds and CPU vs request', () => {
    const dashboard = dashboardOf(manifests, environment);
    assert.equal(dashboard.uid, `sweetshop-${environment.name}`);
    assert.deepEqual(
      dashboard.templating.list.map((v: any) => [v.name, v.type, v.query]),
      [['datasource', 'datasource', 'prometheus']],
    );
    assert.deepEqual(
      dashboard.panels.map((panel: any) => panel.title),
      [
        'Requests per second',
        'Error ratio (5xx / all)',
        'Latency p50 / p99',
        ...SECTION_NAMES.flatMap((s) => [`${s}: replicas vs HPA min / max`, `${s}: CPU used vs requested (cores)`]),
      ],
    );
    assert.equal(new Set(dashboard.panels.map((panel: any) => panel.id)).size, dashboard.panels.length, 'panel ids are unique');
  });

  test("each section's CPU panel draws the HPA target from the environment's cpuTargetPercent", () => {
    const panels = dashboardOf(manifests, environment).panels;
    for (const section of SECTION_NAMES) {
      const cpu = panels.find((panel: any) => panel.title === `${section}: CPU used vs requested (cores)`);
      const target = cpu.targets.find((t: any) => t.legendFormat.startsWith('HPA target'));
      assert.ok(target.expr.endsWith(` * ${environment.sections[section].cpuTargetPercent / 100}`), target.expr);
      assert.match(target.expr, new RegExp(`pod=~"${section}-\\[a-z0-9\\]\\+-\\[a-z0-9\\]\\+"`));
    }
  });
}

test('the scrape interval and labels follow the environment data', () => {
  const changed = withMonitoring(production, { scrapeInterval: '15s', podMonitorLabels: { prometheus: 'main' } });
  const podMonitor = findObject(render(changed), 'PodMonitor', 'cakes');
  assert.equal(podMonitor.spec.podMetricsEndpoints[0].interval, '15s');
  assert.equal((podMonitor.metadata.labels as Record<string, string>).prometheus, 'main');
  assert.equal((podMonitor.metadata.labels as Record<string, string>).release, undefined);
});

test('monitoring objects sit at pinned construct paths, and none carries a construct-path label', () => {
  const chart = new SweetShopChart(testApp(), CHART_ID, { environment: production });
  const paths = chart.node
    .findAll()
    .filter((node): node is ApiObject => node instanceof ApiObject && node.node.path.startsWith(`${CHART_ID}/Monitoring/`))
    .map((object) => `${object.node.path} -> ${object.kind}/${object.name}`)
    .sort();
  const perSection = (id: string, name: string) => [
    `sweetshop/Monitoring/${id}PodMonitor -> PodMonitor/${name}`,
    `sweetshop/Monitoring/${id}ScrapePolicy -> NetworkPolicy/${name}-metrics`,
  ];
  assert.deepEqual(
    paths,
    [
      'sweetshop/Monitoring/Dashboard -> ConfigMap/sweetshop-dashboard',
      ...perSection('Cakes', 'cakes'),
      ...perSection('Candies', 'candies'),
      ...perSection('Chocolates', 'chocolates'),
    ].sort(),
  );
  assert.doesNotMatch(JSON.stringify(render(production)), /cdk8s\.io\/metadata\.addr/);
});

/** `environment` with monitoring switched on (production's settings unless overridden). */
function withMonitoring(environment: EnvironmentConfig, overrides: Partial<PrometheusMonitoring> = {}): EnvironmentConfig {
  return { ...environment, name: `${environment.name}-monitored`, monitoring: { ...monitoring, ...overrides } };
}

function dashboardOf(manifests: Manifest[], environment: EnvironmentConfig): any {
  return JSON.parse(findObject(manifests, 'ConfigMap', 'sweetshop-dashboard').data[`sweetshop-${environment.name}.json`]);
}

function podLabels(manifests: Manifest[], section: string): Record<string, string> {
  return findObject(manifests, 'Deployment', section).spec.template.metadata.labels;
}

function httpContainerPort(manifests: Manifest[], section: string): number {
  const [container] = findObject(manifests, 'Deployment', section).spec.template.spec.containers;
  return container.ports.find((port: any) => port.name === 'http').containerPort;
}

function selects(policy: Manifest, labels: Record<string, string>): boolean {
  const wanted = (policy.spec.podSelector.matchLabels ?? {}) as Record<string, string>;
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

/**
 * The ports a pod with `labels` admits from any pod of namespace `from`, over every NetworkPolicy that selects
 * it (policies add up). Understands the rules this chart writes: namespaceSelector by name, numeric TCP ports.
 */
/** The ports a pod labelled `fromPod` in namespace `from` may reach on pods labelled `labels`, over every policy. */
function admittedPorts(
  manifests: Manifest[],
  labels: Record<string, string>,
  from: string,
  fromPod: Record<string, string> = {},
): number[] {
  const ports = new Set<number>();
  for (const policy of manifests.filter((m) => m.kind === 'NetworkPolicy' && selects(m, labels))) {
    for (const rule of policy.spec.ingress ?? []) {
      const admits = (rule.from ?? []).some(
        (peer: any) =>
          peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === from &&
          Object.entries(peer.podSelector?.matchLabels ?? {}).every(([key, value]) => fromPod[key] === value),
      );
      if (admits) for (const port of rule.ports ?? []) ports.add(port.port);
    }
  }
  return [...ports].sort();
}

function egressTypes(manifests: Manifest[], labels: Record<string, string>): string[] {
  const types = manifests
    .filter((m) => m.kind === 'NetworkPolicy' && m.metadata.name !== 'default-deny' && selects(m, labels))
    .flatMap((m) => m.spec.policyTypes.filter((type: string) => type === 'Egress'));
  return [...new Set(types)];
}
