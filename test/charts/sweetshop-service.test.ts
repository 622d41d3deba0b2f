import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Chart, Testing } from 'cdk8s';

import { heapLimitMiB, nodeOptions, SweetShopService, type SweetShopServiceProps } from '../../charts/sweetshop-service.ts';
import { findObject, type Manifest, testApp } from './render.ts';

const required = {
  section: 'candies',
  image: { repository: 'sweetshop/candies', tag: '1.2.3' },
  imagePullPolicy: 'IfNotPresent',
  minReplicas: 2,
  maxReplicas: 3,
  cpuTargetPercent: 60,
  requests: { cpu: '10m', memory: '32Mi', ephemeralStorage: '16Mi' },
  limits: { cpu: '20m', memory: '64Mi', ephemeralStorage: '32Mi' },
  commonLabels: { 'app.kubernetes.io/part-of': 'sweetshop' },
  instance: 'sweetshop-test',
  edgeProxyNamespace: 'ingress',
  logLevel: 'warn',
  maxRequestBodyBytes: 5000,
  v8SemiSpaceMiB: 3,
  mallocArenaMax: 2,
  // Unlike both environments and every cdk8s-plus default, so each field is seen to come from here.
  hpaBehavior: {
    scaleUp: {
      stabilizationWindowSeconds: 30,
      selectPolicy: 'Min',
      policies: [
        { type: 'Percent', value: 50, periodSeconds: 20 },
        { type: 'Pods', value: 1, periodSeconds: 10 },
      ],
    },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [{ type: 'Pods', value: 2, periodSeconds: 1800 }] },
  },
  inPlaceResize: { cpu: 'RestartContainer', memory: 'NotRequired' },
} as const satisfies SweetShopServiceProps;

function synth(props: SweetShopServiceProps): Manifest[] {
  const chart = new Chart(testApp(), 'test');
  new SweetShopService(chart, 'Candies', props);
  return Testing.synth(chart) as Manifest[];
}

function container(manifests: Manifest[]) {
  return findObject(manifests, 'Deployment', 'candies').spec.template.spec.containers[0];
}

test('documented defaults: container port 8080, Service port 80, preStop 5 s, drain 10 s, grace 20 s', () => {
  const manifests = synth(required);
  const main = container(manifests);
  assert.deepEqual(main.ports, [{ name: 'http', containerPort: 8080 }]);
  assert.deepEqual(findObject(manifests, 'Service', 'candies').spec.ports, [{ name: 'http', port: 80, targetPort: 8080 }]);
  assert.deepEqual(main.lifecycle.preStop.exec.command, ['node', '-e', 'setTimeout(() => {}, 5000)']);
  assert.deepEqual(
    main.env.find((e: { name: string }) => e.name === 'DRAIN_TIMEOUT_MS'),
    { name: 'DRAIN_TIMEOUT_MS', value: '10000' },
  );
  assert.equal(findObject(manifests, 'Deployment', 'candies').spec.template.spec.terminationGracePeriodSeconds, 20);
  assert.equal(main.securityContext.runAsUser, 10001);
});

test('all props: every optional prop reaches the manifests', () => {
  const props: Required<SweetShopServiceProps> = {
    ...required,
    containerPort: 9000,
    servicePort: 8081,
    preStopDelaySeconds: 3,
    drainTimeoutSeconds: 20,
    edgeProxyPods: { 'app.kubernetes.io/name': 'envoy' },
    spreadAcrossNodes: 'required',
    minNodes: 3,
    trafficDistribution: 'PreferSameNode',
    hpaBehavior: {
      scaleUp: { ...required.hpaBehavior.scaleUp, tolerance: 0.025 },
      scaleDown: { ...required.hpaBehavior.scaleDown, tolerance: 0.2 },
    },
  };
  const manifests = synth(props);
  const main = container(manifests);
  assert.deepEqual(main.ports, [{ name: 'http', containerPort: 9000 }]);
  assert.equal(main.readinessProbe.httpGet.port, 9000);
  assert.equal(main.livenessProbe.httpGet.port, 9000);
  assert.equal(main.startupProbe.httpGet.port, 9000);
  assert.deepEqual(
    main.env.find((e: { name: string }) => e.name === 'PORT'),
    { name: 'PORT', value: '9000' },
  );
  assert.deepEqual(findObject(manifests, 'Service', 'candies').spec.ports, [{ name: 'http', port: 8081, targetPort: 9000 }]);
  assert.deepEqual(findObject(manifests, 'NetworkPolicy', 'candies').spec.ingress[0].ports, [{ protocol: 'TCP', port: 9000 }]);
  const spread = findObject(manifests, 'Deployment', 'candies').spec.template.spec.topologySpreadConstraints;
  assert.deepEqual(
    spread.map((c: { topologyKey: string; whenUnsatisfiable: string }) => `${c.topologyKey} ${c.whenUnsatisfiable}`),
    ['kubernetes.io/hostname DoNotSchedule', 'topology.kubernetes.io/zone ScheduleAnyway'],
  );
  assert.equal(spread[0].minDomains, 3, "minNodes becomes the hostname spread's minDomains");
  // Fields Kubernetes 1.27's types lack, so cdk8s-plus-27 would drop them: they survive synth.
  assert.equal(findObject(manifests, 'Service', 'candies').spec.trafficDistribution, 'PreferSameNode');
  const behavior = findObject(manifests, 'HorizontalPodAutoscaler', 'candies').spec.behavior;
  assert.deepEqual([behavior.scaleUp.tolerance, behavior.scaleDown.tolerance], ['0.025', '0.2']);
  assert.deepEqual(main.resizePolicy, [
    { resourceName: 'cpu', restartPolicy: 'RestartContainer' },
    { resourceName: 'memory', restartPolicy: 'NotRequired' },
  ]);
  assert.deepEqual(findObject(manifests, 'NetworkPolicy', 'candies').spec.ingress[0].from[0].podSelector, {
    matchLabels: { 'app.kubernetes.io/name': 'envoy' },
  });
  assert.deepEqual(main.lifecycle.preStop.exec.command, ['node', '-e', 'setTimeout(() => {}, 3000)']);
  assert.deepEqual(
    main.env.find((e: { name: string }) => e.name === 'DRAIN_TIMEOUT_MS'),
    { name: 'DRAIN_TIMEOUT_MS', value: '20000' },
  );
  assert.equal(findObject(manifests, 'Deployment', 'candies').spec.template.spec.terminationGracePeriodSeconds, 3 + 20 + 5);
  assert.equal(main.env.find((e: { name: string }) => e.name === 'LOG_LEVEL').value, 'warn');
  assert.equal(main.env.find((e: { name: string }) => e.name === 'MAX_BODY_BYTES').value, '5000');
});

test('min > max is refused at construction by the HPA, the only check below validation (which names the config field)', () => {
  assert.throws(() => synth({ ...required, minReplicas: 4 }), {
    message: "'minReplicas' (4) must be less than or equal to 'maxReplicas' (3) in order for HorizontalPodAutoscaler to scale.",
  });
});

test('the HPA renders exactly the given behaviour, every field, including a disabled direction', () => {
  const hpa = findObject(synth(required), 'HorizontalPodAutoscaler', 'candies');
  assert.deepEqual(hpa.spec.behavior, {
    scaleUp: {
      stabilizationWindowSeconds: 30,
      selectPolicy: 'Min',
      policies: [
        { type: 'Percent', value: 50, periodSeconds: 20 },
        { type: 'Pods', value: 1, periodSeconds: 10 },
      ],
    },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [{ type: 'Pods', value: 2, periodSeconds: 1800 }] },
  });
});

test("V8's heap cap is half the container's memory limit, in MiB", () => {
  assert.equal(heapLimitMiB('320Mi'), 160);
  assert.equal(nodeOptions('256Mi', 2), '--max-old-space-size=128 --max-semi-space-size=2');
  assert.equal(heapLimitMiB('384Mi'), 192);
  assert.equal(heapLimitMiB('1Gi'), 512);
  assert.equal(heapLimitMiB('500M'), 238);
  assert.throws(() => heapLimitMiB('lots'), { message: "memory limit 'lots' is not a quantity" });
});
