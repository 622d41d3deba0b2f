import { kubeContext, type Provider } from './cluster.ts';
import { commandStep, type Step } from './runbook.ts';

/**
 * kube-prometheus-stack as `cluster:up --monitoring` installs it. Release name and namespace are the ones
 * production's monitoring data expects (its PodMonitors carry `release: <release>`, its scrape policies
 * admit <namespace>; a test keeps them equal). Chart 88.2.0 runs prometheus-operator v0.93.0, the version
 * whose PodMonitor CRD is vendored under crds/.
 */
export const MONITORING_RELEASE = 'kube-prometheus-stack';
export const MONITORING_NAMESPACE = 'monitoring';
/** The chart and the release of it that is installed (tools/outdated reports when a newer one exists). */
export const MONITORING_CHART = {
  repo: 'https://prometheus-community.github.io/helm-charts',
  name: 'kube-prometheus-stack',
  version: '88.2.0',
};

/** Helm's timeout for the first install: it pulls Prometheus, Grafana, the operator and exporters. */
const INSTALL_TIMEOUT = '10m';

/** Installs or upgrades the stack (idempotent: `helm upgrade --install`) and waits until its workloads are ready. */
export function monitoringSteps(provider: Provider): Step[] {
  return [
    commandStep([
      'helm',
      '--kube-context',
      kubeContext(provider),
      'upgrade',
      '--install',
      MONITORING_RELEASE,
      MONITORING_CHART.name,
      '--repo',
      MONITORING_CHART.repo,
      '--version',
      MONITORING_CHART.version,
      '--namespace',
      MONITORING_NAMESPACE,
      '--create-namespace',
      '--wait',
      '--timeout',
      INSTALL_TIMEOUT,
    ]),
  ];
}
