// Every custom resource the chart renders (dist/ and every environment) validates strictly against the
// vendored CRD's openAPIV3Schema (crd-schema.ts); the validator itself is shown to catch what an API
// server would reject or silently prune.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { localGateway } from '../../config/environments/local-gateway.ts';
import { findObject, render } from '../charts/render.ts';
import { CrdValidators, kubernetesAjv, strictSchema } from './crd-schema.ts';
import { allManifestSets } from './load-manifests.ts';

const validators = new CrdValidators();
const sets = allManifestSets();

for (const { label, manifests } of sets) {
  test(`every custom resource is valid against its vendored CRD, unknown fields included (${label})`, () => {
    for (const manifest of manifests.filter((each) => validators.serves(each))) {
      assert.deepEqual(validators.problems(manifest), [], `${manifest.kind}/${manifest.metadata.name}`);
    }
  });
}

test('the Gateway API environments render custom resources, so the check above is not vacuous', () => {
  const kinds = sets.flatMap((set) => set.manifests.filter((each) => validators.serves(each)).map((each) => `${set.label} ${each.kind}`));
  for (const expected of ['environment local-gateway Gateway', 'environment local-gateway HTTPRoute', 'environment production HTTPRoute']) {
    assert.ok(kinds.includes(expected), expected);
  }
  assert.ok(kinds.includes('environment production BackendTrafficPolicy'));
});

describe('the validator rejects what the API server would reject or prune', () => {
  const manifests = render(localGateway);
  const route = () => structuredClone(findObject(manifests, 'HTTPRoute', 'sweetshop'));

  test('an unknown field at any depth, in metadata too', () => {
    const broken = route();
    broken.spec.rules[0].matches[0].path.prefix = '/x';
    broken.spec.parentRef = broken.spec.parentRefs[0];
    (broken.metadata as Record<string, unknown>).label = {};
    assert.deepEqual(validators.problems(broken).sort(), [
      "metadata: unknown field 'label' (the API server would prune it)",
      "spec.rules.0.matches.0.path: unknown field 'prefix' (the API server would prune it)",
      "spec: unknown field 'parentRef' (the API server would prune it)",
    ]);
  });

  test('a value outside an enum, a missing required field, and too many items', () => {
    const policy = structuredClone(findObject(manifests, 'BackendTrafficPolicy', 'sweetshop'));
    policy.spec.loadBalancer.type = 'LeastConnections';
    assert.deepEqual(validators.problems(policy), [
      'spec.loadBalancer.type: must be equal to one of the allowed values ' +
        '(ConsistentHash, LeastRequest, Random, RoundRobin, BackendUtilization, DynamicModule)',
    ]);
    const broken = route();
    delete broken.spec.rules[0].backendRefs[0].name;
    broken.spec.parentRefs = Array.from({ length: 33 }, (_, i) => ({ name: `gateway-${i}` }));
    assert.deepEqual(validators.problems(broken).sort(), [
      'spec.parentRefs: must NOT have more than 32 items',
      "spec.rules.0.backendRefs.0: must have required property 'name'",
    ]);
  });

  test('two items with the same key in a list-type map (two Gateway listeners named http)', () => {
    const gateway = structuredClone(findObject(manifests, 'Gateway', 'sweetshop'));
    gateway.spec.listeners.push({ ...gateway.spec.listeners[0], port: 8080 });
    assert.deepEqual(validators.problems(gateway), ['spec.listeners: duplicate items in a list-type map list']);
  });

  test('an apiVersion/kind no vendored CRD serves', () => {
    assert.deepEqual(validators.problems({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'TLSRoute' }), [
      'no CRD under crds/ serves gateway.networking.k8s.io/v1 TLSRoute',
    ]);
  });
});

describe('Kubernetes schema extensions', () => {
  const validate = (schema: object, data: unknown) => {
    const check = kubernetesAjv().compile(strictSchema({ type: 'object', properties: { spec: schema } }));
    return check({ spec: data }) ? 'valid' : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message}`).join('; ');
  };

  test('x-kubernetes-int-or-string takes an integer or a string, nothing else', () => {
    const schema = { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true } } };
    assert.equal(validate(schema, { port: 8080 }), 'valid');
    assert.equal(validate(schema, { port: 'http' }), 'valid');
    assert.equal(validate(schema, { port: 1.5 }), '/spec/port must pass "x-kubernetes-int-or-string" keyword validation');
    assert.equal(validate(schema, { port: true }), '/spec/port must pass "x-kubernetes-int-or-string" keyword validation');
  });

  test('x-kubernetes-preserve-unknown-fields keeps any field; objects without it are closed', () => {
    const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } };
    assert.equal(validate(open, { a: 'x', b: { anything: 1 } }), 'valid');
    assert.equal(
      validate({ type: 'object', properties: { a: { type: 'string' } } }, { b: 1 }),
      '/spec must NOT have additional properties',
    );
    assert.equal(validate({ type: 'object' }, { b: 1 }), '/spec must NOT have additional properties');
  });

  test('x-kubernetes-list-type set rejects a repeated value; map compares only its keys', () => {
    const set = { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } };
    assert.equal(validate(set, ['a', 'b']), 'valid');
    assert.equal(validate(set, ['a', 'a']), '/spec must pass "x-kubernetes-list-type" keyword validation');
    const map = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } },
    };
    assert.equal(
      validate(map, [
        { name: 'a', v: 1 },
        { name: 'b', v: 1 },
      ]),
      'valid',
    );
    assert.equal(
      validate(map, [
        { name: 'a', v: 1 },
        { name: 'a', v: 2 },
      ]),
      '/spec must pass "x-kubernetes-list-type" keyword validation',
    );
  });

  test('x-kubernetes-embedded-resource allows apiVersion, kind and metadata beside the properties', () => {
    const embedded = { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } };
    assert.equal(validate(embedded, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: {} }), 'valid');
  });
});
