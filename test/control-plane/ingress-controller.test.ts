// The Ingress controller cluster:up installs for local (F5's NGINX Ingress Controller), applied by
// cluster:up's own steps to the real 1.37 API server: accepted with strict field validation and no warning,
// its DaemonSet rolls out, and the check for a leftover ingress-nginx reads what the real kubectl prints.
// Broken twins: a misspelt field is refused, and ingress-nginx's IngressClass really blocks the apply.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  F5_NGINX_INGRESS_CLASS,
  F5_NGINX_INGRESS_CONTROLLER_NAME,
  F5_NGINX_INGRESS_MANIFEST,
  INGRESS_NGINX_CONTROLLER_NAME,
  ingressNginxGoneCheck,
  installIngressController,
  waitForIngressController,
} from '../../tools/cluster/ingress-controllers.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { skipUnlessControlPlane, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { warnings } from './support.ts';

const MANIFEST = readFileSync(join(REPO_ROOT, F5_NGINX_INGRESS_MANIFEST), 'utf8');
const probe = ingressNginxGoneCheck('kwok');
/** The probe's kubectl arguments without the program and its --context (the test cluster's kubectl has its own). */
const probeArgs = probe.cmd.argv.slice(3);

describe("F5's NGINX Ingress Controller on the real API server (kwok provider)", { skip: skipUnlessControlPlane() }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  test("a leftover ingress-nginx IngressClass stops cluster:up's check, and the apply would indeed fail on it", async () => {
    const legacy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: F5_NGINX_INGRESS_CLASS },
      spec: { controller: INGRESS_NGINX_CONTROLLER_NAME },
    };
    const created = await cluster.kubectl(['apply', '--filename', '-'], JSON.stringify(legacy));
    assert.equal(created.status, 0, created.stderr);
    const seen = await cluster.kubectl(probeArgs);
    assert.equal(seen.status, 0, seen.stderr);
    assert.match(probe.verify(seen.stdout) ?? '', /^the cluster still runs ingress-nginx/);
    const blocked = await cluster.kubectl(['apply', '--dry-run=server', '--filename', '-'], MANIFEST);
    assert.notEqual(blocked.status, 0);
    assert.match(blocked.stderr, /IngressClass.*"nginx".*spec\.controller.*immutable/s);
    const deleted = await cluster.kubectl(['delete', 'ingressclass', F5_NGINX_INGRESS_CLASS]);
    assert.equal(deleted.status, 0, deleted.stderr);
  });

  test("cluster:up's steps apply it with no warning and wait for the DaemonSet; the check then passes", async () => {
    const transcript = await cluster.run({
      steps: [...installIngressController('kwok', 'f5-nginx-ingress'), ...waitForIngressController('kwok', 'f5-nginx-ingress')],
    });
    assert.deepEqual(warnings(transcript), [], transcript);
    assert.match(transcript, /no IngressClass nginx yet/);
    assert.match(transcript, /daemon set "nginx-ingress" successfully rolled out/);
    const ingressClass = await cluster.json('get', 'ingressclass', F5_NGINX_INGRESS_CLASS);
    assert.equal(ingressClass.spec.controller, F5_NGINX_INGRESS_CONTROLLER_NAME);
    const again = await cluster.kubectl(probeArgs);
    assert.equal(probe.verify(again.stdout), undefined);
  });

  test('strict field validation: the manifest as written is accepted, a misspelt field is refused', async () => {
    const accepted = await cluster.kubectl(['apply', '--dry-run=server', '--validate=strict', '--filename', '-'], MANIFEST);
    assert.equal(accepted.status, 0, accepted.stderr);
    const misspelt = await cluster.kubectl(
      ['apply', '--dry-run=server', '--validate=strict', '--filename', '-'],
      MANIFEST.replace('serviceAccountName: nginx-ingress', 'serviceAccount_Name: nginx-ingress'),
    );
    assert.notEqual(misspelt.status, 0);
    assert.match(misspelt.stderr, /unknown field "spec\.template\.spec\.serviceAccount_Name"/);
  });
});
