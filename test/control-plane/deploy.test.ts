// Cases 1, 7 and 8 of the control-plane issue, against Kubernetes 1.37.2 and Envoy Gateway v1.9.1 built from
// source: every environment deploys (`npm run deploy`'s own runbook) with no error and no warning, a second
// deploy changes nothing, pruning deletes exactly what left the set, and Envoy Gateway accepts the routes and
// policies. Each check has a broken twin the real component refuses.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { environments } from '../../config/index.ts';
import { applySetId, applySetParent, labelledManifests, PART_OF_LABEL } from '../../tools/cluster/apply-set.ts';
import { deployRunbook } from '../../tools/cluster/deploy.ts';
import { type Manifest, render } from '../charts/render.ts';
import { CrdValidators } from '../manifests/crd-schema.ts';
import { skipUnlessControlPlane, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { eventually, parentConditions, warnings, writeManifests } from './support.ts';

const { local, production } = { local: environments.local!, production: environments.production! };
const localGateway = environments['local-gateway']!;
const NAMESPACE = production.namespace;

describe('deploys to the real API server and Envoy Gateway (kwok provider)', { skip: skipUnlessControlPlane() }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  /** `npm run deploy -- --provider kwok --env <name> --yes`, in this cluster; resolves with its transcript. */
  function deploy(environment = local, options: { manifests?: string; yes?: boolean } = {}): Promise<string> {
    return cluster.run(deployRunbook('kwok', environment, { yes: true, stateDir: join(cluster.workdir, 'state'), ...options }));
  }

  /** `kubectl diff --server-side` of what deploy would apply: exit 0 and no output when the cluster already has it. */
  async function serverDiff(manifests: string) {
    return cluster.kubectl(['diff', '--server-side', '--filename', '-'], manifests);
  }

  for (const environment of [local, localGateway, production]) {
    test(`${environment.name}: deploys with no error and no warning, and a second deploy is a no-op`, async () => {
      const first = await deploy(environment);
      assert.deepEqual(warnings(first), [], first);
      const dir = join(cluster.workdir, 'state', 'manifests', environment.name);
      const labelled = labelledManifests(environment === local ? 'dist' : dir, applySetId(applySetParent(NAMESPACE)));
      const diff = await serverDiff(labelled);
      assert.equal(diff.status, 0, `kubectl diff found differences after the deploy:\n${diff.stdout}${diff.stderr}`);
      assert.equal(diff.stdout, '');

      // Broken twin: one changed field is a difference (the diff is really compared against the live objects).
      const changed = await serverDiff(labelled.replace('cpu: 50m', 'cpu: 60m').replace('cpu: 250m', 'cpu: 260m'));
      assert.equal(changed.status, 1, changed.stderr);
      assert.match(changed.stdout, /cpu: (60|260)m/);
    });
  }

  test('the API server refuses an unknown field (strict field validation) and warns about a pod that breaks "restricted"', async () => {
    // Production: the environment the namespace holds after the deploys above (a Deployment's selector is immutable).
    await deploy(production);
    const rendered = render(production);
    const deployment = rendered.find((each) => each.kind === 'Deployment')!;
    const unknown = structuredClone(deployment);
    unknown.spec.replica = 2;
    const refused = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--filename', '-'], JSON.stringify(unknown));
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /\.spec\.replica: field not declared in schema/);

    const unhardened = structuredClone(deployment);
    delete unhardened.spec.template.spec.securityContext.seccompProfile;
    const warned = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--filename', '-'], JSON.stringify(unhardened));
    assert.equal(warned.status, 0, warned.stderr);
    assert.match(warnings(warned.stderr).join('\n'), /would violate PodSecurity "restricted:latest": seccompProfile/);
  });

  test('Envoy Gateway accepts the local-gateway and production routes and policies; a route to a wrong Service port is unresolved', async () => {
    await deploy(localGateway);
    const gateway = await cluster.json('--namespace', NAMESPACE, 'get', 'gateway/sweetshop');
    const gatewayConditions = gateway.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`);
    assert.ok(gatewayConditions.includes('Accepted=True') && gatewayConditions.includes('Programmed=True'), gatewayConditions.join(', '));
    for (const environment of [localGateway, production]) {
      if (environment === production) await deploy(production);
      const route = await eventually(
        () => parentConditions(cluster, NAMESPACE, 'httproute/sweetshop'),
        (conditions) => conditions.includes('ResolvedRefs=True ResolvedRefs'),
        20_000,
        `${environment.name} HTTPRoute resolved`,
      );
      assert.ok(route.includes('Accepted=True Accepted'), route.join(', '));
      const policy = await eventually(
        () => parentConditions(cluster, NAMESPACE, 'backendtrafficpolicy/sweetshop'),
        (conditions) => conditions.length > 0,
        20_000,
        `${environment.name} BackendTrafficPolicy status`,
      );
      assert.deepEqual(policy, ['Accepted=True Accepted']);
    }

    const route = render(production).find((each) => each.kind === 'HTTPRoute')!;
    const wrongPort = structuredClone(route);
    wrongPort.metadata.name = 'sweetshop-wrong-port';
    wrongPort.spec.rules[0].backendRefs[0].port = 9999;
    const applied = await cluster.kubectl(['apply', '--server-side', '--filename', '-'], JSON.stringify(wrongPort));
    assert.equal(applied.status, 0, applied.stderr);
    const refused = await eventually(
      () => parentConditions(cluster, NAMESPACE, 'httproute/sweetshop-wrong-port'),
      (conditions) => conditions.some((condition) => condition.startsWith('ResolvedRefs=')),
      20_000,
      'wrong-port route status',
    );
    assert.ok(refused.includes('ResolvedRefs=False PortNotFound'), refused.join(', '));
    await cluster.kubectl(['--namespace', NAMESPACE, 'delete', 'httproute/sweetshop-wrong-port']);
  });

  test("the API server evaluates the Gateway API CRDs' CEL rules, which the Ajv schema check passes", async () => {
    const route = render(production).find((each) => each.kind === 'HTTPRoute')!;
    const portless = structuredClone(route);
    portless.metadata.name = 'sweetshop-portless';
    delete portless.spec.rules[0].backendRefs[0].port;
    assert.deepEqual(new CrdValidators().problems(portless), [], 'the schema alone accepts it');
    const refused = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--filename', '-'], JSON.stringify(portless));
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /Must have port for Service reference/);
    // Its twin: the rendered route itself passes the same rules.
    const accepted = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--filename', '-'], JSON.stringify(route));
    assert.equal(accepted.status, 0, accepted.stderr);
  });

  test('pruning deletes exactly the objects of a section that left the set, nothing else in the namespace or outside it', async () => {
    await deploy(production);
    for (const [namespace, name] of [
      [NAMESPACE, 'not-in-the-set'],
      ['default', 'outside-the-namespace'],
    ]) {
      const created = await cluster.kubectl(['--namespace', namespace!, 'create', 'configmap', name!, '--from-literal=k=v']);
      assert.equal(created.status, 0, created.stderr);
    }
    const members = async () => {
      const id = applySetId(applySetParent(NAMESPACE));
      const kinds = 'serviceaccounts,deployments,services,hpa,pdb,networkpolicies,httproutes,backendtrafficpolicies,podmonitors,configmaps';
      const listed = await cluster.kubectl([
        '--namespace',
        NAMESPACE,
        'get',
        kinds,
        '--selector',
        `${PART_OF_LABEL}=${id}`,
        '--output=name',
      ]);
      return listed.stdout.trim().split('\n').sort();
    };
    const everything = await members();

    const withoutCakes = render(production)
      .filter((each) => (each.metadata.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name'] !== 'cakes')
      .map((each) => withoutCakesRoute(each));
    const dir = writeManifests(join(cluster.workdir, 'without-cakes'), withoutCakes);

    // Broken twin first: with nobody to ask and no --yes, nothing is deleted and the objects are named.
    await assert.rejects(
      deploy(production, { manifests: dir, yes: false }),
      /stopped before the apply: objects --prune would delete.*cakes/s,
    );
    assert.deepEqual(await members(), everything);

    await deploy(production, { manifests: dir, yes: true });
    const kept = new Set(withoutCakes.map(kindAndName));
    const removed = everything.filter((name) => !kept.has(name));
    assert.deepEqual(removed.sort(), [
      'deployment.apps/cakes',
      'horizontalpodautoscaler.autoscaling/cakes',
      'networkpolicy.networking.k8s.io/cakes',
      'networkpolicy.networking.k8s.io/cakes-metrics',
      'poddisruptionbudget.policy/cakes',
      'podmonitor.monitoring.coreos.com/cakes',
      'service/cakes',
      'serviceaccount/cakes',
    ]);
    assert.deepEqual(
      await members(),
      everything.filter((name) => !removed.includes(name)),
    );
    for (const [namespace, name] of [
      [NAMESPACE, 'not-in-the-set'],
      ['default', 'outside-the-namespace'],
    ]) {
      assert.equal(
        (await cluster.kubectl(['--namespace', namespace!, 'get', 'configmap', name!])).status,
        0,
        `${namespace}/${name} survives`,
      );
    }
  });
});

/** The HTTPRoute without its cakes rule (a route to a Service that no longer exists would be unresolved). */
function withoutCakesRoute(manifest: Manifest): Manifest {
  if (manifest.kind !== 'HTTPRoute') return manifest;
  const copy = structuredClone(manifest);
  copy.spec.rules = copy.spec.rules.filter((rule: { backendRefs: { name: string }[] }) => rule.backendRefs[0]!.name !== 'cakes');
  return copy;
}

const KIND_NAMES: Record<string, string> = {
  ServiceAccount: 'serviceaccount',
  Deployment: 'deployment.apps',
  Service: 'service',
  HorizontalPodAutoscaler: 'horizontalpodautoscaler.autoscaling',
  PodDisruptionBudget: 'poddisruptionbudget.policy',
  NetworkPolicy: 'networkpolicy.networking.k8s.io',
  HTTPRoute: 'httproute.gateway.networking.k8s.io',
  BackendTrafficPolicy: 'backendtrafficpolicy.gateway.envoyproxy.io',
  PodMonitor: 'podmonitor.monitoring.coreos.com',
  ConfigMap: 'configmap',
};

function kindAndName(manifest: Manifest): string {
  return `${KIND_NAMES[manifest.kind] ?? manifest.kind.toLowerCase()}/${manifest.metadata.name}`;
}
