import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';

import { createApp } from '../../service/src/app.ts';
import { gracefulShutdown } from '../../service/src/graceful-shutdown.ts';
import { createHttpServer } from '../../service/src/http-server.ts';
import { Lifecycle } from '../../service/src/lifecycle.ts';
import { createMetrics } from '../../service/src/metrics.ts';
import { sections } from '../../service/src/sections/index.ts';
import { silentLogger } from './helpers.ts';

async function delayedServer(drainTimeoutMs = 30_000) {
  const lifecycle = new Lifecycle();
  const log = silentLogger();
  const app = createApp({
    section: sections.cakes,
    replicaId: 'r',
    port: 1,
    log,
    metrics: createMetrics({ defaultMetrics: false }),
    lifecycle,
    testDelayMs: 2000,
  });
  const server = createHttpServer(app, { replicaId: 'r' }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const exits: number[] = [];
  const onSignal = gracefulShutdown({ server, lifecycle, log, replicaId: 'r', drainTimeoutMs, exit: (code) => exits.push(code) });
  return { server, lifecycle, url, exits, onSignal };
}

test('a repeated SIGTERM during the drain is ignored: the in-flight request still completes, then exit 0', async () => {
  const { server, lifecycle, url, exits, onSignal } = await delayedServer();
  try {
    const inFlight = fetch(`${url}/cakes`).then(
      (res) => res.status,
      () => 'failed',
    );
    while (lifecycle.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    onSignal('SIGTERM');
    onSignal('SIGTERM');
    assert.deepEqual(exits, [], 'the second SIGTERM cuts nothing');
    assert.equal(await inFlight, 200);
    while (exits.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(exits, [0]);
  } finally {
    server.closeAllConnections();
  }
});

test('a second Ctrl-C (SIGINT) during the drain exits 1 at once, without waiting for in-flight requests', async () => {
  const { server, lifecycle, url, exits, onSignal } = await delayedServer();
  try {
    const inFlight = fetch(`${url}/cakes`).then(
      (res) => res.status,
      () => 'failed',
    );
    while (lifecycle.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    onSignal('SIGINT');
    assert.equal(lifecycle.ready, false);
    assert.deepEqual(exits, [], 'the first signal only starts the drain');
    onSignal('SIGINT');
    assert.deepEqual(exits, [1]);
    const closed = once(server, 'close');
    server.closeAllConnections();
    await inFlight;
    await closed;
    assert.deepEqual(exits, [1], 'the server closing afterwards does not exit a second time with 0');
  } finally {
    server.closeAllConnections();
  }
});

test('when the drain cap is reached, then the process exits 1 once, even though the server then closes', async () => {
  const { server, lifecycle, url, exits, onSignal } = await delayedServer(200);
  try {
    const inFlight = fetch(`${url}/cakes`).then(
      (res) => res.status,
      () => 'failed',
    );
    while (lifecycle.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const closed = once(server, 'close');
    onSignal('SIGTERM');
    await closed;
    assert.equal(await inFlight, 'failed', 'the request still in flight at the cap was cut');
    assert.deepEqual(exits, [1]);
  } finally {
    server.closeAllConnections();
  }
});
