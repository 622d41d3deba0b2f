// The kind cluster config is only read by kind, which these machines do not have: pin what the
// ingress-nginx kind manifest needs from it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { parse } from 'yaml';

import { KIND_CONFIG } from '../../tools/cluster/up.ts';

test("one node, labelled ingress-ready=true with kind's own labels field, publishing 80 and 443 on 127.0.0.1 only", () => {
  const config = parse(readFileSync(KIND_CONFIG, 'utf8'));
  assert.equal(config.apiVersion, 'kind.x-k8s.io/v1alpha4');
  assert.equal(config.nodes.length, 1);
  const [node] = config.nodes;
  assert.equal(node.role, 'control-plane');
  assert.deepEqual(node.labels, { 'ingress-ready': 'true' }, "the controller's nodeSelector");
  assert.equal(node.kubeadmConfigPatches, undefined, 'no kubeadm patch whose shape depends on the kubeadm config version');
  assert.deepEqual(
    node.extraPortMappings.map((m: { containerPort: number; hostPort: number; listenAddress: string }) => [
      m.containerPort,
      m.hostPort,
      m.listenAddress,
    ]),
    [
      [80, 80, '127.0.0.1'],
      [443, 443, '127.0.0.1'],
    ],
  );
});
