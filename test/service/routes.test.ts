import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { sections } from '../../service/src/sections/index.ts';
import { type InProcessApp, startApp } from './helpers.ts';

describe('routes of a chocolates replica', () => {
  let app: InProcessApp;
  before(async () => {
    app = await startApp({ replicaId: 'choc-1', port: 8123 });
  });
  after(() => app.close());

  async function get(path: string): Promise<{ status: number; headers: Headers; body: unknown }> {
    const res = await fetch(`${app.url}${path}`);
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  test('GET /chocolates describes the section, the replica and its port', async () => {
    const res = await get('/chocolates');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.body, {
      section: 'chocolates',
      message: 'I am the chocolates section of the sweet shop API',
      replica: 'choc-1',
      port: 8123,
    });
  });

  test('GET /chocolates/items lists the whole catalog', async () => {
    const res = await get('/chocolates/items');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { items: sections.chocolates.sweets });
  });

  test('GET /chocolates/items/<id> returns that sweet', async () => {
    const sweet = sections.chocolates.sweets[2]!;
    const res = await get(`/chocolates/items/${sweet.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, sweet);
  });

  test('GET /chocolates/items/<unknown id> is a JSON 404 naming the id', async () => {
    const res = await get('/chocolates/items/fudge');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: 'no sweet "fudge" in the chocolates section' });
  });

  test('GET /livez is 200', async () => {
    const res = await get('/livez');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'alive' });
  });

  test('GET /readyz is 200 while ready', async () => {
    const res = await get('/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ready' });
  });

  for (const path of ['/', '/nope', '/candies', '/cakes/items', '/chocolates/items/dark-70/extra', '/chocolates/quote']) {
    test(`GET ${path} (not a route of this replica) is a JSON 404`, async () => {
      const res = await get(path);
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: `no route for GET ${path}` });
    });
  }

  test('GET /chocolates/items/<8 KiB id> is a 404 that quotes only the first 128 characters of the id', async () => {
    const id = 'q'.repeat(8192);
    const res = await get(`/chocolates/items/${id}`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: `no sweet "${'q'.repeat(128)}"… (8192 characters) in the chocolates section` });
  });

  test('GET /<8 KiB path> is a 404 that quotes only the first 128 characters of the path', async () => {
    const path = `/${'p'.repeat(8191)}`;
    const res = await get(path);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: `no route for GET /${'p'.repeat(127)}… (8192 characters)` });
  });

  test('POST /chocolates (wrong method) is a JSON 404', async () => {
    const res = await fetch(`${app.url}/chocolates`, { method: 'POST' });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'no route for POST /chocolates' });
  });

  test('a path that cannot be URL-decoded is a JSON 400, not a stack trace', async () => {
    const res = await get('/chocolates/items/%E0%A4%A');
    assert.equal(res.status, 400);
    assert.equal(typeof (res.body as { error: unknown }).error, 'string');
  });

  test('every response, 200 or 404 or error, carries X-Served-By and no framework banner', async () => {
    const responses = await Promise.all([
      fetch(`${app.url}/chocolates`),
      fetch(`${app.url}/missing`),
      fetch(`${app.url}/chocolates/items/nope`),
      fetch(`${app.url}/chocolates/quote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      fetch(`${app.url}/metrics`),
    ]);
    for (const res of responses) {
      assert.equal(res.headers.get('x-served-by'), 'choc-1', `${res.url} ${res.status}`);
      assert.equal(res.headers.get('x-powered-by'), null);
      await res.arrayBuffer();
    }
  });

  test('a query string does not change the route', async () => {
    const res = await get('/chocolates/items?page=2');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { items: sections.chocolates.sweets });
  });
});

describe('readiness', () => {
  test('when the replica starts draining, then /readyz is 503 and responses ask to close the connection', async () => {
    const app = await startApp();
    try {
      app.deps.lifecycle.startDraining();
      const res = await fetch(`${app.url}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'draining' });
      assert.equal(res.headers.get('connection'), 'close');
      const live = await fetch(`${app.url}/livez`);
      assert.equal(live.status, 200, 'liveness is unaffected: the process is still healthy');
      await live.arrayBuffer();
    } finally {
      await app.close();
    }
  });
});

describe('the other sections', () => {
  for (const name of ['candies', 'cakes'] as const) {
    test(`a ${name} replica serves /${name} and its own catalog only`, async () => {
      const app = await startApp({ section: sections[name] });
      try {
        const root = await fetch(`${app.url}/${name}`);
        assert.equal(((await root.json()) as { message: string }).message, `I am the ${name} section of the sweet shop API`);
        const items = await fetch(`${app.url}/${name}/items`);
        assert.deepEqual(await items.json(), { items: sections[name].sweets });
        const other = await fetch(`${app.url}/chocolates/items`);
        assert.equal(other.status, 404);
        await other.arrayBuffer();
      } finally {
        await app.close();
      }
    });
  }
});

describe('test delay hook', () => {
  test('when testDelayMs is set, then section requests wait at least that long and health checks do not', async () => {
    const app = await startApp({ testDelayMs: 1500 });
    try {
      const finished: string[] = [];
      const start = performance.now();
      const section = fetch(`${app.url}/chocolates`).then(async (res) => {
        await res.arrayBuffer();
        finished.push('section');
        return performance.now() - start;
      });
      await (await fetch(`${app.url}/livez`)).arrayBuffer();
      finished.push('livez');
      assert.ok((await section) >= 1490, 'section request was delayed by the hook');
      assert.deepEqual(finished, ['livez', 'section'], 'livez answered while the section request was still delayed');
    } finally {
      await app.close();
    }
  });
});
