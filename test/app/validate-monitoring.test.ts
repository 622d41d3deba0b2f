import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { local } from '../../config/environments/local.ts';
import { production } from '../../config/environments/production.ts';
import type { EnvironmentConfig } from '../../config/types.ts';
import { EnvironmentValidationError, environmentProblems, validateEnvironment } from '../../config/validate.ts';
import { parsePrometheusDuration } from '../../config/validate-monitoring.ts';

function copyOf(environment: EnvironmentConfig): any {
  return JSON.parse(JSON.stringify(environment));
}

const CASES: { name: string; base: EnvironmentConfig; mutate: (environment: any) => void; problems: string[] }[] = [
  {
    name: 'a missing monitoring block',
    base: local,
    mutate: (environment) => {
      delete environment.monitoring;
    },
    problems: ['local.monitoring: missing; set { enabled: false }, or the Prometheus that scrapes the shop (see production.ts)'],
  },
  {
    name: 'enabled that is not a boolean',
    base: local,
    mutate: (environment) => {
      environment.monitoring.enabled = 'yes';
    },
    problems: ["local.monitoring.enabled: 'yes' must be true or false"],
  },
  {
    name: 'no Prometheus pod labels (every pod of the monitoring namespace would reach the sections)',
    base: production,
    mutate: (environment) => {
      environment.monitoring.prometheusPodLabels = {};
    },
    problems: [
      "production.monitoring.prometheusPodLabels: empty; name the Prometheus pods' labels (prometheus-operator: " +
        "{ 'app.kubernetes.io/name': 'prometheus' }), or every pod of the monitoring namespace may call the sections",
    ],
  },
  {
    name: 'an invalid Prometheus namespace',
    base: production,
    mutate: (environment) => {
      environment.monitoring.namespace = 'Monitoring';
    },
    problems: [
      "production.monitoring.namespace: 'Monitoring' is not a valid namespace name; use the namespace Prometheus runs in (e.g. 'monitoring')",
    ],
  },
  {
    name: 'a scrape interval that is not a Prometheus duration',
    base: production,
    mutate: (environment) => {
      environment.monitoring.scrapeInterval = '30';
    },
    problems: ["production.monitoring.scrapeInterval: '30' is not a Prometheus duration; write it like '30s' or '1m'"],
  },
  {
    name: 'a scrape interval past the 5m lookback',
    base: production,
    mutate: (environment) => {
      environment.monitoring.scrapeInterval = '5m1s';
    },
    problems: [
      "production.monitoring.scrapeInterval: '5m1s' must be from 1s to 5m (beyond Prometheus's 5m lookback every series goes stale between scrapes)",
    ],
  },
  {
    name: 'a zero scrape interval',
    base: production,
    mutate: (environment) => {
      environment.monitoring.scrapeInterval = '0s';
    },
    problems: [
      "production.monitoring.scrapeInterval: '0s' must be from 1s to 5m (beyond Prometheus's 5m lookback every series goes stale between scrapes)",
    ],
  },
  {
    name: 'a PodMonitor label that Kubernetes would refuse',
    base: production,
    mutate: (environment) => {
      environment.monitoring.podMonitorLabels = { 'release name': 'kube prometheus' };
    },
    problems: [
      "production.monitoring.podMonitorLabels: 'release name' is not a label key; use [prefix/]name, name up to 63 letters, digits, '-', '_' or '.'",
      "production.monitoring.podMonitorLabels.release name: 'kube prometheus' is not a label value; " +
        "use a string of up to 63 letters, digits, '-', '_' or '.'",
    ],
  },
  {
    name: 'no dashboard label (the sidecar would never load the dashboard)',
    base: production,
    mutate: (environment) => {
      environment.monitoring.dashboardLabels = {};
    },
    problems: [
      "production.monitoring.dashboardLabels: empty; Grafana's sidecar loads only labelled ConfigMaps (kube-prometheus-stack: { grafana_dashboard: '1' })",
    ],
  },
];

describe('monitoring validation', () => {
  test('local switches monitoring off and production scrapes with the kube-prometheus-stack defaults, both valid', () => {
    assert.deepEqual(local.monitoring, { enabled: false });
    assert.deepEqual(production.monitoring, {
      enabled: true,
      namespace: 'monitoring',
      scrapeInterval: '30s',
      podMonitorLabels: { release: 'kube-prometheus-stack' },
      prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
      dashboardLabels: { grafana_dashboard: '1' },
    });
    assert.deepEqual(environmentProblems(production), []);
  });

  for (const { name, base, mutate, problems } of CASES) {
    test(`reports ${name} with field path, value and fix`, () => {
      const environment = copyOf(base);
      mutate(environment);
      assert.deepEqual(environmentProblems(environment), problems);
    });
  }

  test('an empty PodMonitor label set is allowed (for a Prometheus that selects every PodMonitor)', () => {
    const environment = copyOf(production);
    environment.monitoring.podMonitorLabels = {};
    assert.deepEqual(environmentProblems(environment), []);
  });

  test('monitoring problems are listed with the others, in field order', () => {
    const environment = copyOf(production);
    environment.monitoring.scrapeInterval = 'often';
    environment.sections.cakes.image.tag = 'latest';
    assert.throws(
      () => validateEnvironment(environment),
      (error: unknown) => {
        assert.ok(error instanceof EnvironmentValidationError);
        assert.deepEqual(
          error.problems.map((problem) => problem.split(':')[0]),
          ['production.monitoring.scrapeInterval', 'production.sections.cakes.image.tag'],
        );
        return true;
      },
    );
  });
});

describe('parsePrometheusDuration', () => {
  test('adds up the units in Prometheus order', () => {
    assert.equal(parsePrometheusDuration('30s'), 30_000);
    assert.equal(parsePrometheusDuration('1m30s'), 90_000);
    assert.equal(parsePrometheusDuration('1h'), 3_600_000);
    assert.equal(parsePrometheusDuration('250ms'), 250);
    assert.equal(parsePrometheusDuration('0'), 0);
  });

  test('refuses what Prometheus refuses: no unit, units out of order, fractions, empty', () => {
    for (const text of ['30', '30s1m', '1.5s', '', ' 30s', '30S']) assert.equal(parsePrometheusDuration(text), undefined, text);
  });
});
