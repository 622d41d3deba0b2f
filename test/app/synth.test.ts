import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { restoreCommittedOutput } from '../../app/restore-committed-output.ts';
import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { local } from '../../config/environments/local.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const run = promisify(execFile);
const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-synth-test-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

function brokenLocal(): typeof local {
  return { ...local, sections: { ...local.sections, cakes: { ...local.sections.cakes, minReplicas: 0 } } };
}

describe('synthesizeInto (npm run synth)', () => {
  test('writes the manifests into a folder that did not exist', () => {
    const out = join(workdir, 'fresh');
    assert.deepEqual(synthesizeInto(local, out), ['sweetshop.k8s.yaml']);
    assert.match(readFileSync(join(out, 'sweetshop.k8s.yaml'), 'utf8'), /kind: Deployment/);
  });

  test('replaces the previous contents completely (no stale files survive)', () => {
    const out = join(workdir, 'replace');
    mkdirSync(out);
    writeFileSync(join(out, 'old.k8s.yaml'), 'stale');
    synthesizeInto(local, out);
    assert.deepEqual(readdirSync(out), ['sweetshop.k8s.yaml']);
  });

  test('a failed synth leaves the previous manifests untouched and no temp folder behind', () => {
    const out = join(workdir, 'keep');
    mkdirSync(out);
    writeFileSync(join(out, 'sweetshop.k8s.yaml'), 'previous good manifests');
    assert.throws(() => synthesizeInto(brokenLocal(), out), { message: /environment 'local' is invalid \(1 problem\)/ });
    assert.deepEqual(readdirSync(out), ['sweetshop.k8s.yaml']);
    assert.equal(readFileSync(join(out, 'sweetshop.k8s.yaml'), 'utf8'), 'previous good manifests');
    assert.deepEqual(
      readdirSync(workdir).filter((name) => name.includes('staging')),
      [],
    );
  });
});

describe('app/main.ts (the cdk8s.yaml app command)', () => {
  const main = (env: Record<string, string>) => run(process.execPath, ['app/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env } });

  test('renders the environment named by SWEETSHOP_ENV into CDK8S_OUTDIR', async () => {
    const out = join(workdir, 'main-production');
    await main({ SWEETSHOP_ENV: 'production', CDK8S_OUTDIR: out });
    assert.match(readFileSync(join(out, 'sweetshop.k8s.yaml'), 'utf8'), /kind: BackendTrafficPolicy[\s\S]*type: LeastRequest/);
  });

  test('an unknown SWEETSHOP_ENV exits 1 with one line listing the known environments and writes nothing', async () => {
    const out = join(workdir, 'main-unknown');
    await assert.rejects(main({ SWEETSHOP_ENV: 'staging', CDK8S_OUTDIR: out }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.equal(
        error.stderr,
        "synth failed: unknown environment 'staging' (from SWEETSHOP_ENV): choose one of local, local-gateway, production\n",
      );
      return true;
    });
    assert.equal(existsSync(out), false);
  });

  test('a failure after cdk8s synth deleted the committed dist/ puts it back from git HEAD and says so', async () => {
    const repo = join(workdir, 'main-restore');
    mkdirSync(join(repo, 'dist'), { recursive: true });
    writeFileSync(join(repo, 'dist', 'sweetshop.k8s.yaml'), 'committed manifests\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'pipe' });
    git('init', '-q');
    git('add', 'dist');
    git('commit', '-qm', 'dist');
    rmSync(join(repo, 'dist'), { recursive: true });
    // As under the CLI: cwd is the project, CDK8S_OUTDIR the (already emptied) output folder.
    const app = run(process.execPath, [join(REPO_ROOT, 'app/main.ts')], {
      cwd: repo,
      env: { ...process.env, SWEETSHOP_ENV: 'staging', CDK8S_OUTDIR: 'dist' },
    });
    await assert.rejects(app, (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /restored the committed dist\/ from git HEAD/);
      return true;
    });
    assert.equal(readFileSync(join(repo, 'dist', 'sweetshop.k8s.yaml'), 'utf8'), 'committed manifests\n');
  });
});

describe('tools/synth/main.ts (npm run synth)', () => {
  const synth = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['tools/synth/main.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });

  test('--help explains the options', async () => {
    const { stdout } = await synth(['--help']);
    assert.match(stdout, /^Usage: npm run synth/);
    assert.match(stdout, /known: local, local-gateway, production/);
  });

  test('--env and --out pick the environment and folder', async () => {
    const out = join(workdir, 'cli');
    const { stdout } = await synth(['--env', 'production', '--out', out]);
    assert.equal(stdout, `synthesized environment 'production' into ${out}/: sweetshop.k8s.yaml\n`);
  });

  test('the default environment synthesizes without a warning (its Ingress controller is maintained)', async () => {
    const { stderr } = await synth(['--out', join(workdir, 'cli-local')]);
    assert.equal(stderr, '');
  });

  test('--out creates the folder with the usual mode (0777 minus the umask), not a private 700', async () => {
    for (const [umask, mode] of [
      ['022', 0o755],
      ['027', 0o750],
    ] as const) {
      const out = join(workdir, `cli-mode-${umask}`);
      const command = `umask ${umask} && exec "$0" tools/synth/main.ts --out "$1"`;
      await run('sh', ['-c', command, process.execPath, out], { cwd: REPO_ROOT });
      assert.equal(statSync(out).mode & 0o777, mode, `umask ${umask}`);
    }
  });

  test('--check: a current folder passes in silence; a hand-edited one fails with one line naming the file and the fix, and is left as it is', async () => {
    const out = join(workdir, 'cli-check');
    await synth(['--out', out]);
    const current = await synth(['--check', '--out', out]);
    assert.deepEqual([current.stdout, current.stderr], ['', '']);
    const file = join(out, 'sweetshop.k8s.yaml');
    const edited = readFileSync(file, 'utf8').replace('cpu: 50m', 'cpu: 60m');
    writeFileSync(file, edited);
    await assert.rejects(synth(['--check', '--out', out]), (error: { code: number; stdout: string; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.equal(error.stdout, '');
      assert.equal(
        error.stderr,
        `${out}/ is not what config/environments/local.ts renders now (${out}/sweetshop.k8s.yaml differs): run \`npm run synth\`, review the diff and commit it\n`,
      );
      return true;
    });
    assert.equal(readFileSync(file, 'utf8'), edited, '--check writes nothing');
  });

  test('npm test checks dist/ right after the Node guard, so a stale dist/ is its first and only failure', () => {
    const script = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.test as string;
    const steps = script.split(' && ');
    assert.equal(steps[0], 'node tools/lib/use-project-node.mjs');
    assert.equal(steps[1], 'node --import ./tools/lib/use-project-node.mjs tools/synth/main.ts --check');
  });

  test('bad input exits 1 with one clear line that names what the user used (flag or variable)', async () => {
    await assert.rejects(synth(['--env', 'nope', '--out', join(workdir, 'cli-bad')]), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.equal(error.stderr, "synth failed: unknown environment 'nope' (from --env): choose one of local, local-gateway, production\n");
      return true;
    });
    await assert.rejects(synth(['--out', join(workdir, 'cli-bad')], { SWEETSHOP_ENV: 'qa' }), (error: { stderr: string }) => {
      assert.equal(
        error.stderr,
        "synth failed: unknown environment 'qa' (from SWEETSHOP_ENV): choose one of local, local-gateway, production\n",
      );
      return true;
    });
    await assert.rejects(synth(['--bogus']), (error: { code: number; stderr: string }) => {
      assert.match(error.stderr, /^synth failed: Unknown option '--bogus'/);
      return true;
    });
  });
});

describe('restoreCommittedOutput (after cdk8s synth deleted the folder and the app failed)', () => {
  const repo = join(workdir, 'restore-repo');
  mkdirSync(join(repo, 'dist'), { recursive: true });
  writeFileSync(join(repo, 'dist', 'sweetshop.k8s.yaml'), 'committed manifests\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('add', 'dist');
  git('commit', '-qm', 'dist');

  test('puts the committed folder back when it is missing', () => {
    rmSync(join(repo, 'dist'), { recursive: true });
    assert.equal(restoreCommittedOutput('dist', repo), true);
    assert.equal(readFileSync(join(repo, 'dist', 'sweetshop.k8s.yaml'), 'utf8'), 'committed manifests\n');
  });

  test('leaves an existing folder alone and ignores untracked ones', () => {
    assert.equal(restoreCommittedOutput('dist', repo), false);
    assert.equal(restoreCommittedOutput('elsewhere', repo), false);
    assert.equal(existsSync(join(repo, 'elsewhere')), false);
  });
});
