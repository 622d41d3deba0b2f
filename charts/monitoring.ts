import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import type { EnvironmentConfig, PrometheusMonitoring } from '../config/types.ts';
import { SECTION_NAMES, type SectionName } from '../config/vocabulary.ts';
import { PodMonitor, PodMonitorSpecPodMetricsEndpointsRelabelingsAction } from '../imports/podmonitor-monitoring.coreos.com.ts';
import { type DashboardSection, SECTION_LABEL, shopDashboard } from './dashboard.ts';
import { pascalCase } from './section-backends.ts';
import { PORT_NAME, type SweetShopService } from './sweetshop-service.ts';

/** Where every replica serves its Prometheus metrics (docs/contracts.md). */
export const METRICS_PATH = '/metrics';
/** Name of the ConfigMap holding the dashboard; its data key is `sweetshop-<env>.json`. */
const DASHBOARD_CONFIGMAP_NAME = 'sweetshop-dashboard';
/** Suffix of each section's scrape NetworkPolicy (`<section>-metrics`), next to its own `<section>` policy. */
const METRICS_POLICY_SUFFIX = '-metrics';

export interface ShopMonitoringProps {
  /** A validated environment: its name, namespace and each section's CPU target go onto the dashboard. */
  readonly environment: EnvironmentConfig;
  /** The environment's monitoring settings, switched on. */
  readonly monitoring: PrometheusMonitoring;
  readonly sections: Readonly<Record<SectionName, SweetShopService>>;
  /** Labels shared by every object of the chart (part-of, managed-by). */
  readonly commonLabels: Readonly<Record<string, string>>;
}

/**
 * Everything a prometheus-operator Prometheus and Grafana need to watch the shop: per section a PodMonitor
 * (port `http`, path /metrics) and a NetworkPolicy that lets the Prometheus namespace reach that port,
 * plus one dashboard ConfigMap for Grafana's sidecar. All in the shop's namespace, next to the Deployments.
 */
export class ShopMonitoring extends Construct {
  public readonly podMonitors: Readonly<Record<SectionName, PodMonitor>>;
  public readonly scrapePolicies: Readonly<Record<SectionName, kplus.k8s.KubeNetworkPolicy>>;
  public readonly dashboard: kplus.k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: ShopMonitoringProps) {
    super(scope, id);
    const perSection = <T>(build: (section: SectionName, service: SweetShopService) => T) =>
      Object.fromEntries(SECTION_NAMES.map((section) => [section, build(section, props.sections[section])])) as Record<SectionName, T>;
    this.podMonitors = perSection((section, service) => this.buildPodMonitor(section, service, props.monitoring));
    this.scrapePolicies = perSection((section, service) => this.buildScrapePolicy(section, service, props.monitoring));
    this.dashboard = this.buildDashboard(props);
  }

  /** Scrapes every pod of the section on its `http` port, labelling the series with the section's name. */
  private buildPodMonitor(section: SectionName, service: SweetShopService, monitoring: PrometheusMonitoring): PodMonitor {
    return new PodMonitor(this, `${pascalCase(section)}PodMonitor`, {
      metadata: { name: section, labels: { ...labelsOf(service), ...monitoring.podMonitorLabels } },
      spec: {
        selector: { matchLabels: { ...service.selectorLabels } },
        podMetricsEndpoints: [
          {
            port: PORT_NAME,
            path: METRICS_PATH,
            interval: monitoring.scrapeInterval,
            relabelings: [
              {
                action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE,
                sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
                targetLabel: SECTION_LABEL,
              },
            ],
          },
        ],
      },
    });
  }

  /**
   * Lets the Prometheus pods in on the metrics port, and nothing else: the section's own policy keeps
   * every other rule. The metrics share the API's port, so Prometheus can call the API too (see
   * docs/monitoring.md). Ingress only: egress stays as the section's policy says.
   */
  private buildScrapePolicy(
    section: SectionName,
    service: SweetShopService,
    monitoring: PrometheusMonitoring,
  ): kplus.k8s.KubeNetworkPolicy {
    return new kplus.k8s.KubeNetworkPolicy(this, `${pascalCase(section)}ScrapePolicy`, {
      metadata: { name: `${section}${METRICS_POLICY_SUFFIX}`, labels: labelsOf(service) },
      spec: {
        podSelector: { matchLabels: { ...service.selectorLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoring.namespace } },
                podSelector: { matchLabels: { ...monitoring.prometheusPodLabels } },
              },
            ],
            ports: [{ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(metricsPortOf(service)) }],
          },
        ],
      },
    });
  }

  private buildDashboard(props: ShopMonitoringProps): kplus.k8s.KubeConfigMap {
    const { environment } = props;
    const sections: DashboardSection[] = SECTION_NAMES.map((section) => {
      const service = props.sections[section];
      return {
        section,
        deploymentName: service.deployment.name,
        hpaName: service.hpa.name,
        containerName: applicationContainer(service).name,
        cpuTargetPercent: environment.sections[section].cpuTargetPercent,
      };
    });
    const dashboard = shopDashboard({ environmentName: environment.name, namespace: environment.namespace, sections });
    return new kplus.k8s.KubeConfigMap(this, 'Dashboard', {
      metadata: {
        name: DASHBOARD_CONFIGMAP_NAME,
        labels: { ...props.commonLabels, 'app.kubernetes.io/component': 'monitoring', ...props.monitoring.dashboardLabels },
      },
      data: { [`sweetshop-${environment.name}.json`]: `${JSON.stringify(dashboard, null, 2)}\n` },
    });
  }
}

/** The labels of the section's Deployment: its PodMonitor and scrape policy belong to the same section. */
function labelsOf(service: SweetShopService): Record<string, string> {
  return { ...(service.deployment.metadata.toJson().labels as Record<string, string>) };
}

function applicationContainer(service: SweetShopService): kplus.Container {
  const [container] = service.deployment.containers;
  if (container === undefined) throw new Error(`${service.node.path}: the Deployment has no container to monitor`);
  return container;
}

/** The container port named `http`: what the PodMonitor scrapes, hence what the scrape policy must open. */
function metricsPortOf(service: SweetShopService): number {
  const port = applicationContainer(service).ports.find((candidate) => candidate.name === PORT_NAME);
  if (port === undefined) throw new Error(`${service.node.path}: no container port named '${PORT_NAME}' to scrape`);
  return port.number;
}
