import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
        '| section | min | max | cpu target | scale up | scale down | cpu req | cpu limit | mem req | mem limit | image tag | load balancing |',
        '| ------- | --- | --- | ---------- | -------- | ---------- | ------- | --------- | ------- | --------- | --------- | -------------- |',
        '| cakes   | 2   | 5   | 70%        | –        | –          | 100m    | 1         | 64Mi    | 128Mi     | 1.0.0     | round-robin    |',
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
        '| section | min   | max | cpu target | scale up | scale down | cpu req     | cpu limit | mem req | mem limit | image tag | load balancing     |',
        '| ------- | ----- | --- | ---------- | -------- | ---------- | ----------- | --------- | ------- | --------- | --------- | ------------------ |',
        '| cakes   | 2 → 3 | 5   | 70%        | –        | –          | 100m → 200m | 1         | 64Mi    | 128Mi     | 1.0.0     | round-robin → ewma |',
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
      gateway: {
        controller: 'envoy-gateway',
        existingGateway: { namespace: 'infra', name: 'public', sectionName: 'https' },
        loadBalancing: 'least-request',
      },
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

describe('renderPlan: HPA behaviour and what synth refuses', () => {
  const behavior = (downPercent: number, window: number) => ({
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: window,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: downPercent, periodSeconds: 60 }],
    },
  });
  const withBehavior = (downPercent: number, window = 300) => ({
    ...environment(2, '100m', 'ewma'),
    hpaBehavior: behavior(downPercent, window),
  });

  test('scale up and scale down sit next to min/max and the CPU target, per section', () => {
    const [header, , row] = renderPlan({ staging: withBehavior(25) })
      .split('\n')
      .slice(2);
    assert.match(header!, /^\| section \| min \| max \| cpu target \| scale up +\| scale down +\| cpu req /);
    assert.match(row!, /^\| cakes +\| 2 +\| 5 +\| 70% +\| max\(\+4 pods\/15s, \+100%\/15s\) \| -25%\/60s after 300s \| 100m /);
  });

  test("a stated tolerance reads `past N%` in its direction's cell", () => {
    const staging = withBehavior(25);
    const tolerant = {
      ...staging,
      hpaBehavior: { ...staging.hpaBehavior, scaleDown: { ...staging.hpaBehavior.scaleDown, tolerance: 0.125 } },
    };
    assert.match(renderPlan({ staging: tolerant }), /\| max\(\+4 pods\/15s, \+100%\/15s\) \| -25%\/60s after 300s past 12\.5% \|/);
  });

  test('a changed behaviour reads old → new in the cell and is listed field by field, array items as [i]', () => {
    const output = renderPlan({ staging: withBehavior(50, 0) }, { base: { staging: withBehavior(25) }, baseLabel: 'main' });
    assert.match(output, /\| max\(\+4 pods\/15s, \+100%\/15s\) \| -25%\/60s after 300s → -50%\/60s \|/);
    assert.match(output, /^- staging\.hpaBehavior\.scaleDown\.stabilizationWindowSeconds: 300 → 0$/m);
    assert.match(output, /^- staging\.hpaBehavior\.scaleDown\.policies\[0\]\.value: 25 → 50$/m);
  });

  test('a disabled direction, a base without behaviour, and malformed data read as such (never a crash)', () => {
    const disabled = { ...withBehavior(25), hpaBehavior: { ...behavior(25, 300), scaleDown: { selectPolicy: 'Disabled', policies: [] } } };
    const malformed = { ...withBehavior(25), hpaBehavior: { scaleUp: 'fast', scaleDown: { policies: [{ type: 'Replicas' }] } } };
    assert.match(
      renderPlan({ staging: disabled }, { base: { staging: environment(2, '100m', 'ewma') } }),
      /\| – → max\(.*\) \| – → disabled \|/,
    );
    assert.match(renderPlan({ staging: malformed }), /\| cakes +\| 2 +\| 5 +\| 70% +\| \? +\| \? after \?s \|/);
  });

  test("what synth refuses is listed under the environment's table, now and at the base, and an unchecked base is said", () => {
    const output = renderPlan(
      { staging: withBehavior(25) },
      {
        base: { staging: withBehavior(25) },
        baseLabel: 'origin/main',
        refused: { staging: ['staging.sections.cakes.minReplicas: 6 must be <= maxReplicas (4); lower minReplicas or raise maxReplicas'] },
        baseRefused: { staging: ['staging.hpaBehavior.scaleUp: missing'] },
        baseUnchecked: 'could not load app/build-app.ts at origin/main: boom',
      },
    );
    assert.ok(
      output.includes(
        '**`npm run synth` refuses staging** (fix it before merging):\n\n' +
          '- staging.sections.cakes.minReplicas: 6 must be <= maxReplicas (4); lower minReplicas or raise maxReplicas\n\n' +
          '**`npm run synth` refused staging at origin/main:**\n\n- staging.hpaBehavior.scaleUp: missing\n',
      ),
      output,
    );
    assert.match(output, /\nNot checked at origin\/main: could not load app\/build-app\.ts at origin\/main: boom\n$/);
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
  // The layout of today: the environments moved from app/environments/ to config/.
  mkdirSync(join(repo, 'config'));
  git('mv', 'app/environments/index.ts', 'app/environments/types.ts', 'config/');
  writeFileSync(
    join(repo, 'config/index.ts'),
    readFileSync(join(repo, 'config/index.ts'), 'utf8').replace('minReplicas: 3', 'minReplicas: 4'),
  );
  git('commit', '-qam', 'four, in config/');

  test('loads the environments as they were at an older commit (no app/build-app.ts there: nothing to check them with)', async () => {
    assert.deepEqual(await environmentsAtRef(repo, 'HEAD~2'), {
      environments: { staging: { sections: { cakes: { minReplicas: 2 } } } },
      refused: {},
    });
    assert.deepEqual(await environmentsAtRef(repo, 'HEAD~1'), {
      environments: { staging: { sections: { cakes: { minReplicas: 3 } } } },
      refused: {},
    });
  });

  test('reads config/index.ts in the layout of today and app/environments/index.ts in the older one', async () => {
    assert.deepEqual(await environmentsAtRef(repo, 'HEAD'), {
      environments: { staging: { sections: { cakes: { minReplicas: 4 } } } },
      refused: {},
    });
  });

  test('a commit before app/environments existed has no environments', async () => {
    assert.deepEqual(await environmentsAtRef(repo, 'HEAD~3'), { environments: {}, refused: {} });
  });

  test('an unknown ref is a clear error', async () => {
    await assert.rejects(environmentsAtRef(repo, 'no-such-branch'), {
      message: `--base 'no-such-branch' is not a commit in ${repo}; use a branch, tag or sha (e.g. origin/main)`,
    });
  });
});

describe('environmentsAtRef checks each environment with the app builder of its own commit', () => {
  const repo = join(workdir, 'repo-with-builder');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'pipe' });
  mkdirSync(join(repo, 'app/environments'), { recursive: true });
  writeFileSync(join(repo, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(repo, 'app/environments/index.ts'),
    'export const environments = { good: { sections: { cakes: { minReplicas: 2 } } }, bad: { sections: { cakes: { minReplicas: 9 } } } };\n',
  );
  // Refuses more than 2 replicas the way validation does: an error carrying one line per problem.
  writeFileSync(
    join(repo, 'app/build-app.ts'),
    'export function buildApp(environment) {\n' +
      '  return { synthYaml() {\n' +
      '    if (environment.sections.cakes.minReplicas <= 2) return "";\n' +
      '    throw Object.assign(new Error("invalid"), { problems: ["bad.sections.cakes.minReplicas: 9 must be <= 2"] });\n' +
      '  } };\n}\n',
  );
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'a builder that refuses one environment');
  writeFileSync(join(repo, 'app/build-app.ts'), 'import "no-such-package-sweetshop";\nexport function buildApp() {}\n');
  git('commit', '-qam', 'a builder that cannot be loaded');

  test('an environment that synth refused there is reported with its problems, the others not', async () => {
    const { refused, unchecked } = await environmentsAtRef(repo, 'HEAD~1');
    assert.deepEqual(refused, { bad: ['bad.sections.cakes.minReplicas: 9 must be <= 2'] });
    assert.equal(unchecked, undefined);
  });

  test('a builder that cannot be loaded leaves the environments unchecked and says why, instead of failing', async () => {
    const { environments, refused, unchecked } = await environmentsAtRef(repo, 'HEAD');
    assert.deepEqual(Object.keys(environments), ['good', 'bad']);
    assert.deepEqual(refused, {});
    assert.match(unchecked ?? '', /^could not load app\/build-app\.ts at HEAD: Cannot find package 'no-such-package-sweetshop'/);
  });
});

describe('tools/plan/main.ts (npm run plan)', () => {
  const plan = (args: string[]) => promisify(execFile)(process.execPath, ['tools/plan/main.ts', ...args], { cwd: REPO_ROOT });

  test('prints a table for every environment, and no warning: no shipped environment names a retired controller', async () => {
    const { stdout, stderr } = await plan([]);
    assert.equal(stderr, '');
    assert.match(
      stdout,
      /^### local: namespace sweetshop, ingress f5-nginx-ingress \(class nginx\), min replicas floor 1, node spread preferred$/m,
    );
    assert.match(
      stdout,
      /^### local-gateway: namespace sweetshop, gateway envoy-gateway \(class eg\), min replicas floor 1, node spread preferred$/m,
    );
    assert.match(
      stdout,
      /^### production: namespace sweetshop, gateway envoy-gateway \(Gateway gateway-infra\/public\), min replicas floor 2, node spread required$/m,
    );
    assert.match(stdout, /^\| chocolates \| 3 +\| 12 +\| 65% .*\| least-request +\|$/m);
    assert.match(stdout, /^\| chocolates \| 3 +\| 12 +\| 65% /m);
  });

  test('--env keeps only the named environment', async () => {
    const { stdout } = await plan(['--env', 'production']);
    assert.deepEqual(stdout.match(/^### .*$/gm), [
      '### production: namespace sweetshop, gateway envoy-gateway (Gateway gateway-infra/public), min replicas floor 2, node spread required',
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
