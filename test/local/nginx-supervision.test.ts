import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { ephemeralPort, isPortFree } from '../../tools/lib/process/ports.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { cli, nginxPids, type RunningCli, startCli } from './support/cli.ts';
import { eventuallyEmpty, processesInGroups } from './support/processes.ts';
import { FIXTURES } from './support/test-shop.ts';

// Both nginx masters are supervised like the replicas: a master killed with -9 leaves workers that
// keep its listen socket; the shop must end them and start that nginx again, and nothing of any
// nginx it ran may outlive it.

/** The pid in the last `nginx <role> <pid>` line of the output. */
function lastMaster(output: string, role: 'balancer' | 'front'): number {
  const all = [...output.matchAll(new RegExp(`nginx ${role} (\\d+) on `, 'g'))];
  return Number(all.at(-1)?.[1]);
}

async function get(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

describe('nginx supervision: kill -9 of a master', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-nginx-supervision-'));
  const runs: RunningCli[] = [];
  const groups: number[] = [];
  after(() => {
    for (const run of runs) run.child.kill('SIGKILL');
    for (const pid of processesInGroups(groups)) process.kill(pid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  async function startShop(name: string): Promise<{ run: RunningCli; port: number; stateDir: string }> {
    const port = await ephemeralPort();
    const stateDir = join(work, name);
    const args = ['--port', String(port), '--state-dir', stateDir, '--quiet', '--manifests', join(FIXTURES, 'chocolates-only')];
    const run = startCli(args);
    runs.push(run);
    await run.waitFor(/stop: Ctrl-C/);
    return { run, port, stateDir };
  }

  async function killMaster(run: RunningCli, role: 'balancer' | 'front'): Promise<number> {
    const master = lastMaster(run.output(), role);
    groups.push(master);
    const starts = run.output().match(new RegExp(`nginx ${role} \\d+ on `, 'g'))!.length;
    process.kill(master, 'SIGKILL');
    // Recovered: a new master of that role is reported, and the old one's workers are gone.
    await run.waitFor(new RegExp(`(?:[^]*nginx ${role} \\d+ on ){${starts + 1}}`), 20_000);
    const next = lastMaster(run.output(), role);
    assert.notEqual(next, master);
    groups.push(next);
    assert.deepEqual(await eventuallyEmpty(() => processesInGroups([master])), [], `workers of the killed ${role} ${master} still run`);
    return next;
  }

  test('either master killed: reported and restarted, traffic and rollouts work; after stop no nginx is left and the port is free', async () => {
    const { run, port, stateDir } = await startShop('recover');
    groups.push(...nginxPids(run.output()));
    await killMaster(run, 'balancer');
    assert.match(run.output(), /nginx balancer \d+ killed by SIGKILL unexpectedly/);
    assert.equal(await get(`http://127.0.0.1:${port}/chocolates`), 200);
    const rollout = await cli(['rollout', 'restart', '--state-dir', stateDir]);
    assert.match(rollout.stdout, /rollout restart done: 2 replicas replaced/);

    await killMaster(run, 'front');
    assert.match(run.output(), /nginx front \d+ killed by SIGKILL unexpectedly/);
    assert.equal(await get(`http://127.0.0.1:${port}/chocolates`), 200);

    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.output());
    assert.deepEqual(await eventuallyEmpty(() => processesInGroups(groups)), [], 'nginx processes of the shop left running');
    assert.equal(await isPortFree(port), true, `port ${port} still taken after the shop stopped`);
  });

  test('a balancer master killed again and again: past 5 restarts the shop stops cleanly, exit 1, nothing left', async () => {
    const { run, port } = await startShop('limit');
    groups.push(...nginxPids(run.output()));
    for (let i = 0; i < 5; i++) await killMaster(run, 'balancer');
    process.kill(lastMaster(run.output(), 'balancer'), 'SIGKILL');
    assert.equal(await run.exited, 1, run.output());
    assert.match(run.output(), /nginx balancer could not be started again \(its master died 6 times in this run\): stopping the shop/);
    assert.match(run.output(), /local: the shop stopped itself/);
    assert.deepEqual(await eventuallyEmpty(() => processesInGroups(groups)), [], 'nginx processes of the shop left running');
    assert.equal(await isPortFree(port), true, `port ${port} still taken after the shop stopped`);
  });

  test('a master and the supervisor killed together: the watchdog ends the workers the master left', async () => {
    const { run, port } = await startShop('watchdog');
    const masters = nginxPids(run.output());
    groups.push(...masters);
    // One synchronous block: the supervisor is gone before it could hear of the master's exit.
    process.kill(masters[0]!, 'SIGKILL');
    run.child.kill('SIGKILL');
    await run.exited;
    assert.deepEqual(await eventuallyEmpty(() => processesInGroups(groups)), [], 'nginx workers left running');
    assert.equal(await isPortFree(port), true, `port ${port} still taken after the watchdog ran`);
  });

  test('a master killed just before stop: its workers end with the shop and the port is free', async () => {
    const { run, port } = await startShop('stop');
    const masters = nginxPids(run.output());
    groups.push(...masters);
    for (const master of masters) process.kill(master, 'SIGKILL');
    run.child.kill('SIGTERM');
    await run.exited;
    groups.push(...nginxPids(run.output()));
    const left = await eventuallyEmpty(() => processesInGroups(groups));
    assert.deepEqual(
      left,
      [],
      `nginx workers left running: ${left.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8')).join(', ')}\n${run.output()}`,
    );
    assert.equal(await isPortFree(port), true, `port ${port} still taken after the shop stopped`);
  });
});
