import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { environmentsAtRef } from '../../tools/plan/environments-at-ref.ts';
import { diffLeaves, renderPlan } from '../../tools/plan/plan-table.ts';

const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-plan-test-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const section = (min: number, max: number, cpu: string) => ({
  image: { repository: 'sweetshop/cakes', tag: '1.0.0' },
  minReplicas: min,
  maxReplicas: max,
  cpuTargetPercent: 70,
  requests: { cpu, memory: '64Mi', ephemeralStorage: '64Mi' },
  limits: { cpu: '1', memory: '128Mi', ephemeralStorage: '128Mi' },
  path: '/cakes',
});
const environment = (min: number, cpu: string, loadBalancing: string) => ({
  name: 'staging',
  namespace: 'shop',
  ingress: { controller: 'ingress-nginx', className: 'nginx', controllerNamespace: 'ingress-nginx', loadBalancing },
  sections: { cakes: section(min, 5, cpu) },
});

describe('renderPlan', () => {
  test('prints one Markdown table per environment', () => {
    assert.equal(
      renderPlan({ staging: environment(2, '100m', 'round-robin') }),
      [
        '### staging: namespace shop, ingress ingress-nginx (class nginx)',
        '',
        '| section | min | max | cpu target | cpu req | cpu limit | mem req | mem limit | image tag | load balancing |',
        '| ------- | --- | --- | ---------- | ------- | --------- | ------- | --------- | --------- | -------------- |',
        '| cakes   | 2   | 5   | 70%        | 100m    | 1         | 64Mi    | 128Mi     | 1.0.0     | round-robin    |',
        '',
      ].join('\n'),
    );
  });

  test('with a base, changed cells read old → new and every changed field is listed', () => {
    const output = renderPlan(
      { staging: environment(3, '200m', 'ewma') },
      { base: { staging: environment(2, '100m', 'round-robin') }, baseLabel: 'origin/main' },
    );
    assert.equal(
      output,
      [
        '### staging: namespace shop, ingress ingress-nginx (class nginx)',
        '',
        '| section | min   | max | cpu target | cpu req     | cpu limit | mem req | mem limit | image tag | load balancing     |',
        '| ------- | ----- | --- | ---------- | ----------- | --------- | ------- | --------- | --------- | ------------------ |',
        '| cakes   | 2 → 3 | 5   | 70%        | 100m → 200m | 1         | 64Mi    | 128Mi     | 1.0.0     | round-robin → ewma |',
        '',
        '### Changes against origin/main',
        '',
        '- staging.ingress.loadBalancing: "round-robin" → "ewma"',
        '- staging.sections.cakes.minReplicas: 2 → 3',
        '- staging.sections.cakes.requests.cpu: "100m" → "200m"',
        '',
      ].join('\n'),
    );
  });

  test("the title shows the environment's availability floor, and a changed floor is listed", () => {
    const withFloor = (minReplicasFloor: number) => ({ ...environment(2, '100m', 'ewma'), availability: { minReplicasFloor } });
    const output = renderPlan({ staging: withFloor(1) }, { base: { staging: withFloor(2) }, baseLabel: 'main' });
    assert.match(output, /^### staging: namespace shop, ingress ingress-nginx \(class nginx\), min replicas floor 1$/m);
    assert.match(output, /^- staging\.availability\.minReplicasFloor: 2 → 1$/m);
  });

  test('a move from an Ingress to Gateway API shows the routing in the title and the algorithm change in the cell', () => {
    const { ingress: _ingress, ...settings } = environment(2, '100m', 'least-connections');
    const gateway = {
      ...settings,
      gateway: { controller: 'envoy-gateway', existingGateway: { namespace: 'infra', name: 'public' }, loadBalancing: 'least-request' },
    };
    const output = renderPlan({ staging: gateway }, { base: { staging: environment(2, '100m', 'least-connections') }, baseLabel: 'main' });
    assert.match(output, /^### staging: namespace shop, gateway envoy-gateway \(Gateway infra\/public\)$/m);
    assert.match(output, /^\| cakes +\| 2 .*\| least-connections → least-request \|$/m);
    assert.match(output, /^- staging\.ingress: removed$/m);
    assert.match(output, /^- staging\.gateway: added$/m);
  });

  test('says so when nothing changed', () => {
    assert.match(
      renderPlan({ staging: environment(2, '100m', 'ewma') }, { base: { staging: environment(2, '100m', 'ewma') }, baseLabel: 'HEAD' }),
      /\nNo changes against HEAD\.\n$/,
    );
  });

  test('marks new and removed environments and sections', () => {
    const withPies = { ...environment(2, '100m', 'ewma'), sections: { cakes: section(2, 5, '100m'), pies: section(1, 2, '50m') } };
    const output = renderPlan(
      { staging: withPies },
      { base: { staging: environment(2, '100m', 'ewma'), qa: environment(1, '50m', 'ewma') }, baseLabel: 'v1' },
    );
    assert.match(output, /^### qa \(removed\): /m);
    assert.match(output, /^\| pies \(new\) /m);
    assert.match(output, /- qa: removed\n/);
    assert.match(output, /- staging\.sections\.pies: added\n/);
  });
});

test('diffLeaves lists scalar changes with their path and collapses whole objects', () => {
  assert.deepEqual(diffLeaves({ a: { b: 1, c: 'x' }, gone: { y: 1 } }, { a: { b: 2, c: 'x', d: true }, fresh: { z: 1 } }), [
    'a.b: 1 → 2',
    'a.d: added (true)',
    'gone: removed',
    'fresh: added',
  ]);
});

describe('environmentsAtRef', () => {
  const repo = join(workdir, 'repo');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'pipe' });
  const writeEnvironments = (min: number) => {
    writeFileSync(
      join(repo, 'app/environments/index.ts'),
      `import type { X } from './types.ts';\n` +
        `export const environments: Record<string, X> = { staging: { sections: { cakes: { minReplicas: ${min} } } } };\n`,
    );
  };
  mkdirSync(join(repo, 'app/environments'), { recursive: true });
  writeFileSync(join(repo, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(repo, 'README'), 'fixture\n');
  git('init', '-q');
  git('add', 'README', 'package.json');
  git('commit', '-qm', 'before environments');
  writeFileSync(join(repo, 'app/environments/types.ts'), 'export type X = unknown;\n');
  writeEnvironments(2);
  git('add', 'app');
  git('commit', '-qm', 'two');
  writeEnvironments(3);
  git('commit', '-qam', 'three');

  test('loads the environments as they were at an older commit', async () => {
    assert.deepEqual(await environmentsAtRef(repo, 'HEAD~1'), { staging: { sections: { cakes: { minReplicas: 2 } } } });
    assert.deepEqual(await environmentsAtRef(repo, 'HEAD'), { staging: { sections: { cakes: { minReplicas: 3 } } } });
  });

  test('a commit before app/environments existed has no environments', async () => {
    assert.deepEqual(await environmentsAtRef(repo, 'HEAD~2'), {});
  });

  test('an unknown ref is a clear error', async () => {
    await assert.rejects(environmentsAtRef(repo, 'no-such-branch'), {
      message: `--base 'no-such-branch' is not a commit in ${repo}; use a branch, tag or sha (e.g. origin/main)`,
    });
  });
});

describe('tools/plan/main.ts (npm run plan)', () => {
  const plan = (args: string[]) => promisify(execFile)(process.execPath, ['tools/plan/main.ts', ...args], { cwd: REPO_ROOT });

  test('prints a table for every environment', async () => {
    const { stdout } = await plan([]);
    assert.match(stdout, /^### local: namespace sweetshop, ingress ingress-nginx \(class nginx\), min replicas floor 1$/m);
    assert.match(stdout, /^### local-gateway: namespace sweetshop, gateway envoy-gateway \(class eg\), min replicas floor 1$/m);
    assert.match(
      stdout,
      /^### production: namespace sweetshop, gateway envoy-gateway \(Gateway gateway-infra\/public\), min replicas floor 2$/m,
    );
    assert.match(stdout, /^\| chocolates \| 3 +\| 12 +\| 65% .*\| least-request +\|$/m);
    assert.match(stdout, /^\| chocolates \| 3 +\| 12 +\| 65% /m);
  });

  test('--env keeps only the named environment', async () => {
    const { stdout } = await plan(['--env', 'production']);
    assert.deepEqual(stdout.match(/^### .*$/gm), [
      '### production: namespace sweetshop, gateway envoy-gateway (Gateway gateway-infra/public), min replicas floor 2',
    ]);
  });

  test('--help and a bad --base / --env exit with one clear line', async () => {
    assert.match((await plan(['--help'])).stdout, /^Usage: npm run plan/);
    await assert.rejects(plan(['--base', 'no-such-ref-xyz']), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /^plan failed: --base 'no-such-ref-xyz' is not a commit in /);
      return true;
    });
    await assert.rejects(plan(['--env', 'qa']), {
      stderr: "plan failed: unknown environment 'qa' (from --env): choose one of local, local-gateway, production\n",
    });
  });
});
