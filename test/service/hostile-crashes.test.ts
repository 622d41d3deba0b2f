// Requests that once took a whole replica down (exit 1, every in-flight request on it reset): each runs
// against the real server process, which must still answer /livez afterwards.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { rawRequest, type SpawnedServer, spawnServer } from './helpers.ts';

describe('a replica outlives', () => {
  let server: SpawnedServer;
  before(async () => {
    server = await spawnServer({ REPLICA_ID: 'hostile-1' });
  });
  after(() => server.kill());

  const assertAlive = async () => {
    assert.equal(server.child.exitCode, null, 'the replica exited');
    assert.equal((await fetch(`${server.url}/livez`)).status, 200);
  };

  test('CONNECT followed at once by a TCP reset (the 405 write fails on a socket Node no longer watches)', async () => {
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write('CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n');
          socket.resetAndDestroy();
        });
        socket.once('close', () => resolve());
        socket.once('error', () => {});
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await assertAlive();
  });

  test('an absolute-form target Express cannot parse: a JSON 400 at once, before any body is read', async () => {
    for (const target of ['http://[/x', 'http://[::1/chocolates']) {
      const res = await rawRequest(server.url, `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n`, 5_000);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.headers['x-served-by'], 'hostile-1');
      assert.equal(res.headers.connection, 'close');
      assert.deepEqual(JSON.parse(res.body), { error: `request target "${target}" is neither a path nor an http(s) URL` });
    }
    await assertAlive();
  });

  test('an absolute-form target that parses is routed by its path, like the origin form', async () => {
    const res = await rawRequest(server.url, 'GET http://shop.example.com/chocolates HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).section, 'chocolates');
  });
});
