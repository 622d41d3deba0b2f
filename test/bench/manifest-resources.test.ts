import assert from 'node:assert/strict';
import { test } from 'node:test';

import { containerMemory } from '../../tools/bench/manifest-resources.ts';
import { parseManifestFile } from '../../tools/local/manifests/read-manifests.ts';

const MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: chocolates
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: candies
spec:
  template:
    spec:
      containers:
        - name: service
          resources:
            requests: { memory: 64Mi }
            limits: { memory: 128Mi }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chocolates
spec:
  template:
    spec:
      containers:
        - name: sidecar
          resources:
            requests: { memory: 1Mi }
            limits: { memory: 2Mi }
        - name: service
          resources:
            requests: { memory: 96Mi }
            limits: { memory: 256Mi }
`;

test('reads the service container memory of the section Deployment, not another kind, section or container', () => {
  const objects = [
    ...parseManifestFile('ns.yaml', 'kind: Namespace\nmetadata: { name: shop }\n'),
    ...parseManifestFile('m.yaml', MANIFEST),
  ];
  assert.deepEqual(containerMemory(objects, 'chocolates', 'local manifests'), { request: '96Mi', limit: '256Mi' });
  assert.deepEqual(containerMemory(objects, 'candies', 'local manifests'), { request: '64Mi', limit: '128Mi' });
});

test('when the Deployment or its memory settings are missing, then the error says which', () => {
  assert.throws(() => containerMemory(parseManifestFile('m.yaml', MANIFEST), 'cakes', 'local manifests'), {
    message: 'local manifests: no Deployment named cakes',
  });
  const noLimits = MANIFEST.replace('limits: { memory: 256Mi }', 'limits: { cpu: 500m }');
  assert.throws(() => containerMemory(parseManifestFile('m.yaml', noLimits), 'chocolates', 'prod'), {
    message: 'prod: Deployment chocolates container service has no memory request and limit',
  });
});
