import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { after, describe, test } from 'node:test';

import { parseRawResponse, runServerExpectingFailure, type SpawnedServer, spawnServer } from './helpers.ts';

const started: SpawnedServer[] = [];
after(() => {
  for (const server of started) server.kill();
});
async function start(env: Record<string, string> = {}): Promise<SpawnedServer> {
  const server = await spawnServer(env);
  started.push(server);
  return server;
}

/** GET over a fresh connection; resolves with status, headers and body. */
function request(url: string, agent?: Agent): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * Starts a GET (over a fresh connection, or one of the agent's) that the server holds in flight, and waits
 * until the request has been written to the socket, plus a margin for the server to read it: a fixed sleep
 * alone is a race on a loaded machine, where connecting can take longer than the sleep.
 */
async function startHeldRequest(
  url: string,
  agent?: Agent,
): Promise<{ response: Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> }> {
  let written!: () => void;
  const sent = new Promise<void>((resolve) => (written = resolve));
  const response = new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    const req = httpGet(url, { agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('finish', written).on('error', reject);
  });
  // Surfaces a failure to connect here rather than as an unhandled rejection.
  await Promise.race([sent, response]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { response };
}

/** Connection error code of a fresh connection attempt, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * Reads a whole HTTP/1.1 response from a raw socket (the server closes it after a Connection: close
 * response); '' if the server had already closed it.
 */
function readRawResponse(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.readableEnded || socket.destroyed) {
      resolve('');
      return;
    }
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

/** Reads one Content-Length response off a keep-alive socket (without waiting for the socket to close). */
function readOneResponse(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(text);
      if (end === -1 || !length || text.length < end + 4 + Number(length[1])) return;
      socket.off('data', onData);
      resolve(text);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('server start-up refuses a bad environment with one line on stderr', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['PORT missing', { SHOP_SECTION: 'chocolates' }, 'PORT is required: an integer from 1 to 65535'],
    ['PORT invalid', { PORT: 'eighty', SHOP_SECTION: 'chocolates' }, 'PORT must be an integer from 1 to 65535, got "eighty"'],
    ['SHOP_SECTION missing', { PORT: '8000' }, 'SHOP_SECTION is required: one of chocolates, candies, cakes'],
    [
      'SHOP_SECTION invalid',
      { PORT: '8000', SHOP_SECTION: 'bakery' },
      'SHOP_SECTION must be one of chocolates, candies, cakes, got "bakery"',
    ],
    [
      'LOG_LEVEL invalid',
      { PORT: '8000', SHOP_SECTION: 'cakes', LOG_LEVEL: 'verbose' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
  ];
  for (const [name, env, line] of cases) {
    test(`when ${name}, then it exits 1 printing "${line}"`, async () => {
      const result = await runServerExpectingFailure(env);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `${line}\n`);
      assert.equal(result.stdout, '');
    });
  }
});

test('when the port is taken, then it exits 1 with one line on stderr naming the address', async () => {
  const squatter = createServer();
  squatter.listen(0, '127.0.0.1');
  await once(squatter, 'listening');
  const { port } = squatter.address() as AddressInfo;
  try {
    const result = await runServerExpectingFailure({ PORT: String(port), HOST: '127.0.0.1', SHOP_SECTION: 'cakes' });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
  } finally {
    squatter.close();
  }
});

describe('a running replica', () => {
  test('X-Served-By is REPLICA_ID when set, even with POD_NAME', async () => {
    const server = await start({ REPLICA_ID: 'replica-7', POD_NAME: 'chocolates-abc12' });
    const res = await request(`${server.url}/chocolates`);
    assert.equal(res.headers['x-served-by'], 'replica-7');
    assert.equal(JSON.parse(res.body).replica, 'replica-7');
  });

  test('X-Served-By is POD_NAME when REPLICA_ID is unset', async () => {
    const server = await start({ POD_NAME: 'chocolates-abc12' });
    const res = await request(`${server.url}/nope`);
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-served-by'], 'chocolates-abc12');
  });

  test('X-Served-By is <hostname>:<port> without either, and logs are JSON lines with one per request', async () => {
    const server = await start({ SHOP_SECTION: 'candies' });
    const agent = new Agent({ keepAlive: true });
    const res = await request(`${server.url}/candies/items`, agent);
    agent.destroy();
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-served-by'], `${hostname()}:${server.port}`);
    // Keep-alive outlives a load balancer's 60 s upstream keep-alive.
    assert.equal(res.headers['keep-alive'], 'timeout=65');
    const line = await server.waitForLine((l) => l.msg === 'request');
    assert.deepEqual(
      { method: line.method, path: line.path, status: line.status, replica: line.replica, section: line.section },
      { method: 'GET', path: '/candies/items', status: 200, replica: `${hostname()}:${server.port}`, section: 'candies' },
    );
    assert.equal(typeof line.durationMs, 'number');
  });

  test('a request the HTTP parser rejects still gets a JSON 400 with X-Served-By', async () => {
    const server = await start({ REPLICA_ID: 'parser-check' });
    const socket = connect(server.port, '127.0.0.1');
    const response = readRawResponse(socket);
    socket.write('THIS IS NOT HTTP\r\n\r\n');
    const raw = await response;
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(raw, /\r\nX-Served-By: parser-check\r\n/);
    assert.match(raw, /\r\n\r\n\{"error":"malformed HTTP request"\}$/);
  });

  test('when SWEETSHOP_TEST_DELAY_MS is set without SWEETSHOP_TEST_HOOKS=1, then it warns and ignores it', async () => {
    const server = await start({ SWEETSHOP_TEST_DELAY_MS: '60000', DRAIN_TIMEOUT_MS: '5000' });
    await server.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('SWEETSHOP_TEST_DELAY_MS is ignored'));
    const res = await request(`${server.url}/chocolates`);
    assert.equal(res.status, 200, 'answered without the 60 s delay');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });
});

describe('graceful shutdown', () => {
  test('on SIGTERM: readiness 503, new connections refused, the in-flight request completes, exit 0', async (t) => {
    const server = await start({ SWEETSHOP_TEST_HOOKS: '1', SWEETSHOP_TEST_DELAY_MS: '3000' });
    // B: a connection that has started (not finished) sending its request, so it is not idle at SIGTERM.
    const probe = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => probe.once('connect', resolve));
    probe.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // A: a section request, held in flight by the test delay hook, on a keep-alive connection (without an
    // agent the client itself would ask for Connection: close, and the drain's own header would go untested).
    const agent = new Agent({ keepAlive: true });
    t.after(() => agent.destroy());
    const { response: inFlight } = await startHeldRequest(`${server.url}/chocolates`, agent);

    server.child.kill('SIGTERM');
    const draining = await server.waitForLine((l) => l.msg === 'shutdown: draining, readiness now 503');
    assert.equal(draining.signal, 'SIGTERM');
    assert.equal(draining.inFlight, 1, 'request A was in flight when the signal came');
    await server.waitForLine((l) => l.msg === 'shutdown: stopped accepting new connections');

    assert.equal(await tryConnect(server.port), 'ECONNREFUSED');

    const probeResponse = readRawResponse(probe);
    probe.write('\r\n');
    const raw = await probeResponse;
    assert.match(raw, /^HTTP\/1\.1 503 /);
    assert.match(raw, /\r\nConnection: close\r\n/i);
    assert.match(raw, /\{"status":"draining"\}$/);

    const completed = await inFlight;
    assert.equal(completed.status, 200);
    assert.equal(JSON.parse(completed.body).section, 'chocolates');
    assert.equal(completed.headers.connection, 'close', 'the drained socket is closed after its last response');

    assert.equal(await server.exited, 0);
    assert.ok(server.lines.some((l) => l.msg === 'shutdown: all connections closed, exiting'));
  });

  test('on SIGINT: the in-flight request completes and the process exits 0', async () => {
    const server = await start({ SWEETSHOP_TEST_HOOKS: '1', SWEETSHOP_TEST_DELAY_MS: '2500' });
    const { response: inFlight } = await startHeldRequest(`${server.url}/chocolates/items`);
    server.child.kill('SIGINT');
    await server.waitForLine((l) => l.msg === 'shutdown: draining, readiness now 503' && l.signal === 'SIGINT');
    assert.equal((await inFlight).status, 200);
    assert.equal(await server.exited, 0);
  });

  test('idle keep-alive connections do not hold up the exit', async () => {
    const server = await start({ DRAIN_TIMEOUT_MS: '5000' });
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await request(`${server.url}/chocolates`, agent)).status, 200);
      // The agent now holds an idle socket the server would keep for 65 s.
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, 'exited 0, before the 5 s drain cap');
    } finally {
      agent.destroy();
    }
  });

  test('a request written on an idle keep-alive connection after SIGTERM is answered with Connection: close, not reset', async () => {
    const server = await start({ DRAIN_TIMEOUT_MS: '5000' });
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    const first = readOneResponse(socket);
    socket.write('GET /chocolates HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(await first, /^HTTP\/1\.1 200 /);
    // The connection is now idle, as a load balancer's pooled upstream connection is between requests.
    server.child.kill('SIGTERM');
    await server.waitForLine((l) => l.msg === 'shutdown: stopped accepting new connections');

    const second = readRawResponse(socket);
    socket.write('GET /chocolates HTTP/1.1\r\nHost: a\r\n\r\n');
    const raw = await second;
    assert.match(raw, /^HTTP\/1\.1 200 /);
    assert.match(raw, /\r\nConnection: close\r\n/i);
    assert.equal(await server.exited, 0);
  });

  test('under keep-alive load, SIGTERM resets no request: each connection gets a last answer with Connection: close', async () => {
    const server = await start({ DRAIN_TIMEOUT_MS: '10000' });
    const workers = 32;
    // One keep-alive agent per worker, like the pooled upstream connections of a load balancer.
    const outcomes = await Promise.all(
      Array.from({ length: workers }, async (_, i) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        let answered = 0;
        let lastConnection: string | undefined;
        try {
          for (;;) {
            if (i === 0 && answered === 200) server.child.kill('SIGTERM');
            const res = await request(`${server.url}/chocolates`, agent);
            assert.equal(res.status, 200);
            answered++;
            lastConnection = res.headers.connection;
          }
        } catch (err) {
          return { answered, lastConnection, error: (err as NodeJS.ErrnoException).code ?? String(err) };
        } finally {
          agent.destroy();
        }
      }),
    );
    assert.equal(await server.exited, 0);
    const errors = outcomes.map((o) => o.error);
    assert.deepEqual(
      errors.filter((code) => code !== 'ECONNREFUSED'),
      [],
      'every worker ends with a refused new connection, none with a reset',
    );
    for (const outcome of outcomes) assert.equal(outcome.lastConnection, 'close', JSON.stringify(outcome));
  });

  // A TCP health check, a port scanner or a client that stalled mid-request: none of them is a request in flight,
  // and none may hold the drain to DRAIN_TIMEOUT_MS (which then exits 1).
  for (const [name, sent] of [
    ['a connection that sent nothing', ''],
    ['a connection that sent half of its headers', 'GET /chocolates HTTP/1.1\r\nHost: a\r\n'],
    [
      'a connection that sent half of its body',
      'POST /chocolates/quote HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{"lines":',
    ],
  ] as const) {
    test(`${name} does not hold the drain: exit 0 after the quiet period${sent ? ', the client gets a JSON 408' : ''}`, async () => {
      const server = await start({ REPLICA_ID: 'drain-check' });
      const socket = connect(server.port, '127.0.0.1');
      await once(socket, 'connect');
      const response = readRawResponse(socket);
      socket.write(sent);
      // Let the server read what was sent (a request with half a body reaches the app).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalled = performance.now();
      server.child.kill('SIGTERM');

      assert.equal(await server.exited, 0, 'exit 0: the drain did not run into DRAIN_TIMEOUT_MS');
      assert.ok(performance.now() - signalled < 5_000, 'well before the 10 s drain cap');
      const raw = await response;
      if (!sent) {
        assert.equal(raw, '', 'a connection that sent nothing is closed without an answer');
        return;
      }
      const res = parseRawResponse(raw);
      assert.equal(res.status, 408);
      assert.equal(res.headers['x-served-by'], 'drain-check');
      assert.equal(res.headers.connection, 'close');
      assert.match(res.headers['content-type'] ?? '', /^application\/json/);
      assert.deepEqual(JSON.parse(res.body), { error: 'the replica is shutting down and this request was not complete: send it again' });
      if (sent.startsWith('POST')) {
        // Its headers reached the app: answered through its response, so logged (and counted) with its path.
        assert.ok(server.lines.some((l) => l.msg === 'request' && l.status === 408 && l.path === '/chocolates/quote'));
      }
    });
  }

  test('when the drain exceeds DRAIN_TIMEOUT_MS, then the remaining connections are cut and it exits 1', async () => {
    const server = await start({ SWEETSHOP_TEST_HOOKS: '1', SWEETSHOP_TEST_DELAY_MS: '20000', DRAIN_TIMEOUT_MS: '500' });
    const inFlight = (await startHeldRequest(`${server.url}/chocolates`)).response.then(
      (res) => `status ${res.status}`,
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 1);
    assert.equal(await inFlight, 'ECONNRESET');
    assert.ok(server.lines.some((l) => l.msg === 'shutdown: drain timeout reached, closing the remaining connections'));
  });
});
