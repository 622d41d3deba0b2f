// npm run deploy, run for real against a fake kubectl (fake-tools.ts) in a scratch directory holding a copy
// of dist/: the diff sees the manifests as the apply sends them, pruning deletes only after consent, and
// nothing is applied from a stale dist/ or with a kubectl that has no --applyset.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { parseAllDocuments } from 'yaml';

import { applySetId, applySetParent, PART_OF_LABEL, prunedObjects } from '../../tools/cluster/apply-set.ts';
import { runbookFor } from '../../tools/cluster/cli.ts';
import { executeRunbook, type Runbook } from '../../tools/cluster/runbook.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { type FakeBin, fakeBin } from './fake-tools.ts';

const KUBECTL = 'kubectl --context kind-sweetshop';
const APPLY = `${KUBECTL} --namespace sweetshop apply --server-side --prune --applyset=secrets/sweetshop-applyset`;
const DRY_RUN = `${APPLY} --dry-run=server --filename dist`;
const ROLLOUTS = ['chocolates', 'candies', 'cakes'].map(
  (section) => `${KUBECTL} --namespace sweetshop rollout status deployment/${section} --timeout=180s`,
);

let bin: FakeBin | undefined;
afterEach(() => bin?.remove());

interface Run {
  readonly fakes: FakeBin;
  readonly log: string[];
  readonly result: Promise<void>;
}

/** `npm run deploy -- <args>` with a fake kubectl, in a scratch directory holding a copy of dist/ (edited by `prepare`). */
function deploy(args: string[], settings: Record<string, string> = {}, confirm?: (question: string) => Promise<boolean>): Run {
  const fakes = fakeBin(['kubectl']);
  bin = fakes;
  cpSync(join(REPO_ROOT, 'dist'), join(fakes.dir, 'dist'), { recursive: true });
  const env = fakes.env(settings);
  const parsed = runbookFor(['deploy', ...args], { processEnv: env, root: fakes.dir });
  assert.notEqual(parsed, 'help');
  const { runbook } = parsed as { runbook: Runbook };
  const log: string[] = [];
  const context = { cwd: fakes.dir, env, log: (line: string) => log.push(line), output: (text: string) => log.push(text), confirm };
  return { fakes, log, result: executeRunbook(runbook, context) };
}

function documents(path: string): any[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => doc.toJS());
}

describe('deploy on kind', () => {
  test('a first deploy: namespace created, labelled manifests diffed, nothing to prune, the pruning apply, the rollouts', async () => {
    const run = deploy([]);
    await run.result;
    assert.deepEqual(run.fakes.calls(), [
      'kubectl version --client --output=json',
      'kubectl config get-contexts kind-sweetshop --output=name --no-headers',
      `${KUBECTL} get namespace sweetshop --ignore-not-found --output=name`,
      `${KUBECTL} create namespace sweetshop`,
      `${KUBECTL} --namespace sweetshop get deployments --output=json`,
      `${KUBECTL} diff --server-side --filename .cluster/diff/local.k8s.yaml`,
      DRY_RUN,
      `${APPLY} --filename dist`,
      ...ROLLOUTS,
    ]);
    assert.ok(run.log.includes('  no objects --prune would delete from the cluster'));
  });

  test('the diff gets dist/ exactly, plus the ApplySet label kubectl adds when it applies (else it reports it removed)', async () => {
    const run = deploy([], { FAKE_NAMESPACE: 'sweetshop' });
    await run.result;
    const id = applySetId(applySetParent('sweetshop'));
    const diffed = documents(join(run.fakes.dir, '.cluster/diff/local.k8s.yaml'));
    const applied = documents(join(REPO_ROOT, 'dist/sweetshop.k8s.yaml'));
    assert.equal(diffed.length, applied.length);
    for (const object of diffed) assert.equal(object.metadata.labels[PART_OF_LABEL], id, `${object.kind}/${object.metadata.name}`);
    for (const object of diffed) delete object.metadata.labels[PART_OF_LABEL];
    assert.deepEqual(diffed, applied);
    assert.ok(!run.fakes.calls().includes(`${KUBECTL} create namespace sweetshop`), 'an existing namespace is left alone');
  });

  test('a Deployment another environment created (its immutable selector differs): stopped without --yes, replaced with it', async () => {
    const live = JSON.stringify({
      items: [
        {
          metadata: { name: 'chocolates' },
          spec: {
            selector: { matchLabels: { 'app.kubernetes.io/instance': 'sweetshop-local-gateway', 'app.kubernetes.io/name': 'chocolates' } },
          },
        },
        {
          metadata: { name: 'candies' },
          spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'candies', 'app.kubernetes.io/instance': 'sweetshop-local' } } },
        },
      ],
    });
    const stopped = deploy([], { FAKE_NAMESPACE: 'sweetshop', FAKE_DEPLOYMENTS: live });
    await assert.rejects(
      stopped.result,
      /stopped before the diff: Deployments with another environment's selector in sweetshop \(1\): chocolates;/,
    );
    assert.ok(!stopped.fakes.calls().some((call) => call.includes(' delete ') || call.includes(' apply ')), 'nothing deleted or applied');
    stopped.fakes.remove();
    const replaced = deploy(['--yes'], { FAKE_NAMESPACE: 'sweetshop', FAKE_DEPLOYMENTS: live });
    await replaced.result;
    assert.ok(
      replaced.fakes.calls().includes(`${KUBECTL} --namespace sweetshop delete deployment/chocolates --wait=true`),
      replaced.fakes.calls().join('\n'),
    );
  });

  test('differences (kubectl diff exits 1) are shown and the deploy goes on', async () => {
    const run = deploy([], { FAKE_NAMESPACE: 'sweetshop', FAKE_DIFF: '-  minReplicas: 2\n+  minReplicas: 3' });
    await run.result;
    assert.ok(run.fakes.calls().includes(`${APPLY} --filename dist`));
  });

  test('deletions with no --yes and no terminal: stopped, every object named, nothing applied', async () => {
    const run = deploy([], { FAKE_NAMESPACE: 'sweetshop', FAKE_PRUNED: 'deployment.apps/pies service/pies' });
    await assert.rejects(run.result, {
      message:
        'stopped before the apply: objects --prune would delete from the cluster (2): deployment.apps/pies, service/pies; ' +
        'no --yes and no terminal to ask. Re-run with --yes to go ahead, or in a terminal to be asked.',
    });
    assert.equal(run.fakes.calls().at(-1), DRY_RUN, 'the dry run was the last call');
    assert.ok(run.log.includes('    deployment.apps/pies') && run.log.includes('    service/pies'), 'listed before anything happens');
  });

  test('at a terminal the deletions are asked about: no stops the deploy, yes applies', async () => {
    const questions: string[] = [];
    const declined = deploy([], { FAKE_NAMESPACE: 'sweetshop', FAKE_PRUNED: 'deployment.apps/pies' }, async (question) => {
      questions.push(question);
      return false;
    });
    await assert.rejects(declined.result, {
      message: 'stopped before the apply: not confirmed; objects --prune would delete from the cluster (1): deployment.apps/pies',
    });
    assert.equal(declined.fakes.calls().at(-1), DRY_RUN);
    declined.fakes.remove();
    const accepted = deploy([], { FAKE_NAMESPACE: 'sweetshop', FAKE_PRUNED: 'deployment.apps/pies' }, async () => true);
    await accepted.result;
    assert.deepEqual(accepted.fakes.calls().slice(-4), [`${APPLY} --filename dist`, ...ROLLOUTS]);
    assert.deepEqual(questions, ['  Delete them? [y/N] ']);
  });

  test('--yes applies the deletions without asking', async () => {
    const run = deploy(['--yes'], { FAKE_NAMESPACE: 'sweetshop', FAKE_PRUNED: 'deployment.apps/pies' }, () => {
      throw new Error('--yes must not ask');
    });
    await run.result;
    assert.ok(run.fakes.calls().includes(`${APPLY} --filename dist`));
    assert.ok(run.log.includes('  going ahead: --yes was given'));
  });

  test('a stale dist/ stops the deploy before kubectl touches the cluster', async () => {
    const fakes = fakeBin(['kubectl']);
    bin = fakes;
    cpSync(join(REPO_ROOT, 'dist'), join(fakes.dir, 'dist'), { recursive: true });
    const manifest = join(fakes.dir, 'dist/sweetshop.k8s.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('maxReplicas: 4', 'maxReplicas: 5'));
    const parsed = runbookFor(['deploy'], { processEnv: fakes.env(), root: fakes.dir }) as { runbook: Runbook };
    await assert.rejects(executeRunbook(parsed.runbook, { cwd: fakes.dir, env: fakes.env(), log: () => {}, output: () => {} }), {
      message:
        'dist/ is not what config/environments/local.ts renders now (dist/sweetshop.k8s.yaml differs): ' +
        'run `npm run synth`, review the diff and commit it, then deploy',
    });
    assert.deepEqual(fakes.calls(), [
      'kubectl version --client --output=json',
      'kubectl config get-contexts kind-sweetshop --output=name --no-headers',
    ]);
  });

  test('a kubectl without --applyset (before 1.27) is named before anything runs', async () => {
    const run = deploy([], { FAKE_KUBECTL_MINOR: '26' });
    await assert.rejects(run.result, { message: 'kubectl v1.26 is too old for ApplySet pruning: install kubectl v1.27 or later' });
    assert.deepEqual(run.fakes.calls(), ['kubectl version --client --output=json']);
  });

  test('production on a cluster without its platform Gateway: refused naming the Gateway and the way out, before any synth or apply', async () => {
    const run = deploy(['--env', 'production']);
    await assert.rejects(run.result, {
      message:
        'production.gateway.existingGateway is gateway-infra/public, which kind-sweetshop does not have: ' +
        'create that Gateway first, or deploy --env local-gateway (it renders its own)',
    });
    assert.equal(run.fakes.calls().length, 3);
  });

  test('without the cluster (no kubectl context) it says to create it, before touching anything', async () => {
    const run = deploy([], { FAKE_NO_CONTEXT: '1' });
    await assert.rejects(run.result, { message: 'kubectl has no context kind-sweetshop: create the cluster first (npm run cluster:up)' });
    assert.equal(run.fakes.calls().length, 2);
  });
});

test("prunedObjects reads kubectl's pruned lines, dry run or not, and nothing else", () => {
  const output = [
    'namespace/sweetshop serverside-applied (server dry run)',
    'deployment.apps/pies pruned (server dry run)',
    'horizontalpodautoscaler.autoscaling/pies pruned',
    'service/pruned serverside-applied',
  ].join('\n');
  assert.deepEqual(prunedObjects(output), ['deployment.apps/pies', 'horizontalpodautoscaler.autoscaling/pies']);
});

test("applySetId is kubectl's: base64url(sha256(name.namespace.Secret.)) (kubectl's own test vector: my-set in test)", () => {
  assert.equal(applySetId({ name: 'my-set', namespace: 'test' }), 'applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1');
});

test('npm run deploy without a terminal and without --yes refuses the deletions, exit 1, one line naming them', async () => {
  const fakes = fakeBin(['kubectl']);
  bin = fakes;
  const env = fakes.env({ FAKE_NAMESPACE: 'sweetshop', FAKE_PRUNED: 'service/pies' });
  const failure = await promisify(execFile)(process.execPath, ['tools/cluster/main.ts', 'deploy'], { cwd: REPO_ROOT, env }).then(
    () => assert.fail('deploy must fail'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(failure.code, 1);
  assert.match(
    failure.stderr,
    /^deploy: stopped before the apply: objects --prune would delete from the cluster \(1\): service\/pies; no --yes and no terminal/,
  );
  assert.equal(fakes.calls().at(-1), DRY_RUN);
});
