// The monitoring part of environment validation (config/validate.ts lists these with the rest).

import { isDns1123Label, isLabelKey, isLabelValue } from './kubernetes-names.ts';
import type { EnvironmentConfig, PrometheusMonitoring } from './types.ts';

// Prometheus's duration grammar, as the prometheus-operator CRDs pattern it: units in this order, each at most once.
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
const MIN_SCRAPE_MS = 1000;
// Prometheus's lookback delta: a series with no sample for 5 minutes counts as gone, so panels would break up.
const MAX_SCRAPE_MS = 5 * 60_000;

/** Milliseconds in a Prometheus duration such as `30s` or `1m30s`; undefined when it is not one. */
export function parsePrometheusDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const match = text === '' ? null : DURATION.exec(text);
  if (match === null) return undefined;
  return match.slice(1).reduce((total, amount, unit) => total + Number(amount ?? 0) * DURATION_UNIT_MS[unit], 0);
}

/** Every problem in `environment.monitoring`, in field order. */
export function monitoringProblems(environment: EnvironmentConfig): string[] {
  const at = `${environment.name}.monitoring`;
  const monitoring = environment.monitoring as EnvironmentConfig['monitoring'] | undefined;
  if (monitoring === undefined || monitoring === null || typeof monitoring !== 'object') {
    return [`${at}: missing; set { enabled: false }, or the Prometheus that scrapes the shop (see production.ts)`];
  }
  if (monitoring.enabled === false) return [];
  const enabled: unknown = monitoring.enabled;
  if (enabled !== true) return [`${at}.enabled: '${String(enabled)}' must be true or false`];
  return prometheusProblems(at, monitoring);
}

function prometheusProblems(at: string, monitoring: PrometheusMonitoring): string[] {
  const problems: string[] = [];
  const { namespace, scrapeInterval, podMonitorLabels, prometheusPodLabels, dashboardLabels } = monitoring;
  if (!isDns1123Label(String(namespace))) {
    problems.push(
      `${at}.namespace: '${namespace}' is not a valid namespace name; use the namespace Prometheus runs in (e.g. 'monitoring')`,
    );
  }
  const interval = typeof scrapeInterval === 'string' ? parsePrometheusDuration(scrapeInterval) : undefined;
  if (interval === undefined) {
    problems.push(`${at}.scrapeInterval: '${scrapeInterval}' is not a Prometheus duration; write it like '30s' or '1m'`);
  } else if (interval < MIN_SCRAPE_MS || interval > MAX_SCRAPE_MS) {
    problems.push(
      `${at}.scrapeInterval: '${scrapeInterval}' must be from 1s to 5m (beyond Prometheus's 5m lookback every series goes stale between scrapes)`,
    );
  }
  problems.push(...labelProblems(`${at}.podMonitorLabels`, podMonitorLabels));
  problems.push(...labelProblems(`${at}.prometheusPodLabels`, prometheusPodLabels));
  if (typeof prometheusPodLabels === 'object' && prometheusPodLabels !== null && Object.keys(prometheusPodLabels).length === 0) {
    problems.push(
      `${at}.prometheusPodLabels: empty; name the Prometheus pods' labels (prometheus-operator: { 'app.kubernetes.io/name': 'prometheus' }), ` +
        'or every pod of the monitoring namespace may call the sections',
    );
  }
  problems.push(...labelProblems(`${at}.dashboardLabels`, dashboardLabels));
  if (typeof dashboardLabels === 'object' && dashboardLabels !== null && Object.keys(dashboardLabels).length === 0) {
    problems.push(
      `${at}.dashboardLabels: empty; Grafana's sidecar loads only labelled ConfigMaps (kube-prometheus-stack: { grafana_dashboard: '1' })`,
    );
  }
  return problems;
}

function labelProblems(at: string, labels: Readonly<Record<string, string>> | undefined): string[] {
  if (labels === undefined || labels === null || typeof labels !== 'object')
    return [`${at}: missing; set the labels as an object (may be {})`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!isLabelKey(key)) {
      problems.push(`${at}: '${key}' is not a label key; use [prefix/]name, name up to 63 letters, digits, '-', '_' or '.'`);
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      problems.push(`${at}.${key}: '${String(value)}' is not a label value; use a string of up to 63 letters, digits, '-', '_' or '.'`);
    }
  }
  return problems;
}
