// The Grafana dashboard of one environment, as the JSON Grafana's dashboard sidecar loads from a ConfigMap.
// Queries use the service's own metrics (service/src/metrics.ts), labelled by section through the
// PodMonitor's relabeling, plus kube-state-metrics and cAdvisor series that kube-prometheus-stack scrapes.
// test/charts/dashboard-queries.test.ts parses every query and checks each metric name against a live replica's
// /metrics or the documented cluster metrics (docs/monitoring.md).

/** The label the PodMonitor copies each pod's section into (from `app.kubernetes.io/name`). */
export const SECTION_LABEL = 'section';

/** The service's own series (service/src/metrics.ts). */
const SERVICE_METRICS = {
  requests: 'http_requests_total',
  durationBuckets: 'http_request_duration_seconds_bucket',
} as const;

/** Routes the kubelet's probes and Prometheus's scrapes call: not shop traffic, so left out of every panel. */
export const INFRASTRUCTURE_ROUTES = ['/livez', '/readyz', '/metrics'] as const;

/** kube-state-metrics (kube-prometheus-stack installs it) and the kubelet's cAdvisor, names as they document them. */
const CLUSTER_METRICS = {
  hpaMin: 'kube_horizontalpodautoscaler_spec_min_replicas',
  hpaMax: 'kube_horizontalpodautoscaler_spec_max_replicas',
  hpaCurrent: 'kube_horizontalpodautoscaler_status_current_replicas',
  hpaDesired: 'kube_horizontalpodautoscaler_status_desired_replicas',
  deploymentAvailable: 'kube_deployment_status_replicas_available',
  containerRequests: 'kube_pod_container_resource_requests',
  containerCpu: 'container_cpu_usage_seconds_total',
} as const;

/** One section as the cluster names it: what the kube-state-metrics and cAdvisor series carry. */
export interface DashboardSection {
  readonly section: string;
  readonly deploymentName: string;
  readonly hpaName: string;
  /** The application container (cAdvisor and kube-state-metrics report one series per container). */
  readonly containerName: string;
  /** The HPA's CPU target, drawn as the line above which it scales out. */
  readonly cpuTargetPercent: number;
}

export interface ShopDashboardProps {
  readonly environmentName: string;
  /** Namespace the sections run in (every series is filtered on it). */
  readonly namespace: string;
  readonly sections: readonly DashboardSection[];
}

interface Target {
  readonly expr: string;
  readonly legendFormat: string;
}

type Json = Record<string, unknown>;

// Grafana substitutes the `datasource` variable: whichever Prometheus data source the viewer picks.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const WIDTH = 24;

/** The dashboard: shop-wide traffic panels on top, then replicas and CPU per section. */
export function shopDashboard(props: ShopDashboardProps): Json {
  const panels: Json[] = [...trafficPanels(props), ...props.sections.flatMap((section, index) => sectionPanels(props, section, index))];
  return {
    uid: `sweetshop-${props.environmentName}`,
    title: `Sweet shop (${props.environmentName})`,
    tags: ['sweetshop'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', hide: 0, current: {} }],
    },
    panels: panels.map((panel, index) => ({ id: index + 1, ...panel })),
  };
}

function trafficPanels({ namespace }: ShopDashboardProps): Json[] {
  const traffic = `namespace="${namespace}", route!~"${INFRASTRUCTURE_ROUTES.join('|')}"`;
  const rate = (matchers: string) => `sum by (${SECTION_LABEL}) (rate(${SERVICE_METRICS.requests}{${matchers}}[$__rate_interval]))`;
  // `or ... * 0` keeps a section at 0 while it has served no 5xx yet (its 5xx series does not exist until then).
  const errors = `(${rate(`${traffic}, status=~"5.."`)} or ${rate(traffic)} * 0) / ${rate(traffic)}`;
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (${SECTION_LABEL}, le) (rate(${SERVICE_METRICS.durationBuckets}{${traffic}}[$__rate_interval])))`;
  const third = WIDTH / 3;
  return [
    panel('Requests per second', 'reqps', { x: 0, y: 0, w: third }, [{ expr: rate(traffic), legendFormat: `{{${SECTION_LABEL}}}` }]),
    panel('Error ratio (5xx / all)', 'percentunit', { x: third, y: 0, w: third }, [{ expr: errors, legendFormat: `{{${SECTION_LABEL}}}` }]),
    panel('Latency p50 / p99', 's', { x: 2 * third, y: 0, w: third }, [
      { expr: quantile(0.5), legendFormat: `{{${SECTION_LABEL}}} p50` },
      { expr: quantile(0.99), legendFormat: `{{${SECTION_LABEL}}} p99` },
    ]),
  ];
}

function sectionPanels({ namespace }: ShopDashboardProps, section: DashboardSection, index: number): Json[] {
  const y = 8 * (index + 1);
  const hpa = `namespace="${namespace}", horizontalpodautoscaler="${section.hpaName}"`;
  // Deployment pods are named <deployment>-<pod-template-hash>-<suffix>; cAdvisor knows pods only by name.
  const pods = `namespace="${namespace}", pod=~"${section.deploymentName}-[a-z0-9]+-[a-z0-9]+", container="${section.containerName}"`;
  const requested = `sum(${CLUSTER_METRICS.containerRequests}{${pods}, resource="cpu"})`;
  return [
    panel(`${section.section}: replicas vs HPA min / max`, 'short', { x: 0, y, w: WIDTH / 2 }, [
      { expr: `${CLUSTER_METRICS.hpaCurrent}{${hpa}}`, legendFormat: 'current' },
      { expr: `${CLUSTER_METRICS.hpaDesired}{${hpa}}`, legendFormat: 'desired' },
      {
        expr: `${CLUSTER_METRICS.deploymentAvailable}{namespace="${namespace}", deployment="${section.deploymentName}"}`,
        legendFormat: 'available',
      },
      { expr: `${CLUSTER_METRICS.hpaMin}{${hpa}}`, legendFormat: 'HPA min' },
      { expr: `${CLUSTER_METRICS.hpaMax}{${hpa}}`, legendFormat: 'HPA max' },
    ]),
    panel(`${section.section}: CPU used vs requested (cores)`, 'short', { x: WIDTH / 2, y, w: WIDTH / 2 }, [
      { expr: `sum(rate(${CLUSTER_METRICS.containerCpu}{${pods}}[$__rate_interval]))`, legendFormat: 'used' },
      { expr: requested, legendFormat: 'requested' },
      { expr: `${requested} * ${section.cpuTargetPercent / 100}`, legendFormat: `HPA target (${section.cpuTargetPercent}% of requested)` },
    ]),
  ];
}

function panel(title: string, unit: string, at: { x: number; y: number; w: number }, targets: readonly Target[]): Json {
  return {
    type: 'timeseries',
    title,
    datasource: DATASOURCE,
    gridPos: { h: 8, ...at },
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
    targets: targets.map((target, index) => ({ refId: String.fromCharCode(65 + index), datasource: DATASOURCE, ...target })),
  };
}
