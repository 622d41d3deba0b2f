// `cdk8s synth` (through the real CLI and cdk8s.yaml) renders exactly what `npm run synth` does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environments } from '../../config/index.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { freshShellEnv } from '../support/fresh-shell.ts';

const CLI = join(REPO_ROOT, 'node_modules/cdk8s-cli/bin/cdk8s');
const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-cli-test-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

test('cdk8s.yaml runs the app on native TypeScript (no ts-node, no tsx) through the Node 24 preload and writes to dist', () => {
  const { imports, ...config } = parse(readFileSync(join(REPO_ROOT, 'cdk8s.yaml'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(config, {
    language: 'typescript',
    app: 'node --import ./tools/lib/use-project-node.mjs app/main.ts',
    output: 'dist',
  });
  // Every import is a CRD vendored in this repository (a clean clone must regenerate imports/ offline).
  for (const entry of imports as string[]) assert.match(entry, /^[a-z]+:=crds\/[\w.-]+\/[\w.-]+\.yaml$/);
});

test('SWEETSHOP_ENV=production cdk8s synth renders the production environment, identical to npm run synth', async () => {
  const viaCli = join(workdir, 'cli');
  await promisify(execFile)(process.execPath, [CLI, 'synth', '--output', viaCli], {
    cwd: REPO_ROOT,
    env: { ...process.env, SWEETSHOP_ENV: 'production', CDK8S_CHECK_UPGRADE: 'false' },
  });
  const direct = join(workdir, 'direct');
  synthesizeInto(environments.production, direct);
  assert.equal(readFileSync(join(viaCli, 'sweetshop.k8s.yaml'), 'utf8'), readFileSync(join(direct, 'sweetshop.k8s.yaml'), 'utf8'));
});

test("npx cdk8s synth, as the README runs it, prints the synth's two lines and nothing else (.npmrc turns the CLI's upgrade check off)", async () => {
  const out = join(workdir, 'npx');
  const { stdout, stderr } = await promisify(execFile)('npx', ['cdk8s', 'synth', '--output', out], {
    cwd: REPO_ROOT,
    env: freshShellEnv(),
    encoding: 'utf8',
  });
  assert.equal(stderr, '');
  assert.equal(stdout, `Synthesizing application\n  - ${out}/sweetshop.k8s.yaml\n`);
});

test('from a subfolder the cdk8s CLI stops before the app runs (README says so), and npm run synth works there', async () => {
  const cli = await promisify(execFile)(process.execPath, [CLI, 'synth'], {
    cwd: join(REPO_ROOT, 'app'),
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  }).catch((error: { stderr: string; code: number }) => error);
  assert.notEqual((cli as { code?: number }).code ?? 0, 0);
  assert.match(cli.stderr, /Missing required argument: app/);
  assert.match(
    readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'),
    /from a subfolder its argument parser stops with `Missing required argument: app`/,
  );
  const out = join(workdir, 'from-subfolder');
  await promisify(execFile)('npm', ['run', '--silent', 'synth', '--', '--out', out], { cwd: join(REPO_ROOT, 'app') });
  const direct = join(workdir, 'direct-local');
  synthesizeInto(environments.local, direct);
  assert.equal(readFileSync(join(out, 'sweetshop.k8s.yaml'), 'utf8'), readFileSync(join(direct, 'sweetshop.k8s.yaml'), 'utf8'));
});
