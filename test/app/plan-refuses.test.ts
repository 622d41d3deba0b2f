// `npm run plan` refuses what `npm run synth` refuses, in the same words, and reports (without failing) an
// environment that the base commit's synth refused. Both CLIs run in a scratch git copy of the sources in
// which one number of config/environments/local.ts is broken (chocolates minReplicas 6 > maxReplicas 4).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const copy = mkdtempSync(join(tmpdir(), 'sweetshop-plan-refuses-'));
after(() => rmSync(copy, { recursive: true, force: true }));
for (const path of ['config', 'app', 'charts', 'imports', 'tools', 'package.json'])
  cpSync(join(REPO_ROOT, path), join(copy, path), { recursive: true });
symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');

const LOCAL = join(copy, 'config/environments/local.ts');
const shipped = readFileSync(LOCAL, 'utf8');
const broken = shipped.replace('minReplicas: 2,', 'minReplicas: 6,');
assert.notEqual(broken, shipped);
const PROBLEM = 'local.sections.chocolates.minReplicas: 6 must be <= maxReplicas (4); lower minReplicas or raise maxReplicas';

const git = (...args: string[]) =>
  execFileSync('git', ['-C', copy, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'pipe' });
git('init', '-q');
writeFileSync(LOCAL, broken);
git('add', '.');
git('commit', '-qm', 'chocolates 6..4');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(script: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], { cwd: copy });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('npm run plan on an environment synth refuses', () => {
  test('exits 1 with the same field-naming message synth prints, and lists the problem under the table', async () => {
    writeFileSync(LOCAL, broken);
    const synth = await run('tools/synth/main.ts', ['--out', join(copy, 'out')]);
    const plan = await run('tools/plan/main.ts', []);
    assert.equal(synth.code, 1);
    assert.equal(plan.code, 1);
    assert.equal(synth.stderr, `synth failed: environment 'local' is invalid (1 problem):\n  - ${PROBLEM}\n`);
    // local-gateway is local with Gateway API routing (it spreads local's sections), so it is refused too.
    assert.equal(
      plan.stderr,
      synth.stderr.replace(/^synth failed: /, 'plan failed: ') +
        synth.stderr
          .replace(/^synth failed: /, 'plan failed: ')
          .replaceAll("'local'", "'local-gateway'")
          .replace('  - local.', '  - local-gateway.'),
    );
    assert.match(plan.stdout, /^\| chocolates \| 6 +\| 4 +\| 70% /m);
    assert.ok(plan.stdout.includes(`**\`npm run synth\` refuses local** (fix it before merging):\n\n- ${PROBLEM}\n`), plan.stdout);
    assert.match(plan.stdout, /^### production: /m, 'the valid environment is still shown');
  });

  test('--env production leaves the broken local out, and passes', async () => {
    writeFileSync(LOCAL, broken);
    const plan = await run('tools/plan/main.ts', ['--env', 'production']);
    assert.equal(plan.code, 0);
    assert.equal(plan.stderr, '');
  });

  test('a base commit whose synth refused an environment is reported, and the plan of a fixed tree passes', async () => {
    writeFileSync(LOCAL, shipped);
    const plan = await run('tools/plan/main.ts', ['--base', 'HEAD']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(plan.stderr, '');
    assert.ok(plan.stdout.includes(`**\`npm run synth\` refused local at HEAD:**\n\n- ${PROBLEM}\n`), plan.stdout);
    assert.match(plan.stdout, /^\| chocolates \| 6 → 2 +\| 4 +\| 70% /m);
    assert.match(plan.stdout, /^- local\.sections\.chocolates\.minReplicas: 6 → 2$/m);
  });
});
