// Every custom resource the chart renders (dist/ and every environment) validates strictly against its
// vendored CRD (crd-schema.ts), and the check itself catches what it claims to.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { production } from '../../config/environments/production.ts';
import { findObject, render } from '../charts/render.ts';
import { CrdValidators } from './crd-schema.ts';
import { allManifestSets } from './load-manifests.ts';

const schemas = new CrdValidators();
const BUILT_IN_GROUPS = new Set(['v1', 'apps/v1', 'autoscaling/v2', 'policy/v1', 'networking.k8s.io/v1']);

for (const { label, manifests } of allManifestSets()) {
  test(`every custom resource is valid against its vendored CRD, unknown fields refused (${label})`, () => {
    for (const manifest of manifests.filter((m) => schemas.serves(m))) {
      assert.deepEqual(schemas.problems(manifest), [], `${manifest.kind}/${manifest.metadata.name}`);
    }
  });

  test(`every object is either a built-in kind or a custom resource a vendored CRD defines (${label})`, () => {
    const unknown = manifests.filter((m) => !BUILT_IN_GROUPS.has(m.apiVersion) && !schemas.serves(m));
    assert.deepEqual(
      unknown.map((m) => `${m.apiVersion} ${m.kind}/${m.metadata.name}`),
      [],
    );
  });
}

test('the vendored CRDs define the PodMonitor the chart renders (monitoring.coreos.com/v1)', () => {
  assert.ok(schemas.types.includes('monitoring.coreos.com/v1 PodMonitor'), schemas.types.join(', '));
  assert.ok(render(production).some((m) => m.kind === 'PodMonitor' && schemas.serves(m)));
});

test('the check refuses unknown fields at any depth, wrong types, enum and pattern violations, and malformed metadata', () => {
  const podMonitor = structuredClone(findObject(render(production), 'PodMonitor', 'chocolates'));
  const endpoint = podMonitor.spec.podMetricsEndpoints[0];
  endpoint.intervall = '30s';
  endpoint.interval = '30 seconds';
  endpoint.relabelings[0].action = 'rename';
  podMonitor.spec.selector.matchLabel = {};
  podMonitor.spec.podTargetLabels = 'app';
  (podMonitor.metadata.labels as Record<string, string>).release = 'kube prometheus';
  podMonitor.metadata.uid = 'x';
  assert.deepEqual(schemas.problems(podMonitor).sort(), [
    'metadata.labels.release: must match pattern "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"',
    "metadata: unknown field 'uid' (the API server would prune it)",
    'spec.podMetricsEndpoints.0.interval: must match pattern "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"',
    'spec.podMetricsEndpoints.0.relabelings.0.action: must be equal to one of the allowed values ' +
      '(replace, Replace, keep, Keep, drop, Drop, hashmod, HashMod, labelmap, LabelMap, labeldrop, LabelDrop, labelkeep, LabelKeep, ' +
      'lowercase, Lowercase, uppercase, Uppercase, keepequal, KeepEqual, dropequal, DropEqual)',
    "spec.podMetricsEndpoints.0: unknown field 'intervall' (the API server would prune it)",
    'spec.podTargetLabels: must be array',
    "spec.selector: unknown field 'matchLabel' (the API server would prune it)",
  ]);
});

test('the check refuses a missing required field and duplicates in list-type set and map lists', () => {
  const podMonitor = structuredClone(findObject(render(production), 'PodMonitor', 'chocolates'));
  delete podMonitor.spec.selector;
  podMonitor.spec.scrapeProtocols = ['PrometheusText1.0.0', 'PrometheusText1.0.0'];
  const binding = { group: 'monitoring.coreos.com', resource: 'prometheuses', name: 'k8s', namespace: 'monitoring' };
  podMonitor.status = { bindings: [binding, { ...binding }] };
  assert.deepEqual(schemas.problems(podMonitor).sort(), [
    'spec.scrapeProtocols: duplicate items in a list-type set list',
    "spec: must have required property 'selector'",
    'status.bindings: duplicate items in a list-type map list',
  ]);
  podMonitor.spec.scrapeProtocols = ['PrometheusText1.0.0', 'OpenMetricsText1.0.0'];
  podMonitor.status.bindings[1].name = 'other';
  assert.deepEqual(schemas.problems(podMonitor), ["spec: must have required property 'selector'"]);
});
