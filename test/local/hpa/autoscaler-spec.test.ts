import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { environments } from '../../../config/index.ts';
import { REPO_ROOT } from '../../../tools/lib/repo-root.ts';
import { readAutoscalerSpec } from '../../../tools/local/hpa/autoscaler-spec.ts';
import { interpretManifests, parseManifestFile, readShopManifests } from '../../../tools/local/manifests/read-manifests.ts';
import { FIXTURES } from '../support/test-shop.ts';

function section(hpaSpec: string | undefined, resources = '{ requests: { cpu: 50m } }') {
  const hpa = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: chocolates-hpa }
spec: { scaleTargetRef: { kind: Deployment, name: chocolates }, ${hpaSpec} }
`;
  const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: { name: chocolates }
spec:
  template:
    metadata: { labels: { app: chocolates } }
    spec:
      containers: [{ name: service, resources: ${resources} }]
---
apiVersion: v1
kind: Service
metadata: { name: chocolates }
spec: { selector: { app: chocolates } }
${hpaSpec === undefined ? '' : hpa}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: sweetshop }
spec:
  rules: [{ http: { paths: [{ path: /chocolates, pathType: Prefix, backend: { service: { name: chocolates } } }] } }]
`;
  return interpretManifests(parseManifestFile('shop.yaml', yaml)).deployments[0]!;
}

const localBehavior = environments.local!.hpaBehavior;

const CPU_70 = 'metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]';

describe('readAutoscalerSpec', () => {
  test("dist/'s chocolates HPA: 2..4 at 70% of the 50m request, with the behaviour the environment states", () => {
    const chocolates = readShopManifests(join(REPO_ROOT, 'dist')).deployments.find((d) => d.name === 'chocolates')!;
    assert.deepEqual(readAutoscalerSpec(chocolates), {
      name: 'chocolates',
      target: 'chocolates',
      minReplicas: 2,
      maxReplicas: 4,
      targetCPUUtilization: 70,
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ],
        },
        scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }] },
      },
      // dist/ is the local environment; its tolerances are the numbers a reviewer tunes there.
      tolerances: { scaleUp: localBehavior.scaleUp?.tolerance, scaleDown: localBehavior.scaleDown?.tolerance },
      cpuRequestMilli: 50,
    });
  });

  test('a Deployment without an HPA has no autoscaler (its count stays as it is)', () => {
    assert.equal(readAutoscalerSpec(section(undefined)), undefined);
  });

  test('the API defaults: minReplicas 1, a cpu 80% metric, no behaviour (the legacy path), the request from the limit', () => {
    const spec = readAutoscalerSpec(section('maxReplicas: 3', '{ limits: { cpu: "1" } }'))!;
    assert.equal(spec.minReplicas, 1);
    assert.equal(spec.targetCPUUtilization, 80);
    assert.equal(spec.behavior, undefined);
    assert.equal(spec.cpuRequestMilli, 1000);
  });

  test('a behaviour that states only some fields gets the default rules for the rest, and its tolerances are read', () => {
    const spec = readAutoscalerSpec(
      section(
        `maxReplicas: 3, ${CPU_70}, behavior: { scaleDown: { policies: [{ type: Pods, value: 1, periodSeconds: 30 }], tolerance: "0.05" } }`,
      ),
    )!;
    assert.deepEqual(spec.behavior, {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] },
    });
    assert.deepEqual(spec.tolerances, { scaleUp: 0.1, scaleDown: 0.05 });
  });

  test('every problem is named at once, with the object, the field and the value', () => {
    const hpa = [
      'maxReplicas: 40',
      'metrics: [{ type: Resource, resource: { name: memory, target: { type: Utilization, averageUtilization: 70 } } }]',
      'behavior: { scaleUp: { selectPolicy: Fastest, policies: [{ type: Pods, value: 0, periodSeconds: 15 }] } }',
    ].join(', ');
    assert.throws(
      () => readAutoscalerSpec(section(hpa, '{}')),
      new Error(
        [
          '--autoscale cannot run the HPA of chocolates:',
          '  shop.yaml (HorizontalPodAutoscaler chocolates-hpa): spec.maxReplicas: 40 is above the local cap of 16 processes per section',
          '  shop.yaml (HorizontalPodAutoscaler chocolates-hpa): spec.metrics: [{"type":"Resource","resource":{"name":"memory","target":{"type":"Utilization","averageUtilization":70}}}]: local mode emulates one metric only, type Resource, name cpu, target type Utilization',
          "  shop.yaml (HorizontalPodAutoscaler chocolates-hpa): spec.behavior.scaleUp.selectPolicy: 'Fastest' is not a select policy; use one of Max, Min, Disabled",
          '  shop.yaml (HorizontalPodAutoscaler chocolates-hpa): spec.behavior.scaleUp.policies[0].value: 0 must be a whole number > 0 (pods, or percent of the replicas)',
          '  shop.yaml (Deployment chocolates): container service resources: no requests.cpu: a cpu Utilization target is a percent of the request (FailedGetResourceMetric on a cluster)',
        ].join('\n'),
      ),
    );
  });

  test('maxReplicas missing or below minReplicas, a zero target and a cpu request that is not a quantity are refused', () => {
    assert.throws(
      () => readAutoscalerSpec(section(`minReplicas: 3, ${CPU_70}`)),
      /spec\.maxReplicas: \(missing\) must be a whole number >= minReplicas \(3\)/,
    );
    // Below minReplicas: refused by the manifest reader already, with or without --autoscale.
    assert.throws(() => section(`minReplicas: 3, maxReplicas: 2, ${CPU_70}`), /spec\.minReplicas \(3\) is above spec\.maxReplicas \(2\)/);
    assert.throws(
      () => readAutoscalerSpec(section(`maxReplicas: 2, ${CPU_70.replace('70', '0')}`)),
      /spec\.metrics\[0\]\.resource\.target\.averageUtilization: 0 must be a whole number >= 1/,
    );
    assert.throws(
      () => readAutoscalerSpec(section(`maxReplicas: 2, ${CPU_70}`, '{ requests: { cpu: lots } }')),
      /cpu "lots" is not a cpu quantity > 0/,
    );
  });

  test('the chocolates-only fixture (no requests) is refused under --autoscale, and still runs without it', () => {
    const deployment = readShopManifests(join(FIXTURES, 'chocolates-only')).deployments[0]!;
    assert.equal(deployment.replicas, 2);
    assert.throws(() => readAutoscalerSpec(deployment), /no requests\.cpu/);
  });
});
