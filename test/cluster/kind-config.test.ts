// The kind cluster config is only read by kind, which these machines do not have: pin what the
// ingress-nginx kind manifest and a reproducible cluster need from it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { parse } from 'yaml';

import { INGRESS_NGINX_KIND_MANIFEST } from '../../tools/cluster/ingress-controllers.ts';
import {
  createdHostPorts,
  hostPortsOf,
  KIND_CONFIG,
  KIND_CONFIG_TEMPLATE,
  kindConfigFor,
  pinnedNodeImage,
} from '../../tools/cluster/kind-config.ts';

const template = readFileSync(KIND_CONFIG_TEMPLATE, 'utf8');

type Mapping = { containerPort: number; hostPort: number; listenAddress: string };
const mappings = (config: { nodes: { extraPortMappings: Mapping[] }[] }) =>
  config.nodes[0]!.extraPortMappings.map((m) => [m.containerPort, m.hostPort, m.listenAddress]);

test('the node image is pinned by digest: the Kubernetes 1.37 image kind v0.33.0 ships', () => {
  const config = parse(template);
  assert.equal(config.nodes[0].image, 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5');
  assert.equal(pinnedNodeImage(), config.nodes[0].image);
});

test('one node publishing 80 and 443 on 127.0.0.1 only, with no ingress-ready label to keep up to date', () => {
  const config = parse(template);
  assert.equal(config.apiVersion, 'kind.x-k8s.io/v1alpha4');
  // The controllers' manifests select only kubernetes.io/os=linux: with one node, the controller's
  // hostPorts land on the node whose ports are mapped.
  assert.match(INGRESS_NGINX_KIND_MANIFEST, /\/controller-v1\.15\.1\/deploy\/static\/provider\/kind\/deploy\.yaml$/);
  assert.equal(config.nodes.length, 1);
  assert.equal(config.nodes[0].role, 'control-plane');
  assert.equal(config.nodes[0].labels, undefined);
  assert.deepEqual(mappings(config), [
    [80, 80, '127.0.0.1'],
    [443, 443, '127.0.0.1'],
  ]);
});

test('the written config changes only the host ports, and says where it came from', () => {
  const written = kindConfigFor({ http: 8080, https: 8443 }, template);
  assert.match(
    written,
    /^# Written by npm run cluster:up from tools\/cluster\/kind-config\.yaml \(host ports 8080, 8443\); do not edit\.\n/,
  );
  const config = parse(written);
  assert.deepEqual(mappings(config), [
    [80, 8080, '127.0.0.1'],
    [443, 8443, '127.0.0.1'],
  ]);
  assert.deepEqual(
    { ...config, nodes: [{ ...config.nodes[0], extraPortMappings: [] }] },
    {
      ...parse(template),
      nodes: [{ ...parse(template).nodes[0], extraPortMappings: [] }],
    },
  );
  assert.deepEqual(hostPortsOf(written, KIND_CONFIG), { http: 8080, https: 8443 });
});

test('smoke reads the ports of the config cluster:up wrote, and the defaults when there is none', () => {
  const root = mkdtempSync(join(tmpdir(), 'sweetshop-kind-config-'));
  try {
    assert.deepEqual(createdHostPorts(root), { http: 80, https: 443 });
    mkdirSync(join(root, '.cluster'));
    writeFileSync(join(root, KIND_CONFIG), kindConfigFor({ http: 18080, https: 18443 }, template));
    assert.deepEqual(createdHostPorts(root), { http: 18080, https: 18443 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a config without the 443 mapping is named in the error', () => {
  const broken = template.replace(/containerPort: 443/, 'containerPort: 8443');
  assert.throws(() => kindConfigFor({ http: 80, https: 443 }, broken), {
    message: 'tools/cluster/kind-config.yaml: no extraPortMappings entry for containerPort 443',
  });
});
