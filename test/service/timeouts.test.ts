import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { describe, test } from 'node:test';

import { createHttpServer, SERVER_TIMEOUTS, type ServerTimeouts } from '../../service/src/http-server.ts';
import { createMetrics } from '../../service/src/metrics.ts';
import { parseRawResponse, startApp } from './helpers.ts';

/** Short timeouts so the tests take seconds; the production values are checked separately below. */
const SHORT: ServerTimeouts = { keepAliveMs: 5_000, headersMs: 400, requestMs: 800, checkIntervalMs: 100 };

/** Opens a connection, writes `text`, and resolves with what the server sent and how long until it closed. */
async function sendAndWait(port: number, text: string): Promise<{ text: string; closedAfterMs: number }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const start = performance.now();
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.write(text);
  await once(socket, 'close');
  return { text: received, closedAfterMs: performance.now() - start };
}

describe('request timeouts', () => {
  test('the production server sets every timeout explicitly: headers 10 s, whole request 15 s, keep-alive 65 s', () => {
    assert.deepEqual(SERVER_TIMEOUTS, { keepAliveMs: 65_000, headersMs: 10_000, requestMs: 15_000, checkIntervalMs: 1_000 });
    const server = createHttpServer(() => {}, { replicaId: 'r' });
    assert.equal(server.keepAliveTimeout, 65_000);
    assert.equal(server.headersTimeout, 10_000);
    assert.equal(server.requestTimeout, 15_000, "not Node's default of 300 s");
    assert.equal((server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval, 1_000);
  });

  test('headers that do not arrive in time get a 408 naming the headers, then the connection closes', { timeout: 10_000 }, async () => {
    const app = await startApp({ replicaId: 't-1' }, SHORT);
    try {
      const { port } = new URL(app.url);
      const { text, closedAfterMs } = await sendAndWait(Number(port), 'GET /chocolates HTTP/1.1\r\nHost: a\r\n');
      const res = parseRawResponse(text);
      assert.equal(res.status, 408);
      assert.equal(res.headers['x-served-by'], 't-1');
      assert.deepEqual(JSON.parse(res.body), { error: 'request headers were not received in time' });
      assert.ok(closedAfterMs >= SHORT.headersMs - 50, `closed after ${closedAfterMs} ms`);
      assert.ok(closedAfterMs < SHORT.headersMs + 2_000, `closed after ${closedAfterMs} ms`);
    } finally {
      await app.close();
    }
  });

  test('a body that does not arrive in time gets a 408 naming the body, logged and counted with its route', {
    timeout: 10_000,
  }, async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = await startApp({ replicaId: 't-2', metrics }, SHORT);
    try {
      const { port } = new URL(app.url);
      const { text, closedAfterMs } = await sendAndWait(
        Number(port),
        'POST /chocolates/quote HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"lines"',
      );
      const res = parseRawResponse(text);
      assert.equal(res.status, 408);
      assert.equal(res.headers['x-served-by'], 't-2');
      assert.equal(res.headers.connection, 'close');
      assert.deepEqual(JSON.parse(res.body), { error: 'request body was not received in time' });
      assert.ok(closedAfterMs >= SHORT.requestMs - 50, `closed after ${closedAfterMs} ms`);
      assert.ok(closedAfterMs < SHORT.requestMs + 2_000, `closed after ${closedAfterMs} ms`);
      const exposition = await metrics.registry.metrics();
      assert.match(exposition, /^http_requests_total\{method="POST",route="\/chocolates\/quote",status="408"\} 1$/m);
    } finally {
      await app.close();
    }
  });

  test('a request answered before its body arrived gets no second, unasked-for answer when the body times out', {
    timeout: 10_000,
  }, async () => {
    const app = await startApp({ replicaId: 't-3' }, SHORT);
    try {
      const { port } = new URL(app.url);
      const { text, closedAfterMs } = await sendAndWait(Number(port), 'GET /livez HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n');
      assert.deepEqual(text.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 200'], text);
      assert.ok(closedAfterMs < SHORT.requestMs + 2_000, `closed after ${closedAfterMs} ms`);
    } finally {
      await app.close();
    }
  });

  for (const [what, second] of [
    ['headers', 'GET /livez HTTP/1.1\r\nHost: a\r\n'],
    ['body', 'POST /chocolates/quote HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{'],
  ] as const) {
    test(`a request whose ${what} time out behind a slower one still being answered does not take over that answer`, {
      timeout: 10_000,
    }, async () => {
      // The test delay hook holds the first request (a section route) past both timeouts.
      const app = await startApp({ replicaId: 't-4', testDelayMs: 1_500 }, SHORT);
      try {
        const { port } = new URL(app.url);
        const { text } = await sendAndWait(Number(port), `GET /chocolates HTTP/1.1\r\nHost: a\r\n\r\n${second}`);
        assert.deepEqual(text.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 200'], text);
        assert.equal(parseRawResponse(text).headers.connection, 'close');
      } finally {
        await app.close();
      }
    });
  }

  test('a keep-alive connection idle for longer than the headers timeout still serves its next request', async () => {
    // Node (18+) starts the headers timer at a request's first byte, not when the connection went idle.
    const app = await startApp({}, SHORT);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = () =>
        new Promise<{ status: number; port: number }>((resolve, reject) => {
          httpGet(`${app.url}/chocolates`, { agent }, (res) => {
            const port = res.socket.localPort ?? 0;
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, port }));
          }).on('error', reject);
        });
      const first = await get();
      await new Promise((resolve) => setTimeout(resolve, SHORT.headersMs * 3));
      const second = await get();
      assert.equal(second.status, 200);
      assert.equal(second.port, first.port, 'the same connection was reused');
    } finally {
      agent.destroy();
      await app.close();
    }
  });
});
