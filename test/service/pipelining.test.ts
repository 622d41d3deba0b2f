import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { pino } from 'pino';

import { nodeOptions } from '../../charts/sweetshop-service.ts';
import { production } from '../../config/environments/production.ts';
import { parseQuantity } from '../../config/quantity.ts';
import { createMetrics } from '../../service/src/metrics.ts';
import { MAX_QUEUED_RESPONSES } from '../../service/src/pipelining.ts';
import { type InProcessApp, type SpawnedServer, spawnServer, startApp } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full collection, in MB: what the process still holds, not garbage waiting. */
function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

function request(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;
}

/** Opens a connection that writes `text` at once and never reads what comes back. */
async function pipeline(app: InProcessApp, text: string): Promise<Socket> {
  const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
  socket.pause();
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(text);
  return socket;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const start = performance.now(); !check(); ) {
    assert.ok(performance.now() - start < timeoutMs, what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** GET /livez within the liveness probe's 2 s timeout (charts/sweetshop-service.ts). */
async function livezWithinProbeTimeout(app: InProcessApp): Promise<void> {
  const res = await fetch(`${app.url}/livez`, { signal: AbortSignal.timeout(2_000) });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
}

function count499(exposition: string, route: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`http_requests_total{method="GET",route="${route}",status="499"}`));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

describe('HTTP pipelining floods', () => {
  test('connections that pipeline thousands of requests and read nothing hold a bounded number of them', async () => {
    const connections = 20;
    const app = await startApp({ metrics: createMetrics() });
    const sockets: Socket[] = [];
    try {
      const before = heapMb();
      let peakInFlight = 0;
      const sampler = setInterval(() => (peakInFlight = Math.max(peakInFlight, app.deps.lifecycle.inFlight)), 5);
      // /metrics: an asynchronous handler with a ~5 KB answer, so Node never pauses the socket between them.
      for (let i = 0; i < connections; i++) sockets.push(await pipeline(app, request('/metrics').repeat(1_000)));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await livezWithinProbeTimeout(app);
      clearInterval(sampler);
      const during = heapMb();

      assert.ok(peakInFlight <= connections * 40, `${peakInFlight} requests in flight at once`);
      assert.ok(during - before < 50, `heap grew by ${Math.round(during - before)} MB while the connections were open`);
      for (const socket of sockets) socket.destroy();
      await eventually(() => app.deps.lifecycle.inFlight === 0, 'requests are still tracked after the clients left');
    } finally {
      for (const socket of sockets) socket.destroy();
      await app.close();
    }
  });

  for (const [name, ending] of [
    ['disconnect', ''],
    ['end with a CONNECT', 'CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n'],
  ] as const) {
    test(`requests queued behind a held one on connections that ${name}: none stays tracked, each counted as 499`, async () => {
      const connections = 30;
      const queued = 20;
      const metrics = createMetrics({ defaultMetrics: false });
      let logged = 0;
      const log = pino({}, { write: () => void logged++ });
      // The test delay hook holds each connection's first request (a section route) while /livez queues behind it.
      const app = await startApp({ metrics, log, testDelayMs: 300 });
      const sockets: Socket[] = [];
      try {
        const before = heapMb();
        for (let i = 0; i < connections; i++) {
          sockets.push(await pipeline(app, request('/chocolates') + request('/livez').repeat(queued) + ending));
        }
        const sent = connections * (queued + 1);
        await eventually(() => app.deps.lifecycle.inFlight + logged >= sent, 'the server never saw every request');
        for (const socket of sockets) socket.destroy();

        await eventually(() => app.deps.lifecycle.inFlight === 0, `${app.deps.lifecycle.inFlight} requests are still tracked`);
        assert.equal(count499(await metrics.registry.metrics(), '/livez'), connections * queued, 'every queued request is counted');
        assert.ok(heapMb() - before < 20, 'nothing is retained');
        await livezWithinProbeTimeout(app);
      } finally {
        for (const socket of sockets) socket.destroy();
        await app.close();
      }
    });
  }
});

/** The production memory limit of a section container (charts/sweetshop-service.ts), in MiB. */
// Production's memory limit and V8 flags, as charts/sweetshop-service.ts writes them.
const PRODUCTION_LIMIT = production.sections.chocolates.limits.memory;
const POD_MEMORY_LIMIT_MIB = parseQuantity(PRODUCTION_LIMIT)! / 2 ** 20;
const PRODUCTION_NODE_OPTIONS = nodeOptions(PRODUCTION_LIMIT, production.v8SemiSpaceMiB);
const CUT_LINE = 'pipelined requests dropped';

/** Resident memory of a process in MiB, from /proc (0 once it has exited). */
function rssMib(pid: number): number {
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kib ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function total499(server: SpawnedServer): Promise<number> {
  const exposition = await (await fetch(`${server.url}/metrics`)).text();
  return exposition
    .split('\n')
    .filter((l) => l.startsWith('http_requests_total{') && l.includes('status="499"'))
    .reduce((total, l) => total + Number(l.split(' ')[1]), 0);
}

describe('a spawned replica with the production heap cap (NODE_OPTIONS as the chart writes it)', () => {
  // Production's flags; a sharper squeeze of the heap; 300 connections: what Node would build for the rest
  // of each cut connection's read grows with their number.
  for (const [flags, connections] of [
    [PRODUCTION_NODE_OPTIONS, 30],
    ['--max-old-space-size=96', 30],
    [PRODUCTION_NODE_OPTIONS, 300],
  ] as const) {
    test(`${flags}: ${connections} connections each pipelining 2,000 GET /livez and reading nothing`, {
      timeout: 60_000,
    }, async (t) => {
      const server = await spawnServer({ NODE_OPTIONS: flags });
      const pid = server.child.pid as number;
      const sockets: Socket[] = [];
      let peakMib = rssMib(pid);
      const sampler = setInterval(() => (peakMib = Math.max(peakMib, rssMib(pid))), 5);
      try {
        const flood = request('/livez').repeat(2_000);
        for (let i = 0; i < connections; i++) {
          const socket = connect(server.port, '127.0.0.1');
          socket.pause();
          socket.on('error', () => {});
          socket.write(flood);
          sockets.push(socket);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const started = performance.now();
        const livez = await fetch(`${server.url}/livez`, { signal: AbortSignal.timeout(5_000) });
        await livez.arrayBuffer();
        const livezMs = Math.round(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        clearInterval(sampler);
        t.diagnostic(`RSS peak ${Math.round(peakMib)} MiB, /livez answered ${livez.status} after ${livezMs} ms`);
        assert.equal(livez.status, 200);
        assert.equal(server.child.exitCode, null, 'the replica is still running');
        assert.ok(peakMib < POD_MEMORY_LIMIT_MIB, `RSS peaked at ${Math.round(peakMib)} MiB, over the pod limit`);

        for (const socket of sockets) socket.destroy();
        await eventually(() => server.lines.filter((l) => l.msg === CUT_LINE).length === connections, 'one line per cut connection');
        const cut = server.lines.filter((l) => l.msg === CUT_LINE);
        const dropped = cut.reduce((total, l) => total + (l.requests as number), 0);
        assert.ok(
          dropped <= connections * 2,
          `${dropped} requests parsed after the cut: the rest of a cut connection's read is not parsed`,
        );
        // Every 499 counted is logged, one by one (the queued requests the app saw) or in aggregate (the dropped ones).
        const logged499 = () => server.lines.filter((l) => l.msg === 'request' && l.status === 499).length + dropped;
        let counted = -1;
        for (const start = performance.now(); counted !== logged499() && performance.now() - start < 10_000; ) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          counted = await total499(server);
        }
        assert.equal(counted, logged499());
        assert.ok(logged499() <= connections * (MAX_QUEUED_RESPONSES + 2), `${logged499()} requests logged with status 499`);
      } finally {
        clearInterval(sampler);
        for (const socket of sockets) socket.destroy();
        server.kill();
      }
    });
  }
});
