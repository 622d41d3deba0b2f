import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { pollUntil } from '../../tools/lib/poll-until.ts';
import { ephemeralPort } from '../../tools/lib/process/ports.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { cli, nginxPids, replicaRows, startCli, watchCli } from './support/cli.ts';
import { eventuallyEmpty, isRunning, processesInGroups, processesWithTmpdir } from './support/processes.ts';
import { FIXTURES } from './support/test-shop.ts';

const run = promisify(execFile);

// Only the shop's own temp folders: other programs share TMPDIR.
function shopTempDirs(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('sweetshop-local-'));
}

describe('npm run local (the CLI)', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-local-cli-test-'));
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    for (const pid of processesWithTmpdir(join(work, 'tmp'))) process.kill(pid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  test('--help prints the usage; a bad flag value is one clear line and exit 1', async () => {
    assert.match((await cli(['--help'])).stdout, /rollout restart \[section\]/);
    await assert.rejects(cli(['--balance', 'random', '--state-dir', join(work, 'state')]), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.equal(error.stderr, 'local: --balance random: expected round-robin or least-connections\n');
      return true;
    });
  });

  test('npm run local starts the shop, prints the table and URLs, rolls out one section on request, and leaves nothing behind on SIGTERM', async () => {
    const stateDir = join(work, 'state');
    const tmp = join(work, 'tmp');
    const port = await ephemeralPort();
    mkdirSync(tmp, { recursive: true });
    // Through the documented npm script, so npm's SIGTERM must reach the supervisor (npm runs scripts via sh).
    const run = watchCli(
      spawn(
        'npm',
        ['run', '--silent', 'local', '--', '--port', String(port), '--state-dir', stateDir, '--quiet', '--replicas', 'cakes=1'],
        { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp } },
      ),
    );
    children.push(run.child);
    await run.waitFor(/stop: Ctrl-C/);
    const output = run.output();

    assert.match(output, /SECTION\s+REPLICA\s+PORT\s+PID\s+RESTARTS\s+STATUS/);
    const rows = replicaRows(output);
    assert.deepEqual(
      rows.map((r) => r.section),
      ['chocolates', 'chocolates', 'candies', 'candies', 'cakes'],
    );
    for (const section of ['chocolates', 'candies', 'cakes']) assert.match(output, new RegExp(`http://127\\.0\\.0\\.1:${port}/${section}`));
    const response = await fetch(`http://127.0.0.1:${port}/cakes`);
    assert.equal(response.headers.get('x-served-by'), rows[4]!.id);

    const rollout = await cli(['rollout', 'restart', 'candies', '--state-dir', stateDir]);
    assert.match(rollout.stdout, new RegExp(`candies: ${rows[2]!.id} -> candies-\\S+`));
    assert.match(rollout.stdout, /rollout restart done: 2 replicas replaced/);
    const status = (await cli(['status', '--state-dir', stateDir])).stdout;
    assert.doesNotMatch(status, new RegExp(rows[2]!.id));
    assert.match(status, new RegExp(rows[0]!.id));

    const nginx = nginxPids(output);
    assert.equal(nginx.length, 2);
    const started = [...rows.map((r) => r.pid), ...nginx];
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.output());
    assert.match(run.output(), /local: stopped/);
    assert.deepEqual(started.filter(isRunning), [], 'every replica and nginx has exited');
    assert.deepEqual(processesInGroups(nginx), [], 'no nginx worker is left');
    assert.deepEqual(processesWithTmpdir(tmp), [], 'no process started by the supervisor is left');
    assert.deepEqual(shopTempDirs(tmp), [], 'the temp directory is removed');
    assert.equal(existsSync(join(stateDir, 'control.sock')), false, 'the control socket is removed');
  });

  test('status after a replica was killed with -9: that replica is listed as gone, with the signal; the other still runs', async () => {
    const stateDir = join(work, 'state-killed-replica');
    const port = await ephemeralPort();
    const args = ['--port', String(port), '--state-dir', stateDir, '--quiet', '--manifests', join(FIXTURES, 'chocolates-only')];
    mkdirSync(join(work, 'tmp'), { recursive: true });
    const run = startCli(args, { TMPDIR: join(work, 'tmp') });
    children.push(run.child);
    await run.waitFor(/stop: Ctrl-C/);
    const [killed, survivor] = replicaRows(run.output());

    process.kill(killed!.pid, 'SIGKILL');
    const gone = new RegExp(`^chocolates\\s+${killed!.id}\\s+\\d+\\s+${killed!.pid}\\s+0\\s+gone \\(killed by SIGKILL\\)$`, 'm');
    let status = '';
    const reported = await pollUntil(
      async () => {
        status = (await cli(['status', '--state-dir', stateDir])).stdout;
        return gone.test(status);
      },
      5_000,
      100,
    );
    assert.ok(reported, `status does not list the killed replica as gone (killed by SIGKILL) within 5 s:\n${status}`);
    assert.match(status, new RegExp(`^chocolates\\s+${survivor!.id}\\s+\\d+\\s+${survivor!.pid}\\s+0\\s+running$`, 'm'));
    assert.match(status, /^1 of 2 replicas gone: nginx routes around it; `npm run local -- rollout restart chocolates` replaces it$/m);

    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.output());
  });

  test('a replica that fails to start: exit 1 naming it, and no process or temp file left', async () => {
    const tmp = join(work, 'tmp-broken');
    mkdirSync(tmp, { recursive: true });
    const port = await ephemeralPort();
    const args = ['--port', String(port), '--state-dir', join(work, 'state-broken'), '--manifests', join(FIXTURES, 'broken-section')];
    await assert.rejects(cli(args, { TMPDIR: tmp }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /^local: replica chocolates-\S+ \(chocolates\) exited with code 1 before it was ready/);
      assert.match(error.stderr, /SHOP_SECTION/);
      return true;
    });
    assert.deepEqual(processesWithTmpdir(tmp), []);
    assert.deepEqual(shopTempDirs(tmp), []);
  });

  test('a program that exits without stop(): the exit hook kills every replica and nginx process (3 times)', async () => {
    for (let round = 0; round < 3; round++) {
      const result = await run(process.execPath, [join(REPO_ROOT, 'test', 'local', 'support', 'exit-without-stop.ts')], {
        cwd: REPO_ROOT,
      }).catch((error: { code: number; stdout: string }) => error);
      assert.equal((result as { code?: number }).code, 3);
      const pids = JSON.parse(result.stdout) as { replicas: number[]; nginx: number[] };
      assert.equal(pids.nginx.length, 2);
      // The hook sends SIGKILL and the program exits at once, without waiting for the kills to land.
      assert.deepEqual(await eventuallyEmpty(() => pids.replicas.filter(isRunning)), [], 'replicas left');
      assert.deepEqual(await eventuallyEmpty(() => processesInGroups(pids.nginx)), [], 'nginx processes left');
    }
  });
});
