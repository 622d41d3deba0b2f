import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { ephemeralPort } from '../../tools/lib/process/ports.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { nginxPids, type RunningCli, replicaRows, startCli } from './support/cli.ts';
import { childrenWithCommand, eventuallyEmpty, isRunning, processesInGroups, processesWithTmpdir } from './support/processes.ts';
import { FIXTURES } from './support/test-shop.ts';

// A supervisor killed with -9 (or a crashed terminal, or the OOM killer) runs no exit hook and no
// signal handler: what it started must still not outlive it, and the next start must work.

describe('a supervisor killed with SIGKILL leaves nothing running, and the next start works', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-local-orphans-test-'));
  const tmp = join(work, 'tmp');
  mkdirSync(tmp);
  const started: RunningCli[] = [];
  const nginxGroups: number[] = [];
  after(() => {
    for (const run of started) run.child.kill('SIGKILL');
    for (const pid of [...processesWithTmpdir(tmp), ...processesInGroups(nginxGroups)]) process.kill(pid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  async function startShop(port: number, stateDir: string): Promise<RunningCli> {
    const args = ['--port', String(port), '--state-dir', stateDir, '--quiet', '--manifests', join(FIXTURES, 'chocolates-only')];
    const run = startCli(args, { TMPDIR: tmp });
    started.push(run);
    await run.waitFor(/stop: Ctrl-C/);
    nginxGroups.push(...nginxPids(run.output()));
    return run;
  }

  // The shop's temp directories (nginx configs and logs) in the runs' TMPDIR.
  function shopTempDirs(): string[] {
    return readdirSync(tmp).filter((name) => name.startsWith('sweetshop-local-'));
  }

  async function stopShop(run: RunningCli): Promise<void> {
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.output());
  }

  test('kill -9 of the supervisor: every replica and both nginx (workers included) exit within 5 s; the next start on the same port succeeds', async (t) => {
    const port = await ephemeralPort();
    const stateDir = join(work, 'state-kill');
    const before = shopTempDirs();
    const first = await startShop(port, stateDir);
    const replicas = replicaRows(first.output()).map((r) => r.pid);
    const nginx = nginxPids(first.output());
    assert.equal(replicas.length, 2);
    assert.equal(nginx.length, 2);
    const tempDirs = shopTempDirs().filter((name) => !before.includes(name));
    assert.equal(tempDirs.length, 1);

    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');
    assert.deepEqual(await eventuallyEmpty(() => replicas.filter(isRunning)), [], 'replicas left running');
    assert.deepEqual(await eventuallyEmpty(() => processesInGroups(nginx)), [], 'nginx masters or workers left running');
    assert.deepEqual(await eventuallyEmpty(() => shopTempDirs().filter((name) => tempDirs.includes(name))), [], 'temp directory left');
    t.diagnostic(
      `every replica and nginx process was gone ${Date.now() - killedAt} ms after the supervisor's SIGKILL (polled every 50 ms)`,
    );

    const second = await startShop(port, stateDir);
    assert.match(second.output(), new RegExp(`http://127\\.0\\.0\\.1:${port}/chocolates`));
    await stopShop(second);
  });

  test('kill -9 while the replicas are still starting: none of them is left', async () => {
    const port = await ephemeralPort();
    const args = [
      '--port',
      String(port),
      '--state-dir',
      join(work, 'state-early'),
      '--quiet',
      '--manifests',
      join(FIXTURES, 'chocolates-only'),
    ];
    const before = shopTempDirs();
    const run = startCli(args, { TMPDIR: tmp });
    started.push(run);
    await run.waitFor(/waiting for 2 replicas/);
    const tempDirs = shopTempDirs().filter((name) => !before.includes(name));
    assert.equal(tempDirs.length, 1);
    run.child.kill('SIGKILL');
    await run.exited;
    assert.deepEqual(await eventuallyEmpty(() => processesWithTmpdir(tmp)), [], 'replicas left running');
    assert.deepEqual(await eventuallyEmpty(() => shopTempDirs().filter((name) => tempDirs.includes(name))), [], 'temp directory left');
  });

  test('kill -9 of the supervisor and its watchdog together: the next start stops what is left, says so in one line, and starts on the same port', async () => {
    const port = await ephemeralPort();
    const stateDir = join(work, 'state-both');
    const before = shopTempDirs();
    const first = await startShop(port, stateDir);
    const replicas = replicaRows(first.output()).map((r) => r.pid);
    const nginx = nginxPids(first.output());
    const tempDirs = shopTempDirs().filter((name) => !before.includes(name));
    assert.equal(tempDirs.length, 1);
    // The watchdog first: killed after the supervisor, it would have stopped everything already.
    for (const pid of childrenWithCommand(first.child.pid!, 'watchdog')) process.kill(pid, 'SIGKILL');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startShop(port, stateDir);
    const lines = second
      .output()
      .split('\n')
      .filter((line) => /left by a killed run/.test(line));
    assert.equal(lines.length, 1, second.output());
    assert.match(
      lines[0]!,
      new RegExp(
        `stopped 4 processes left by a killed run \\(pid ${first.child.pid}\\): nginx ${nginx.join(', ')}; replicas ${replicas.join(', ')}; removed its temp directory ${join(tmp, tempDirs[0]!)}$`,
      ),
    );
    assert.deepEqual([...replicas, ...nginx].filter(isRunning), [], 'processes of the killed run still running');
    assert.deepEqual(processesInGroups(nginx), [], 'nginx workers of the killed run still running');
    assert.deepEqual(
      shopTempDirs().filter((name) => tempDirs.includes(name)),
      [],
      'the temp directory of the killed run is still there',
    );
    await stopShop(second);
  });
});
