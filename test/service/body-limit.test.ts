import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { heapLimitMiB, nodeOptions } from '../../charts/sweetshop-service.ts';
import { production } from '../../config/environments/production.ts';
import { parseRawResponse, type RawResponse, spawnServer } from './helpers.ts';

/** Resident memory of a process in MiB, from /proc (0 once it has exited). */
function rssMib(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

interface Exchange {
  readonly response: RawResponse;
  /** The socket error the client saw, if any (ECONNRESET: the server closed with unread data). */
  readonly error: string | undefined;
  /** Body bytes the client managed to write before the connection closed. */
  readonly sent: number;
}

/**
 * Writes `head`, then `body` (all at once), or an endless chunked body when `body` is 'endless', and reads
 * until the server closes the connection (bounded by `limitMs`, only so a broken server fails the test).
 */
async function exchange(port: number, head: string, body: Buffer | 'endless', limitMs = 30_000): Promise<Exchange> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  let error: string | undefined;
  let sent = 0;
  let closed = false;
  socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
  socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
  const done = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  const timer = setTimeout(
    () => socket.destroy(new Error(`not closed within ${limitMs} ms; got ${JSON.stringify(text.slice(0, 200))}`)),
    limitMs,
  );
  socket.write(head);
  if (body === 'endless') {
    const frame = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, '1'), Buffer.from('\r\n')]);
    while (!closed) {
      sent += 0x10000;
      if (!socket.write(frame)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
    }
  } else {
    socket.write(body);
    sent = body.length;
  }
  await done;
  clearTimeout(timer);
  return { response: parseRawResponse(text), error, sent };
}

const LIMIT = 16 * 1024;
const PRODUCTION_LIMIT = production.sections.chocolates.limits.memory;
const TOO_LARGE = { error: 'request body is larger than 16 KiB' };

describe('a spawned replica with the production heap cap and the default body limit', () => {
  let server: Awaited<ReturnType<typeof spawnServer>>;
  before(async () => {
    server = await spawnServer({ NODE_OPTIONS: nodeOptions(PRODUCTION_LIMIT, production.v8SemiSpaceMiB) });
  });
  after(() => server.kill());

  test('a declared body over the limit (1 MiB) is read and discarded, then a JSON 413: the client sees no reset', async () => {
    const body = Buffer.alloc(1024 * 1024, 'x');
    const head = `POST /chocolates/quote HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { response, error } = await exchange(server.port, head, body);
    assert.equal(response.status, 413, response.text.slice(0, 200));
    assert.deepEqual(JSON.parse(response.body), TOO_LARGE);
    assert.equal(error, undefined, 'the connection ends with a FIN, not a reset: a proxy would count a reset as a failed replica');
  });

  // Broken twin of the above: past what a proxy could forward, reading it all would be the attack itself.
  test('a declared body far over any proxy limit (1 GB) is a 413 at once, before a byte of it', async () => {
    const head = 'POST /chocolates/quote HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n';
    const { response } = await exchange(server.port, head, Buffer.alloc(0));
    assert.equal(response.status, 413);
    assert.equal(response.headers.connection, 'close');
  });

  test('a declared body too large to read (5 MB) that the client keeps writing still gets its JSON 413, not a reset', async () => {
    const body = Buffer.alloc(5_000_000, 'x');
    const head = `POST /chocolates/quote HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    for (let round = 0; round < 3; round++) {
      const { response } = await exchange(server.port, head, body);
      assert.equal(response.status, 413, `round ${round}: ${response.text.slice(0, 200)}`);
      assert.deepEqual(JSON.parse(response.body), TOO_LARGE);
    }
  });

  for (const [route, type, status] of [
    ['POST /chocolates/quote', 'application/json', 413],
    ['POST /chocolates/quote', 'text/plain', 415],
    ['GET /chocolates', 'application/json', 200],
  ] as const) {
    test(`an endless chunked body on ${route} (${type}) stops being read past the limit: ${status}, then closed, memory bounded`, {
      timeout: 60_000,
    }, async () => {
      const pid = server.child.pid as number;
      let peak = rssMib(pid);
      const sampler = setInterval(() => (peak = Math.max(peak, rssMib(pid))), 10);
      try {
        const head = `${route} HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`;
        const { response, sent } = await exchange(server.port, head, 'endless');
        assert.equal(response.status, status, response.text.slice(0, 200));
        assert.match(response.headers['content-type'] ?? '', /^application\/json/);
        if (status === 413) assert.deepEqual(JSON.parse(response.body), TOO_LARGE);
        // Socket buffers on both sides hold a few MiB on loopback; a server that kept reading takes hundreds.
        assert.ok(sent < 64 * 1024 * 1024, `the client wrote ${Math.round(sent / 2 ** 20)} MiB before the server closed`);
      } finally {
        clearInterval(sampler);
      }
      // Loose: the heap cap plus 64 MiB (the runtime alone holds ~80 MiB), never a timing.
      assert.ok(peak < heapLimitMiB(PRODUCTION_LIMIT) + 64, `RSS peaked at ${Math.round(peak)} MiB`);
      const after = await fetch(`${server.url}/chocolates`);
      assert.equal(after.status, 200);
    });
  }

  test('a chunked body under the limit on a route that does not read it still keeps the connection', async () => {
    const chunk = Buffer.alloc(LIMIT / 2, 'y');
    const head = 'GET /chocolates HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n0\r\n\r\nGET /chocolates HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'),
    ]);
    const { response, error } = await exchange(server.port, head, body);
    assert.equal(error, undefined);
    assert.equal(response.text.match(/HTTP\/1\.1 200 /g)?.length, 2, 'both requests answered on one connection');
  });
});

describe('MAX_BODY_BYTES (what the chart sets from the environment)', () => {
  let server: Awaited<ReturnType<typeof spawnServer>>;
  before(async () => {
    server = await spawnServer({ MAX_BODY_BYTES: '2048' });
  });
  after(() => server.kill());

  const quote = (bytes: number) =>
    fetch(`${server.url}/chocolates/quote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lines: [{ id: 'truffles', quantity: 1 }], pad: 'p'.repeat(bytes - 50) }),
    });

  test('a body over it is a 413 naming it', async () => {
    const res = await quote(3000);
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { error: 'request body is larger than 2 KiB' });
  });

  test('a body under it is priced (a limit that refused everything would fail here)', async () => {
    const res = await quote(1900);
    assert.equal(res.status, 200, await res.clone().text());
  });
});
