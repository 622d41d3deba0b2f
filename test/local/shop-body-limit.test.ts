import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { startTestShop } from './support/test-shop.ts';

/** Writes `request` raw on a fresh connection and reads until nginx closes it (Connection: close or an error). */
function raw(url: string, request: string): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => socket.destroy(new Error(`not closed within 10 s: ${JSON.stringify(text.slice(0, 300))}`)), 10_000);
    socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0),
        headers: text.slice(0, split),
        body: text.slice(split + 4),
      });
    });
    // Not end(): nginx takes a client's half-close for an abort and drops a request it is proxying (499).
    socket.write(request);
  });
}

const TOO_LARGE = { error: 'request body is larger than 16 KiB' };

// dist/ states the local environment's body limit (16 KiB) on every Deployment and on the Ingress.
describe('the body limit and nginx own answers through local mode', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  let shop: LocalShop;
  before(async () => {
    shop = await startTestShop({ manifestsDir: join(REPO_ROOT, 'dist') });
  });
  after(() => shop?.stop());

  test('20 POSTs between 16 KiB and 1 MiB interleaved with GETs: every POST is a JSON 413, no GET a 5xx', async () => {
    const statuses: number[] = [];
    const posts: { status: number; type: string | null; body: unknown }[] = [];
    const gets = (async () => {
      for (let i = 0; i < 200; i++) {
        const res = await fetch(`${shop.url}/chocolates`);
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    })();
    for (let i = 0; i < 20; i++) {
      const size = 17 * 1024 + i * 50 * 1024;
      const res = await fetch(`${shop.url}/chocolates/quote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lines: [], pad: 'x'.repeat(size) }),
      });
      posts.push({ status: res.status, type: res.headers.get('content-type'), body: await res.json().catch(() => '(not JSON)') });
    }
    await gets;
    for (const post of posts) {
      assert.equal(post.status, 413);
      assert.match(post.type ?? '', /^application\/json/);
      assert.deepEqual(post.body, TOO_LARGE);
    }
    const failed = statuses.filter((s) => s >= 500);
    assert.equal(failed.length, 0, `${failed.length} of ${statuses.length} GETs failed (${[...new Set(failed)].join(', ')})`);
  });

  test('a body just under the limit still reaches a replica (a limit that refused everything would fail here)', async () => {
    const body = JSON.stringify({ lines: [{ id: 'truffles', quantity: 1 }], pad: 'x'.repeat(16 * 1024 - 100) });
    const res = await fetch(`${shop.url}/chocolates/quote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, await res.clone().text());
    assert.ok(res.headers.get('x-served-by'));
  });

  test('what nginx refuses itself (414, 400, 413 with Expect) is JSON, not an HTML page', async () => {
    const answers = [
      await raw(shop.url, `GET /chocolates/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`),
      await raw(shop.url, 'GET /chocolates HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n'),
      await raw(shop.url, 'POST /chocolates/quote HTTP/1.1\r\nHost: a\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n'),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [414, 400, 413],
    );
    for (const answer of answers) {
      assert.match(answer.headers, /\r\nContent-Type: application\/json/i, answer.headers);
      assert.equal(typeof (JSON.parse(answer.body) as { error: unknown }).error, 'string', answer.body);
    }
  });

  test('an HTTP/1.0 request without Host gets the 200 a replica gives it directly', async () => {
    const answer = await raw(shop.url, 'GET /chocolates HTTP/1.0\r\n\r\n');
    assert.equal(answer.status, 200, `${answer.headers}\n${answer.body.slice(0, 200)}`);
    assert.match(answer.headers, /\r\nX-Served-By: /i);
  });
});
