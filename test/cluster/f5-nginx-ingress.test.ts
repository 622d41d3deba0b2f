// The reviewed install manifest of F5's NGINX Ingress Controller agrees with what `local` renders and
// with what cluster:up waits for: a mismatch would leave the Ingress unserved or the NetworkPolicy shut.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { parseAllDocuments } from 'yaml';

import { local } from '../../config/environments/local.ts';
import {
  F5_NGINX_INGRESS_CLASS,
  F5_NGINX_INGRESS_CONTROLLER_NAME,
  F5_NGINX_INGRESS_DAEMONSET,
  F5_NGINX_INGRESS_MANIFEST,
  F5_NGINX_INGRESS_NAMESPACE,
  F5_NGINX_INGRESS_VERSION,
} from '../../tools/cluster/ingress-controllers.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, any>;
}

const text = readFileSync(join(REPO_ROOT, F5_NGINX_INGRESS_MANIFEST), 'utf8');
const objects = parseAllDocuments(text).map((doc) => doc.toJSON() as K8sObject);
const find = (kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name);
const daemonSet = find('DaemonSet', F5_NGINX_INGRESS_DAEMONSET)!;
const container = daemonSet.spec!.template.spec.containers[0];

test("local's Ingress is served: its class exists with F5's controller name, the controller serves that class", () => {
  assert.equal(local.ingress?.controller, 'f5-nginx-ingress');
  assert.equal(local.ingress?.className, F5_NGINX_INGRESS_CLASS);
  assert.equal(find('IngressClass', F5_NGINX_INGRESS_CLASS)?.spec?.controller, F5_NGINX_INGRESS_CONTROLLER_NAME);
  assert.ok(container.args.includes(`-ingress-class=${F5_NGINX_INGRESS_CLASS}`));
});

test("the controller runs in local's controllerNamespace on pod networking, so the NetworkPolicy admits it", () => {
  assert.equal(local.ingress?.controllerNamespace, F5_NGINX_INGRESS_NAMESPACE);
  assert.ok(find('Namespace', F5_NGINX_INGRESS_NAMESPACE));
  assert.equal(daemonSet.metadata.namespace, F5_NGINX_INGRESS_NAMESPACE);
  assert.equal(daemonSet.spec!.template.spec.hostNetwork, undefined);
  // hostPorts 80/443: what kind-config.yaml maps to the host.
  assert.deepEqual(
    container.ports.filter((port: { hostPort?: number }) => port.hostPort !== undefined).map((port: { hostPort: number }) => port.hostPort),
    [80, 443],
  );
});

test('one pinned version: the header, the image tag and the constant agree', () => {
  assert.equal(container.image, `nginx/nginx-ingress:${F5_NGINX_INGRESS_VERSION}`);
  assert.match(text, new RegExp(`^# F5 NGINX Ingress Controller ${F5_NGINX_INGRESS_VERSION.replaceAll('.', '\\.')} `));
  assert.match(text, new RegExp(`github\\.com/nginx/kubernetes-ingress at v${F5_NGINX_INGRESS_VERSION.replaceAll('.', '\\.')}`));
});

test('it needs no CRDs: custom resources are off, and what the flags name exists', () => {
  assert.ok(container.args.includes('-enable-custom-resources=false'));
  assert.equal(
    objects.some((object) => object.kind === 'CustomResourceDefinition'),
    false,
  );
  const configMap = /^-nginx-configmaps=\$\(POD_NAMESPACE\)\/(.+)$/.exec(
    container.args.find((arg: string) => arg.startsWith('-nginx-configmaps=')),
  )?.[1];
  assert.ok(configMap && find('ConfigMap', configMap)?.metadata.namespace === F5_NGINX_INGRESS_NAMESPACE);
  const binding = find('ClusterRoleBinding', 'nginx-ingress') as unknown as { subjects: { name: string; namespace: string }[] };
  assert.deepEqual(binding.subjects[0], {
    kind: 'ServiceAccount',
    name: daemonSet.spec!.template.spec.serviceAccountName,
    namespace: F5_NGINX_INGRESS_NAMESPACE,
  });
});
