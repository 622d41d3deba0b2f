import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { after, describe, test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { PortTakenError, ReplicaProcess } from '../../tools/local/supervisor/replica-process.ts';

// A replica is ready only when the answer on its port comes from itself: another process holding the
// port (another local shop started at the same moment) must never pass for it.

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

// A stand-in replica: listens on PORT like the service, answers /readyz 200 with its REPLICA_ID.
const STAND_IN = `require('node:http').createServer((req, res) => res.writeHead(200, { 'x-served-by': process.env.REPLICA_ID }).end())
  .listen(Number(process.env.PORT), '127.0.0.1');`;

function replica(port: number, id = 'chocolates-abc-xyz12'): ReplicaProcess {
  return new ReplicaProcess({
    section: 'chocolates',
    id,
    port,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), REPLICA_ID: id },
    command: { executable: process.execPath, args: ['-e', STAND_IN], cwd: REPO_ROOT },
    onLine: () => undefined,
    watcher: { watch: () => undefined },
  });
}

describe('ReplicaProcess', () => {
  const servers: Server[] = [];
  const replicas: ReplicaProcess[] = [];
  after(async () => {
    for (const server of servers) server.close();
    await Promise.all(replicas.map((r) => r.stop(1_000)));
  });

  test('a 200 from another replica on its port is a PortTakenError naming both, not readiness', async () => {
    const other = createHttpServer((_req, res) => res.writeHead(200, { 'x-served-by': 'chocolates-other-shop1' }).end());
    servers.push(other);
    const port = await listening(other);
    const r = replica(port);
    replicas.push(r);
    await assert.rejects(r.waitReady(10_000), (error: Error) => {
      assert.ok(error instanceof PortTakenError, String(error));
      assert.match(
        error.message,
        new RegExp(
          `^port ${port} of replica chocolates-abc-xyz12 \\(chocolates\\) answers as replica chocolates-other-shop1: another process holds it`,
        ),
      );
      return true;
    });
  });

  test('a server without X-Served-By on its port is a PortTakenError too', async () => {
    const other = createHttpServer((_req, res) => res.writeHead(200).end());
    servers.push(other);
    const port = await listening(other);
    const r = replica(port);
    replicas.push(r);
    await assert.rejects(r.waitReady(10_000), /answers as a server without X-Served-By: another process holds it/);
  });

  test('a replica that exits with EADDRINUSE because its port is held: PortTakenError naming the port', async () => {
    // Accepts and closes at once: no HTTP answer to mistake for the replica, but the port is held.
    const holder = createTcpServer((socket) => socket.destroy());
    servers.push(holder);
    const port = await listening(holder);
    const r = replica(port);
    replicas.push(r);
    await assert.rejects(r.waitReady(10_000), (error: Error) => {
      assert.ok(error instanceof PortTakenError, String(error));
      assert.match(error.message, new RegExp(`exited with code 1 before it was ready: port ${port} is held by another process`));
      return true;
    });
  });

  test('its own answer makes it ready', async () => {
    const free = createTcpServer();
    const port = await listening(free);
    await new Promise((resolve) => free.close(resolve));
    const r = replica(port);
    replicas.push(r);
    await r.waitReady(10_000);
    assert.ok(r.readyAt !== undefined);
  });

  test('a process that cannot be spawned (E2BIG) is an error naming the replica', () => {
    assert.throws(
      () =>
        new ReplicaProcess({
          section: 'chocolates',
          id: 'chocolates-abc-big12',
          port: 1,
          env: { HUGE: 'x'.repeat(200_000) },
          command: { executable: process.execPath, args: ['-e', ''], cwd: REPO_ROOT },
          onLine: () => undefined,
          watcher: { watch: () => undefined },
        }),
      /^Error: replica chocolates-abc-big12 \(chocolates\) could not be started: spawn E2BIG/,
    );
  });
});
