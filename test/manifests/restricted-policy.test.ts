// Pod Security Standard "restricted" and the kube-score style rules from issue 3, over every pod spec
// in dist/ and in every environment. Checks the synthesized output, so a silently dropped patch fails here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseQuantity } from '../../config/quantity.ts';
import { findObject, podSpecs } from '../charts/render.ts';
import { allManifestSets } from './load-manifests.ts';

const ALLOWED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

type Manifests = ReturnType<typeof allManifestSets>[number]['manifests'];
type PodSpec = ReturnType<typeof podSpecs>[number]['spec'];

for (const { label, manifests } of allManifestSets()) {
  describe(`restricted profile and deployment rules (${label})`, () => {
    const pods = podSpecs(manifests);

    test('there are pod specs to check', () => {
      assert.equal(pods.length, 3);
    });

    for (const { owner, spec } of pods) {
      securityTests(owner, spec);
      runtimeTests(owner, spec);
    }
    workloadTests(manifests);
  });
}

/** Pod Security Standard "restricted" and the read-only root filesystem. */
function securityTests(owner: string, spec: PodSpec): void {
  test(`${owner}: meets Pod Security Standard "restricted"`, () => {
    assert.equal(spec.hostNetwork ?? false, false);
    assert.equal(spec.hostPID ?? false, false);
    assert.equal(spec.hostIPC ?? false, false);
    assert.deepEqual(spec.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.ok(Number.isInteger(spec.securityContext.runAsUser) && spec.securityContext.runAsUser > 0, 'numeric non-root runAsUser');
    assert.ok(Number.isInteger(spec.securityContext.runAsGroup) && spec.securityContext.runAsGroup > 0, 'numeric non-root runAsGroup');
    assert.ok(Number.isInteger(spec.securityContext.fsGroup) && spec.securityContext.fsGroup > 0, 'numeric fsGroup');
    for (const volume of spec.volumes ?? []) {
      const types = Object.keys(volume).filter((key) => key !== 'name');
      assert.ok(
        types.every((type) => ALLOWED_VOLUME_TYPES.includes(type)),
        `volume ${volume.name} uses ${types.join(', ')}`,
      );
    }
    for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
      const context = container.securityContext;
      assert.equal(context.allowPrivilegeEscalation, false, `${container.name}: allowPrivilegeEscalation`);
      assert.equal(context.privileged ?? false, false);
      assert.deepEqual(context.capabilities, { drop: ['ALL'] }, `${container.name}: capabilities`);
      assert.notEqual(context.runAsNonRoot, false);
      assert.notEqual(context.runAsUser, 0);
      for (const port of container.ports ?? []) assert.equal(port.hostPort, undefined);
    }
  });

  test(`${owner}: read-only root filesystem with an emptyDir on /tmp`, () => {
    const [container] = spec.containers;
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    const tmp = container.volumeMounts.find((mount: { mountPath: string }) => mount.mountPath === '/tmp');
    assert.ok(tmp, 'a /tmp mount');
    const volume = spec.volumes.find((v: { name: string }) => v.name === tmp.name);
    assert.ok(volume.emptyDir, '/tmp is an emptyDir');
    assert.ok(volume.emptyDir.sizeLimit, '/tmp emptyDir has a size limit');
  });
}

/** Resources, probes, shutdown timing, image pinning and spreading. */
function runtimeTests(owner: string, spec: PodSpec): void {
  test(`${owner}: requests and limits for cpu, memory and ephemeral-storage, limits >= requests, below the cdk8s-plus default`, () => {
    const { requests, limits } = spec.containers[0].resources;
    for (const key of ['cpu', 'memory', 'ephemeral-storage']) {
      const request = parseQuantity(String(requests[key]));
      const limit = parseQuantity(String(limits[key]));
      assert.ok(request !== undefined && request > 0, `requests.${key} = ${requests[key]}`);
      assert.ok(limit !== undefined && limit >= request, `limits.${key} = ${limits[key]} >= ${requests[key]}`);
    }
    // cdk8s-plus-27 would otherwise emit 1000m / 512Mi requests: far beyond a small Node service.
    assert.ok(parseQuantity(String(requests.cpu))! < 1, 'cpu request below 1 core');
    assert.ok(parseQuantity(String(requests.memory))! < 512 * 2 ** 20, 'memory request below 512Mi');
  });

  test(`${owner}: readiness /readyz and liveness /livez differ and probe the named container port`, () => {
    const [container] = spec.containers;
    const port = container.ports.find((p: { name: string }) => p.name === 'http').containerPort;
    assert.equal(port, 8080);
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.livenessProbe.httpGet.path, '/livez');
    assert.notDeepEqual(container.readinessProbe, container.livenessProbe);
    assert.ok(container.startupProbe.httpGet, 'an HTTP startup probe');
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      assert.equal(probe.httpGet.port, port);
    }
  });

  test(`${owner}: preStop delay plus the drain fit inside terminationGracePeriodSeconds`, () => {
    const [container] = spec.containers;
    const command: string[] = container.lifecycle.preStop.exec.command;
    assert.equal(command[0], 'node', 'preStop runs node (present in every image that runs the service), not sleep');
    const delayMs = Number(/setTimeout\(\(\) => \{\}, (\d+)\)/.exec(command.join(' '))?.[1]);
    const drainMs = Number(container.env.find((e: { name: string }) => e.name === 'DRAIN_TIMEOUT_MS').value);
    assert.ok(delayMs >= 1000 && drainMs >= 1000, `delay ${delayMs} ms, drain ${drainMs} ms`);
    assert.ok(spec.terminationGracePeriodSeconds * 1000 > delayMs + drainMs, 'grace period leaves room for delay + drain');
  });

  test(`${owner}: pinned image, no service account token, an even topology spread (no anti-affinity)`, () => {
    const [container] = spec.containers;
    const tag = /:([^/:]+)$/.exec(container.image)?.[1];
    assert.ok(tag && tag !== 'latest', `image ${container.image} has a pinned tag`);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.affinity, undefined, 'no required anti-affinity (would leave replicas Pending on one node)');
    assert.ok(spec.topologySpreadConstraints.length > 0);
    for (const constraint of spec.topologySpreadConstraints) {
      // Over nodes as the environment says (charts test it per environment); over zones only where they exist.
      const allowed = constraint.topologyKey === 'kubernetes.io/hostname' ? ['DoNotSchedule', 'ScheduleAnyway'] : ['ScheduleAnyway'];
      assert.ok(allowed.includes(constraint.whenUnsatisfiable), `${constraint.topologyKey}: ${constraint.whenUnsatisfiable}`);
      assert.equal(constraint.maxSkew, 1);
      assert.deepEqual(constraint.matchLabelKeys, ['pod-template-hash'], 'spread within one rollout revision');
    }
    assert.ok(spec.topologySpreadConstraints.some((c: { topologyKey: string }) => c.topologyKey === 'kubernetes.io/hostname'));
  });
}

/** The rules between objects: Deployment and HPA, ServiceAccount, Service ports, PDB and NetworkPolicy. */
function workloadTests(manifests: Manifests): void {
  test('every Deployment rolls with maxUnavailable 0 and leaves replicas to its HPA', () => {
    for (const deployment of manifests.filter((m) => m.kind === 'Deployment')) {
      assert.equal(deployment.spec.strategy.type, 'RollingUpdate');
      assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
      assert.equal(deployment.spec.replicas, undefined);
      const hpa = findObject(manifests, 'HorizontalPodAutoscaler', deployment.metadata.name);
      assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
    }
  });

  test('every ServiceAccount has its token unmounted', () => {
    for (const account of manifests.filter((m) => m.kind === 'ServiceAccount')) assert.equal(account.automountServiceAccountToken, false);
  });

  test('every Service targetPort is the container port its probes use', () => {
    for (const service of manifests.filter((m) => m.kind === 'Service')) {
      const [container] = findObject(manifests, 'Deployment', service.metadata.name).spec.template.spec.containers;
      assert.equal(service.spec.ports[0].targetPort, container.ports[0].containerPort);
      assert.equal(service.spec.ports[0].targetPort, container.readinessProbe.httpGet.port);
    }
  });

  test('every workload has a PodDisruptionBudget and a NetworkPolicy of its own', () => {
    for (const deployment of manifests.filter((m) => m.kind === 'Deployment')) {
      findObject(manifests, 'PodDisruptionBudget', deployment.metadata.name);
      findObject(manifests, 'NetworkPolicy', deployment.metadata.name);
    }
  });
}
