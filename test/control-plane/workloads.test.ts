// Cases 2, 3, 4 and 6 of the control-plane issue: what the real controllers and scheduler do with
// production's workloads on kwok's fake nodes (six, two in each of three zones). Pod Security admission
// refuses the pods of an unhardened copy, rollouts keep every section at its PDB, the scheduler spreads
// the replicas as the environment says (and leaves them Pending on one node), and a drain evicts only as
// far as each PDB allows. Each check has a broken twin the real component treats differently.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { environments } from '../../config/index.ts';
import { SECTION_NAMES } from '../../config/vocabulary.ts';
import { kubectl } from '../../tools/cluster/cluster.ts';
import { deployRunbook } from '../../tools/cluster/deploy.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { type Manifest, render } from '../charts/render.ts';
import { skipUnlessControlPlane, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { eventually, NAME_LABEL, renamedDeployment, summary } from './support.ts';

const production = environments.production!;
const NAMESPACE = production.namespace;

interface Pod {
  metadata: { name: string; labels: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec: { nodeName?: string };
  status: { phase: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

const isReady = (pod: Pod) => pod.status.conditions?.some((each) => each.type === 'Ready' && each.status === 'True') ?? false;

async function sectionPods(cluster: TestCluster, section: string): Promise<Pod[]> {
  const list = await cluster.json<{ items: Pod[] }>('--namespace', NAMESPACE, 'get', 'pods', '--selector', `${NAME_LABEL}=${section}`);
  return list.items;
}

/** A copy of a rendered Deployment under its own name and labels, so no Service, PDB or HPA of ours counts its pods. */
function copyOf(section: string, suffix: string, edit: (deployment: Manifest) => void): Manifest {
  const rendered = render(production).find((each) => each.kind === 'Deployment' && each.metadata.name === section)!;
  const deployment = renamedDeployment(rendered, `${section}-${suffix}`);
  deployment.spec.replicas = 2;
  edit(deployment);
  return deployment;
}

/** The largest difference between two domains' pod counts (every domain counted, empty ones too). */
function skew(counts: readonly number[]): number {
  return Math.max(...counts) - Math.min(...counts);
}

describe("production's workloads on the real controllers and scheduler (kwok provider)", { skip: skipUnlessControlPlane() }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({ envoyGateway: false, environments: [production] });
    await cluster.run(deployRunbook('kwok', production, { yes: true, stateDir: join(cluster.workdir, 'state') }));
  });
  after(async () => {
    await cluster?.stop();
  });

  test('Pod Security "restricted" admits every pod the ReplicaSet controller creates, and refuses unhardened copies', async () => {
    const namespace = await cluster.json('get', 'namespace', NAMESPACE);
    assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    for (const section of SECTION_NAMES) {
      const deployment = await cluster.json('--namespace', NAMESPACE, 'get', `deployment/${section}`);
      assert.ok(!summary(deployment.status.conditions).some((each) => each.startsWith('ReplicaFailure')), section);
      const pods = await sectionPods(cluster, section);
      assert.equal(pods.filter(isReady).length, deployment.spec.replicas, `${section}: every replica admitted and Ready`);
    }

    const broken = [
      copyOf('chocolates', 'no-seccomp', (copy) => {
        delete copy.spec.template.spec.securityContext.seccompProfile;
      }),
      copyOf('chocolates', 'as-root', (copy) => {
        copy.spec.template.spec.securityContext.runAsUser = 0;
        copy.spec.template.spec.securityContext.runAsNonRoot = false;
      }),
    ];
    const expected = [/seccompProfile/, /runAsNonRoot != true.*runAsUser=0/];
    for (const [index, copy] of broken.entries()) {
      const applied = await cluster.kubectl(['apply', '--server-side', '--filename', '-'], JSON.stringify(copy));
      assert.equal(applied.status, 0, applied.stderr); // a Deployment is only warned about; its pods are refused
      const failure = await eventually(
        async () => {
          const live = await cluster.json('--namespace', NAMESPACE, 'get', `deployment/${copy.metadata.name}`);
          return (live.status.conditions ?? []).find((each: { type: string }) => each.type === 'ReplicaFailure');
        },
        (condition) => condition?.status === 'True',
        30_000,
        `${copy.metadata.name}: ReplicaFailure`,
      );
      assert.equal(failure.reason, 'FailedCreate');
      assert.match(failure.message, /forbidden: violates PodSecurity "restricted:latest"/);
      assert.match(failure.message, expected[index]!);
      assert.deepEqual(await sectionPods(cluster, copy.metadata.name), [], 'no pod of it exists');
      await cluster.kubectl(['--namespace', NAMESPACE, 'delete', 'deployment', copy.metadata.name]);
    }
  });

  test("rollouts complete, each Service's EndpointSlices list exactly its section's ready pods", async () => {
    for (const section of SECTION_NAMES) {
      const status = await cluster.kubectl(['--namespace', NAMESPACE, 'rollout', 'status', `deployment/${section}`, '--timeout=60s']);
      assert.equal(status.status, 0, status.stderr);
      assert.match(status.stdout, /successfully rolled out/);
      const service = await cluster.json('--namespace', NAMESPACE, 'get', `service/${section}`);
      const selected = await cluster.json<{ items: Pod[] }>(
        '--namespace',
        NAMESPACE,
        'get',
        'pods',
        '--selector',
        selectorOf(service.spec.selector),
      );
      const owned = await sectionPods(cluster, section);
      assert.deepEqual(names(selected.items), names(owned), `service/${section} selects exactly its section's pods`);
      const slices = await cluster.json<{ items: { endpoints?: { addresses: string[]; conditions: { ready: boolean } }[] }[] }>(
        '--namespace',
        NAMESPACE,
        'get',
        'endpointslices',
        '--selector',
        `kubernetes.io/service-name=${section}`,
      );
      const ready = slices.items.flatMap((slice) => slice.endpoints ?? []).filter((endpoint) => endpoint.conditions.ready);
      assert.deepEqual(
        ready.flatMap((endpoint) => endpoint.addresses).sort(),
        owned
          .filter(isReady)
          .map((pod) => pod.status.podIP)
          .sort(),
        `${section}: EndpointSlices`,
      );
    }
  });

  test('a rolling update keeps a section at its PDB throughout; the same rollout with Recreate drops below it', async () => {
    const pdb = await cluster.json('--namespace', NAMESPACE, 'get', 'pdb/chocolates');
    const floor = pdb.status.desiredHealthy;
    const rolling = await lowestAvailable(cluster, 'chocolates');
    console.log(`rolling update of chocolates: at least ${rolling} available throughout, PDB floor ${floor}`);
    assert.ok(rolling >= floor, `rolling update dropped to ${rolling} available, below the PDB's ${floor}`);

    const recreate = copyOf('chocolates', 'recreate', (copy) => {
      copy.spec.strategy = { type: 'Recreate' };
    });
    const applied = await cluster.kubectl(['apply', '--server-side', '--filename', '-'], JSON.stringify(recreate));
    assert.equal(applied.status, 0, applied.stderr);
    await rolloutStatus(cluster, recreate.metadata.name);
    const dropped = await lowestAvailable(cluster, recreate.metadata.name);
    console.log(`the same rollout with Recreate: down to ${dropped} available`);
    assert.equal(dropped, 0);
    await cluster.kubectl(['--namespace', NAMESPACE, 'delete', 'deployment', recreate.metadata.name]);
  });

  test('the scheduler spreads every section at its maxReplicas evenly over the nodes and zones', async () => {
    await scaleToMax(cluster);
    const nodes = await cluster.json<{ items: { metadata: { name: string; labels: Record<string, string> } }[] }>('get', 'nodes');
    const zoneOf = new Map(nodes.items.map((node) => [node.metadata.name, node.metadata.labels['topology.kubernetes.io/zone']!]));
    const zones = [...new Set(zoneOf.values())].sort();
    const rows: string[] = [];
    for (const section of SECTION_NAMES) {
      const placed = (await sectionPods(cluster, section)).map((pod) => pod.spec.nodeName!);
      const perNode = [...zoneOf.keys()].map((node) => placed.filter((each) => each === node).length);
      const perZone = zones.map((zone) => placed.filter((node) => zoneOf.get(node) === zone).length);
      rows.push(`| ${section} | ${placed.length} | ${perNode.join(' ')} | ${skew(perNode)} | ${perZone.join(' ')} | ${skew(perZone)} |`);
      assert.ok(skew(perNode) <= 1, `${section}: node skew ${skew(perNode)} (${perNode.join(' ')})`);
      assert.ok(skew(perZone) <= 1, `${section}: zone skew ${skew(perZone)} (${perZone.join(' ')})`);
    }
    console.log(['| section | pods | per node | node skew | per zone | zone skew |', '|---|---|---|---|---|---|', ...rows].join('\n'));
  });

  test('a drain evicts only as far as each PDB allows; without the PDBs it evicts everything', async () => {
    const node = 'kwok-a1';
    const others = (await cluster.json<{ items: { metadata: { name: string } }[] }>('get', 'nodes')).items
      .map((each) => each.metadata.name)
      .filter((name) => name !== node);
    // Nowhere for replacements to go: each eviction leaves a section one pod short until the drain ends.
    assert.equal((await cluster.kubectl(['cordon', ...others])).status, 0);
    const before = await podsOn(cluster, node);
    const drained = await drain(cluster, node, '10s');
    assert.notEqual(drained.status, 0, 'the drain cannot finish');
    assert.match(drained.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    const after = await podsOn(cluster, node);
    for (const section of SECTION_NAMES) {
      const evicted = (before.get(section) ?? 0) - (after.get(section) ?? 0);
      assert.ok(evicted <= 1, `${section}: ${evicted} evicted, the PDB allows 1`);
      assert.equal(evicted, Math.min(1, before.get(section) ?? 0), `${section}: the allowed eviction happened`);
    }
    console.log(
      `drain of ${node} with the other nodes cordoned: ${[...before].map(([s, n]) => `${s} ${n} -> ${after.get(s) ?? 0}`).join(', ')}`,
    );

    // Twin: the same drain without the PDBs empties the node.
    assert.equal((await cluster.kubectl(['--namespace', NAMESPACE, 'delete', 'pdb', '--all'])).status, 0);
    const unguarded = await drain(cluster, node, '60s');
    assert.equal(unguarded.status, 0, unguarded.stderr);
    assert.deepEqual([...(await podsOn(cluster, node)).values()], []);
  });
});

describe('the same production rule on a one-node cluster (kwok provider)', { skip: skipUnlessControlPlane() }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({ envoyGateway: false, environments: [production], nodes: { zones: ['eu-central-1a'], perZone: 1 } });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('one replica per section runs and the rest stay Pending, as the docs warn; without minDomains all would crowd the node', async () => {
    const manifests = render(production).filter((each) => ['Namespace', 'ServiceAccount', 'Deployment'].includes(each.kind));
    const withoutMinDomains = manifests
      .filter((each) => each.kind === 'Deployment')
      .map((deployment) => {
        const copy = renamedDeployment(deployment, `${deployment.metadata.name}-no-min-domains`);
        for (const constraint of copy.spec.template.spec.topologySpreadConstraints) delete constraint.minDomains;
        return copy;
      });
    const replicas = Object.fromEntries(SECTION_NAMES.map((section) => [section, production.sections[section].minReplicas]));
    for (const object of [...manifests, ...withoutMinDomains]) {
      if (object.kind === 'Deployment') object.spec.replicas = replicas[object.metadata.name.replace('-no-min-domains', '')];
      const applied = await cluster.kubectl(['apply', '--server-side', '--filename', '-'], JSON.stringify(object));
      assert.equal(applied.status, 0, applied.stderr);
    }
    for (const section of SECTION_NAMES) {
      const phases = await eventually(
        async () => (await sectionPods(cluster, section)).map((pod) => pod.status.phase).sort(),
        (seen) => seen.length === replicas[section] && seen.includes('Running'),
        30_000,
        `${section}: pods created`,
      );
      assert.deepEqual(phases, ['Running', ...Array(replicas[section]! - 1).fill('Pending')].sort(), section);
      const crowded = await eventually(
        () => sectionPods(cluster, `${section}-no-min-domains`),
        (pods) => pods.length === replicas[section] && pods.every((pod) => pod.status.phase === 'Running'),
        30_000,
        `${section} without minDomains: every replica Running on the one node`,
      );
      assert.equal(new Set(crowded.map((pod) => pod.spec.nodeName)).size, 1);
    }
    const events = await cluster.kubectl(['--namespace', NAMESPACE, 'get', 'events', '--field-selector', 'reason=FailedScheduling']);
    assert.match(events.stdout, /didn't match pod topology spread constraints/);
  });
});

const names = (pods: readonly Pod[]) => pods.map((pod) => pod.metadata.name).sort();
const selectorOf = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

async function rolloutStatus(cluster: TestCluster, deployment: string): Promise<void> {
  const status = await cluster.kubectl(['--namespace', NAMESPACE, 'rollout', 'status', `deployment/${deployment}`, '--timeout=60s']);
  assert.equal(status.status, 0, status.stderr);
}

/**
 * Restarts the Deployment's rollout and watches every status update the deployment controller writes
 * until it completes; resolves with the lowest availableReplicas seen.
 */
async function lowestAvailable(cluster: TestCluster, deployment: string): Promise<number> {
  const [file, ...args] = kubectl(
    'kwok',
    '--namespace',
    NAMESPACE,
    'get',
    `deployment/${deployment}`,
    '--watch',
    '--output',
    WATCH_COLUMNS,
  );
  const watch = spawn(file!, args, { cwd: REPO_ROOT, env: cluster.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const seen: number[] = [];
  watch.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    // Each line is `=<n>`, or `=` when the field is left out (0): never an empty line to lose.
    for (const line of chunk.split('\n').filter(Boolean)) seen.push(Number(line.slice(1)));
  });
  await eventually(
    async () => seen.length,
    (count) => count > 0,
    10_000,
    'the watch started',
  );
  const restarted = await cluster.kubectl(['--namespace', NAMESPACE, 'rollout', 'restart', `deployment/${deployment}`]);
  assert.equal(restarted.status, 0, restarted.stderr);
  await rolloutStatus(cluster, deployment);
  watch.kill();
  return Math.min(...seen);
}

const WATCH_COLUMNS = 'jsonpath=={.status.availableReplicas}{"\\n"}';

/** Pins every HPA's floor at its maximum, then waits until all those replicas are scheduled and Ready. */
async function scaleToMax(cluster: TestCluster): Promise<void> {
  for (const section of SECTION_NAMES) {
    const max = production.sections[section].maxReplicas;
    const patch = JSON.stringify({ spec: { minReplicas: max } });
    assert.equal(
      (await cluster.kubectl(['--namespace', NAMESPACE, 'patch', `hpa/${section}`, '--type=merge', '--patch', patch])).status,
      0,
    );
    await eventually(
      async () => (await sectionPods(cluster, section)).filter(isReady).length,
      (ready) => ready === max,
      60_000,
      `${section}: ${max} replicas Ready`,
    );
  }
}

/** Pods per section on `node`. */
async function podsOn(cluster: TestCluster, node: string): Promise<Map<string, number>> {
  const pods = await cluster.json<{ items: Pod[] }>('--namespace', NAMESPACE, 'get', 'pods', '--field-selector', `spec.nodeName=${node}`);
  const counts = new Map<string, number>();
  for (const pod of pods.items.filter((each) => each.status.phase !== 'Succeeded')) {
    const section = pod.metadata.labels[NAME_LABEL]!;
    counts.set(section, (counts.get(section) ?? 0) + 1);
  }
  return counts;
}

function drain(cluster: TestCluster, node: string, timeout: string) {
  return cluster.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', `--timeout=${timeout}`]);
}
