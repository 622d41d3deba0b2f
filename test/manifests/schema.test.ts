// Every object in dist/ (and in every environment) validates against the Kubernetes OpenAPI schema via
// kubernetes-models, carries no field that schema does not define (unknown-fields.ts: kubernetes-models
// alone ignores them), and uses exactly the reviewed field paths in expected-field-paths.json: a new
// path fails until reviewed, and a path that disappears (cdk8s-plus-27 silently drops patched keys
// Kubernetes 1.27 lacks) fails too. UPDATE_FIELD_PATHS=1 rewrites the file; review its diff.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';

import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

import type { Manifest } from '../charts/render.ts';
import { CrdValidators } from './crd-schema.ts';
import { fieldPaths } from './field-paths.ts';
import { allManifestSets } from './load-manifests.ts';
import { unknownFields } from './unknown-fields.ts';

const MODELS: Record<string, { apiVersion: string; create: (data: any) => { validate(): void } }> = {
  Namespace: { apiVersion: 'v1', create: (data) => new Namespace(data) },
  ServiceAccount: { apiVersion: 'v1', create: (data) => new ServiceAccount(data) },
  Service: { apiVersion: 'v1', create: (data) => new Service(data) },
  Deployment: { apiVersion: 'apps/v1', create: (data) => new Deployment(data) },
  HorizontalPodAutoscaler: { apiVersion: 'autoscaling/v2', create: (data) => new HorizontalPodAutoscaler(data) },
  PodDisruptionBudget: { apiVersion: 'policy/v1', create: (data) => new PodDisruptionBudget(data) },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', create: (data) => new NetworkPolicy(data) },
  Ingress: { apiVersion: 'networking.k8s.io/v1', create: (data) => new Ingress(data) },
  ConfigMap: { apiVersion: 'v1', create: (data) => new ConfigMap(data) },
};

const EXPECTED_FILE = new URL('./expected-field-paths.json', import.meta.url);
// Custom resources (Gateway API, Envoy Gateway, prometheus-operator) are validated against their CRDs by
// crd-schema.test.ts and custom-resources.test.ts.
const crds = new CrdValidators();
const sets = allManifestSets().map(({ label, manifests }) => ({ label, manifests: manifests.filter((each) => !crds.serves(each)) }));
const everyObject = allManifestSets();

for (const { label, manifests } of sets) {
  test(`every object validates against the Kubernetes schema (${label})`, () => {
    for (const manifest of manifests) {
      const model = MODELS[manifest.kind];
      assert.ok(model, `${manifest.kind}/${manifest.metadata.name}: no schema model registered for this kind`);
      assert.equal(manifest.apiVersion, model.apiVersion, `${manifest.kind}/${manifest.metadata.name}: apiVersion`);
      assert.doesNotThrow(() => model.create(structuredClone(manifest)).validate(), `${manifest.kind}/${manifest.metadata.name}`);
    }
  });
}

for (const { label, manifests } of sets) {
  test(`no object carries a field the Kubernetes schema does not define (${label})`, () => {
    for (const manifest of manifests) {
      assert.deepEqual(
        unknownFields(MODELS[manifest.kind].create(structuredClone(manifest))),
        [],
        `${manifest.kind}/${manifest.metadata.name}`,
      );
    }
  });
}

test('the unknown-field check finds a misspelt or invented field at any depth, and accepts any label key', () => {
  const deployment = structuredClone(sets[0].manifests.find((m) => m.kind === 'Deployment')!);
  deployment.spec.template.spec.securityContext.seccompProfiles = { type: 'RuntimeDefault' };
  deployment.spec.template.spec.containers[0].readinesProbe = {};
  deployment.spec.replica = 2;
  (deployment.metadata.labels as Record<string, string>)['example.com/any-label'] = 'ok';
  assert.deepEqual(unknownFields(MODELS.Deployment.create(deployment)).sort(), [
    'spec.replica',
    'spec.template.spec.containers[0].readinesProbe',
    'spec.template.spec.securityContext.seccompProfiles',
  ]);
});

test('the schema check rejects a malformed object (the validator is really wired up)', () => {
  const deployment = sets[0].manifests.find((m) => m.kind === 'Deployment')!;
  const broken = structuredClone(deployment);
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
  assert.throws(() => MODELS.Deployment.create(broken).validate());
});

test('every object uses exactly the reviewed field paths (no unknown field slipped in, no patched field dropped)', () => {
  const actual = pathsByKind(everyObject.flatMap((set) => set.manifests));
  if (process.env.UPDATE_FIELD_PATHS === '1') writeFileSync(EXPECTED_FILE, `${JSON.stringify(actual, null, 2)}\n`);
  const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, string[]>;
  for (const kind of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const unexpected = (actual[kind] ?? []).filter((path) => !(expected[kind] ?? []).includes(path));
    const missing = (expected[kind] ?? []).filter((path) => !(actual[kind] ?? []).includes(path));
    assert.deepEqual({ kind, unexpected, missing }, { kind, unexpected: [], missing: [] });
  }
});

function pathsByKind(manifests: readonly Manifest[]): Record<string, string[]> {
  const byKind: Record<string, Set<string>> = {};
  for (const manifest of manifests) {
    byKind[manifest.kind] ??= new Set();
    const set = byKind[manifest.kind];
    for (const path of fieldPaths(manifest)) set.add(path);
  }
  return Object.fromEntries(
    Object.keys(byKind)
      .sort()
      .map((kind) => [kind, [...byKind[kind]].sort()]),
  );
}
