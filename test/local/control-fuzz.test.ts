import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { controlSocketPath, fetchStatus } from '../../tools/local/cli/control.ts';
import { watchCli } from './support/cli.ts';

const SERVER = fileURLToPath(new URL('./support/control-server.ts', import.meta.url));
const REQUESTS = 3_000;
const CONCURRENCY = 32;

// Seeded, so a failure names a request that can be sent again (xorshift32).
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'BREW', 'get', 'G\tET'];
const PATHS = [
  '//',
  '///status',
  '/%',
  '/%zz',
  '/status%',
  '/status?section=%',
  '/rollout-restart?section=%ff%fe',
  '/rollout-restart?section=cakes&section=x',
  '//rollout-restart',
  '*',
  'http://[::1',
  'status',
  '/\u0000',
  '/..%2f..%2fetc%2fpasswd',
  '/status#frag',
  '?',
  '',
];
const BODIES = ['{', '{"section":', 'null', '[]', '{"a":1}{', '\u0000\u0001', ''];

/** One request's bytes: a well-formed HTTP/1.1 request with hostile parts, or random bytes. */
function fuzzRequest(next: () => number): Buffer {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const kind = next();
  if (kind < 0.2) return randomBytes(1 + Math.floor(next() * 512));
  let path = pick(PATHS);
  if (kind < 0.3)
    path = `/${'a/'.repeat(Math.floor(next() * 40_000))}`; // past Node's 16 KiB header limit, or close to it
  else if (kind < 0.4)
    path += `/${randomBytes(8)
      .toString('latin1')
      .replace(/[\r\n ]/g, '%')}`;
  const body = pick(BODIES);
  const length = next() < 0.2 ? 'Content-Length: -1' : next() < 0.2 ? 'Content-Length: abc' : `Content-Length: ${Buffer.byteLength(body)}`;
  return Buffer.from(
    `${pick(METHODS)} ${path} HTTP/1.1\r\nHost: local\r\n${length}\r\nContent-Type: application/json\r\n\r\n${body}`,
    'latin1',
  );
}

/** Sends raw bytes on the socket; resolves what came back before the server closed (or 2 s passed). */
function send(socketPath: string, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let answer = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, 2_000);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes, () => socket.end());
  });
}

describe('control socket under malformed requests', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-control-fuzz-'));
  const server = watchCli(spawn(process.execPath, [SERVER, work], { stdio: ['ignore', 'pipe', 'pipe'] }));
  after(() => {
    server.child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  test('every answer to a malformed request is a JSON 4xx, the supervisor survives, and status still works', async (t) => {
    await server.waitFor(/listening/, 20_000);
    const next = random(21);
    const requests = Array.from({ length: REQUESTS }, () => fuzzRequest(next));
    const wrong: string[] = [];
    let answered = 0;
    let cursor = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (cursor < requests.length) {
          const index = cursor++;
          const answer = await send(controlSocketPath(work), requests[index]!);
          if (answer === '') continue; // closed without a word: allowed (random bytes may not be a request at all)
          answered++;
          // A route of the API with an odd query may be answered (the real shop refuses an unknown section itself);
          // anything else gets a 4xx with a JSON body.
          const text = requests[index]!.toString('latin1');
          if (/^(GET \/status|POST \/rollout-restart)[ ?]/.test(text)) continue;
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
          const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
          let json = false;
          try {
            json = typeof JSON.parse(body.split('\n')[0]!) === 'object';
          } catch {
            // not JSON
          }
          const head = answer.split('\r\n')[0];
          if (!(status >= 400 && status < 500) || (!json && !text.startsWith('HEAD')))
            wrong.push(`request ${index} ${JSON.stringify(text.slice(0, 80))}: ${head} ${body.slice(0, 80)}`);
        }
      }),
    );
    t.diagnostic(`${REQUESTS} requests, ${answered} answered`);
    assert.equal(server.child.exitCode, null, `the control server died:\n${server.output()}`);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} answers were not a JSON 4xx`);
    assert.equal((await fetchStatus(work)).pid, server.child.pid);
  });
});
