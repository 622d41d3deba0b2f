// cluster:up --monitoring: kube-prometheus-stack installed with Helm after the addons, as the release and in
// the namespace production's monitoring data expects; nothing changes without the flag.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { production } from '../../config/environments/production.ts';
import type { PrometheusMonitoring } from '../../config/types.ts';
import { runbookFor } from '../../tools/cluster/cli.ts';
import { MONITORING_NAMESPACE, MONITORING_RELEASE } from '../../tools/cluster/monitoring.ts';
import { describeRunbook } from '../../tools/cluster/runbook.ts';
import { fakeBin } from './fake-tools.ts';

const root = mkdtempSync(join(tmpdir(), 'sweetshop-monitoring-dry-run-'));
after(() => rmSync(root, { recursive: true, force: true }));

function dryRun(...args: string[]): string[] {
  const parsed = runbookFor([...args, '--dry-run'], { processEnv: {}, root });
  assert.notEqual(parsed, 'help');
  return parsed === 'help' ? [] : describeRunbook(parsed.runbook);
}

const helmInstall = (context: string) =>
  `helm --kube-context ${context} upgrade --install kube-prometheus-stack kube-prometheus-stack ` +
  '--repo https://prometheus-community.github.io/helm-charts --version 88.2.0 --namespace monitoring --create-namespace --wait --timeout 10m';

test('on kind: the usual cluster:up, then kube-prometheus-stack installed (or upgraded) and waited for', () => {
  assert.deepEqual(dryRun('up', '--monitoring'), [...dryRun('up'), helmInstall('kind-sweetshop')]);
});

test('on minikube: the same Helm release on the minikube context', () => {
  assert.deepEqual(dryRun('up', '--provider', 'minikube', '--monitoring'), [
    ...dryRun('up', '--provider', 'minikube'),
    helmInstall('sweetshop'),
  ]);
});

test('without --monitoring no step mentions Helm', () => {
  for (const provider of ['kind', 'minikube']) assert.ok(!dryRun('up', '--provider', provider).some((line) => line.includes('helm')));
});

test('--monitoring is refused on every other step', () => {
  for (const step of ['load', 'deploy', 'smoke', 'down']) {
    assert.throws(() => runbookFor([step, '--monitoring', '--dry-run'], { processEnv: {}, root }), {
      message: '--monitoring applies to cluster:up only',
    });
  }
});

test("the release and namespace are the ones production's PodMonitor labels and scrape policies name", () => {
  const monitoring = production.monitoring as PrometheusMonitoring;
  assert.equal(monitoring.podMonitorLabels.release, MONITORING_RELEASE);
  assert.equal(monitoring.namespace, MONITORING_NAMESPACE);
});

test('without helm, cluster:up --monitoring stops before running anything and says where to get it', () => {
  const fakes = fakeBin(['kind', 'kubectl', 'docker']);
  try {
    const result = spawnSync(process.execPath, ['tools/cluster/main.ts', 'up', '--monitoring'], { encoding: 'utf8', env: fakes.env() });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'cluster:up: helm is not installed: install it from https://helm.sh/docs/intro/install/\n');
    assert.deepEqual(fakes.calls(), []);
  } finally {
    fakes.remove();
  }
});
