import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createMetrics, type ServiceMetrics } from '../../service/src/metrics.ts';
import { startApp } from './helpers.ts';

describe('GET /metrics', () => {
  test('exposes request counts and latency by route pattern and status, plus default Node metrics', async () => {
    const app = await startApp({ metrics: createMetrics() });
    try {
      for (const path of [
        '/chocolates',
        '/chocolates/items/dark-70',
        '/chocolates/items/truffles',
        '/chocolates/items/nope',
        '/wp-admin/x',
      ]) {
        await (await fetch(`${app.url}${path}`)).arrayBuffer();
      }
      const res = await fetch(`${app.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();

      assert.match(text, /^# TYPE http_requests_total counter$/m);
      assert.match(text, /^http_requests_total\{method="GET",route="\/chocolates",status="200"\} 1$/m);
      // Two different ids share one series: the label is the pattern, not the raw path.
      assert.match(text, /^http_requests_total\{method="GET",route="\/chocolates\/items\/:id",status="200"\} 2$/m);
      assert.match(text, /^http_requests_total\{method="GET",route="\/chocolates\/items\/:id",status="404"\} 1$/m);
      assert.match(text, /^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
      assert.doesNotMatch(text, /dark-70|truffles|wp-admin/, 'raw paths never become labels');

      assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
      assert.match(text, /^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/chocolates",status="200"\} 1$/m);
      assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/chocolates\/items\/:id",status="200"\} 2$/m);

      assert.match(text, /^process_cpu_user_seconds_total /m);
      assert.match(text, /^nodejs_heap_size_used_bytes /m);
      assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    } finally {
      await app.close();
    }
  });
});

describe('a client that goes away before the answer', () => {
  test('is counted with status 499 and is no longer tracked as in flight', async () => {
    const app = await startApp({ testDelayMs: 2000 });
    try {
      const aborter = new AbortController();
      const request = fetch(`${app.url}/chocolates`, { signal: aborter.signal }).catch(() => 'aborted');
      while (app.deps.lifecycle.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      aborter.abort();
      assert.equal(await request, 'aborted');
      for (let waited = 0; app.deps.lifecycle.inFlight > 0; waited += 20) {
        assert.ok(waited < 1000, 'the aborted request is still tracked as in flight');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const text = await (await fetch(`${app.url}/metrics`)).text();
      assert.match(text, /^http_requests_total\{method="GET",route="[^"]+",status="499"\} 1$/m);
    } finally {
      await app.close();
    }
  });
});

describe('request log', () => {
  test('writes one JSON line per request with method, path, status, duration and replica', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { pino } = await import('pino');
    const log = pino({ base: { replica: 'choc-9' } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const app = await startApp({ log, replicaId: 'choc-9' });
    try {
      await (await fetch(`${app.url}/chocolates/items/dark-70?x=1`)).arrayBuffer();
      await (await fetch(`${app.url}/nowhere`)).arrayBuffer();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(lines.length, 2);
      const [first, second] = lines;
      assert.equal(first!.msg, 'request');
      assert.equal(first!.replica, 'choc-9');
      assert.equal(first!.method, 'GET');
      assert.equal(first!.path, '/chocolates/items/dark-70', 'the path, without the query string');
      assert.equal(first!.status, 200);
      assert.equal(typeof first!.durationMs, 'number');
      assert.equal(first!.level, 30);
      assert.equal(second!.status, 404);
    } finally {
      await app.close();
    }
  });
});

describe('request log amplification', () => {
  test('a log line copies at most the first 128 characters of the path', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { pino } = await import('pino');
    const log = pino({}, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const app = await startApp({ log });
    try {
      const path = `/chocolates/items/${'i'.repeat(8192)}`;
      await (await fetch(`${app.url}${path}?${'q'.repeat(4096)}`)).arrayBuffer();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.path, `${path.slice(0, 128)}… (${path.length} characters)`);
      assert.ok(JSON.stringify(lines[0]).length < 400, 'the log line stays short');
    } finally {
      await app.close();
    }
  });
});

describe('errors', () => {
  test('when a handler fails unexpectedly, then the client gets a bare 500 and the details stay in the log', async () => {
    const logged: unknown[] = [];
    const failing: ServiceMetrics = {
      ...createMetrics({ defaultMetrics: false }),
      registry: { metrics: () => Promise.reject(new Error('secret internal detail')) } as unknown as ServiceMetrics['registry'],
    };
    const { pino } = await import('pino');
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const app = await startApp({ metrics: failing, log });
    try {
      const res = await fetch(`${app.url}/metrics`);
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('x-served-by'), 'test-replica');
      const body = await res.text();
      assert.equal(body, '{"error":"internal server error"}');
      assert.equal(logged.length, 1);
      assert.match(JSON.stringify(logged[0]), /secret internal detail/);
    } finally {
      await app.close();
    }
  });
});
