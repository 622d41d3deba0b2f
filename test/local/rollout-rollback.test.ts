import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { acceptsConnections } from '../../tools/lib/process/ports.ts';
import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { upstreamPorts } from './support/balancer-config.ts';
import { eventuallyEmpty, processesWithTmpdir } from './support/processes.ts';
import { FIXTURES, startTestShop } from './support/test-shop.ts';

describe('a rollout that fails is rolled back', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sweetshop-rollback-'));
  let shop: LocalShop | undefined;
  const stopped: number[] = [];
  const client = new AbortController();
  let clientOn = true;
  after(async () => {
    clientOn = false;
    client.abort();
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
    await shop?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a new replica hangs after joining nginx: the rollout fails naming a replica, nginx routes only to listed, listening replicas, no half-started one is left', async (t) => {
    // The replicas inherit this TMPDIR: it finds every replica process, a rollout's half-started ones included.
    shop = await startTestShop({ manifestsDir: join(FIXTURES, 'chocolates-only'), replicaEnv: { LOG_LEVEL: 'warn', TMPDIR: tmp } });
    const running = shop;
    // A steady client without timeouts: its requests to the hung replica stay in nginx's workers (60 s
    // read timeout), so the old workers of the next reload cannot finish.
    const clients = Array.from({ length: 6 }, async () => {
      while (clientOn)
        await fetch(`${running.url}/chocolates`, { signal: client.signal }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const outcome = await running
      .rolloutRestart(undefined, (step) => {
        if (stopped.length > 0) return;
        const hung = running.replicas.find((r) => r.id === step.to)!;
        process.kill(hung.pid, 'SIGSTOP');
        stopped.push(hung.pid);
      })
      .then(
        () => 'finished',
        (error: Error) => error.message,
      );
    assert.equal(stopped.length, 1, 'the first step never happened');
    assert.notEqual(outcome, 'finished');
    t.diagnostic(`the rollout failed: ${outcome}`);
    const listed = running.replicas.filter((r) => r.section === 'chocolates');
    const ports = upstreamPorts('chocolates');
    assert.deepEqual(ports, listed.map((r) => r.port).sort(), 'the upstream and status disagree');
    for (const replica of listed) assert.equal(replica.exit, undefined, `${replica.id} is listed but has exited`);
    for (const port of ports) assert.equal(await acceptsConnections(port), true, `nothing listens on upstream port ${port}`);
    // The error names the replica of the step that failed, which is gone.
    const named = /rollout chocolates: replica (chocolates-\S+) \(port \d+\)/.exec(outcome)?.[1];
    assert.ok(named, `the error names no replica: ${outcome}`);
    assert.ok(!listed.some((r) => r.id === named), `${named} is still listed`);
    assert.match(outcome, /rolled back/);

    assert.deepEqual(
      (await eventuallyEmpty(() => processesWithTmpdir(tmp).filter((pid) => !listed.some((r) => r.pid === pid)))).sort(),
      [],
      'replica processes left that status does not list',
    );
    clientOn = false;
    client.abort();
    await Promise.all(clients);
  });
});
