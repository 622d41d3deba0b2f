import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { type InProcessApp, rawRequest, startApp } from './helpers.ts';

/**
 * Requests Node's HTTP layer answers itself unless told otherwise: each must get the service's JSON error
 * shape with X-Served-By, never an empty body or a dropped socket.
 */
describe('protocol edge cases Node handles outside Express', () => {
  let app: InProcessApp;
  before(async () => {
    app = await startApp({ replicaId: 'proto-1' });
  });
  after(() => app.close());

  test('an HTTP/1.1 request without Host is a JSON 400 and the connection is closed', async () => {
    const res = await rawRequest(app.url, 'GET /chocolates HTTP/1.1\r\n\r\n');
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-served-by'], 'proto-1');
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(res.headers.connection, 'close');
    assert.deepEqual(JSON.parse(res.body), { error: 'an HTTP/1.1 request must have a Host header' });
  });

  test('an HTTP/1.0 request without Host is answered normally (Host is an HTTP/1.1 requirement)', async () => {
    const res = await rawRequest(app.url, 'GET /chocolates HTTP/1.0\r\n\r\n');
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).section, 'chocolates');
  });

  test('an Expect other than 100-continue is a JSON 417 naming it', async () => {
    const res = await rawRequest(app.url, 'GET /chocolates HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n');
    assert.equal(res.status, 417);
    assert.equal(res.headers['x-served-by'], 'proto-1');
    assert.equal(res.headers.connection, 'close');
    assert.deepEqual(JSON.parse(res.body), { error: 'Expect "teapot" is not supported (only 100-continue)' });
  });

  test('Expect: 100-continue is still answered (100 Continue, then the response)', async () => {
    const res = await rawRequest(app.url, 'GET /chocolates HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    assert.match(res.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });

  test('CONNECT is a JSON 405 and the connection is closed, not dropped without an answer', async () => {
    const res = await rawRequest(app.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.equal(res.status, 405);
    assert.equal(res.headers['x-served-by'], 'proto-1');
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.headers.allow, 'GET, HEAD, POST');
    assert.deepEqual(JSON.parse(res.body), { error: 'CONNECT is not supported: this is not a proxy' });
  });

  test('an Upgrade request (no upgrade handler) is an ordinary request', async () => {
    const res = await rawRequest(
      app.url,
      'GET /chocolates HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n\r\n',
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-served-by'], 'proto-1');
  });

  test('a request the parser rejects is a JSON 400 with X-Served-By', async () => {
    const res = await rawRequest(app.url, 'THIS IS NOT HTTP\r\n\r\n');
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-served-by'], 'proto-1');
    assert.deepEqual(JSON.parse(res.body), { error: 'malformed HTTP request' });
  });

  test('the 400 and 417 answered in the app are counted like any other request', async () => {
    await rawRequest(app.url, 'GET /livez HTTP/1.1\r\n\r\n');
    await rawRequest(app.url, 'GET /livez HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n');
    const text = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(text, /^http_requests_total\{method="GET",route="[^"]+",status="400"\} [1-9]/m);
    assert.match(text, /^http_requests_total\{method="GET",route="[^"]+",status="417"\} [1-9]/m);
  });
});
