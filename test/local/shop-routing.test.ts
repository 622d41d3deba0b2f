import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { countWhere, QUOTE_BODY, startLoad } from './support/load.ts';
import { establishedConnectionsTo } from './support/sockets.ts';
import { countServedBy, startTestShop } from './support/test-shop.ts';

const SECTIONS = ['chocolates', 'candies', 'cakes'];
// Past the moment a Node server with the default keep-alive (5 s) closes an idle socket: Node 20.20
// closes it about 1 s after keepAliveTimeout (measured: 6.0 s), so a gap of 5.15 s proved nothing.
const IDLE_GAP_MS = 6_500;

// One shop from the committed dist/ for this file: starting six-plus replicas is the slow part.
describe('local shop from dist/ behind the real nginx', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  let shop: LocalShop;
  before(async () => {
    shop = await startTestShop({ manifestsDir: join(REPO_ROOT, 'dist'), balance: 'round-robin', replicas: { chocolates: 3 } });
  });
  after(() => shop?.stop());

  test('every path reaches only its own section, on one of that section replicas', async () => {
    for (const section of SECTIONS) {
      const ids = shop.replicas.filter((r) => r.section === section).map((r) => r.id);
      for (const path of [`/${section}`, `/${section}/items`]) {
        const response = await fetch(`${shop.url}${path}`);
        await response.arrayBuffer();
        assert.equal(response.status, 200, path);
        assert.ok(
          ids.includes(response.headers.get('x-served-by')!),
          `${path} served by ${response.headers.get('x-served-by')}, not a ${section} replica`,
        );
      }
    }
    const quote = await fetch(`${shop.url}/chocolates/quote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: QUOTE_BODY,
    });
    assert.equal(quote.status, 200);
    assert.equal(((await quote.json()) as { total: number }).total, 700);
  });

  test('a request body larger than nginx memory buffer (8k) reaches the replica (nginx workers can write their temp files)', async () => {
    // Under dist/'s 16 KiB body limit, which nginx enforces itself (shop-body-limit.test.ts).
    const body = JSON.stringify({ lines: [{ id: 'dark-70', quantity: 1, note: 'x'.repeat(12_000) }] });
    const response = await fetch(`${shop.url}/chocolates/quote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    // A replica answers (whatever it makes of the note); an nginx that cannot buffer to disk answers 500 itself.
    assert.ok(response.headers.get('x-served-by'), `answered by nginx with ${response.status}, not by a replica`);
  });

  test('unknown paths, and words that only start with a section name, get a JSON 404 from nginx', async () => {
    for (const path of ['/', '/fudge', '/chocolatesandwich', '/candy', '/livez']) {
      const response = await fetch(`${shop.url}${path}`);
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get('x-served-by'), null, `${path} should not reach a replica`);
      assert.match(((await response.json()) as { error: string }).error, /no Ingress path matches/);
    }
  });

  test('no spelling of /metrics through nginx reaches a replica metrics endpoint (nginx 404s, or the replica 404s under its prefix)', async () => {
    const paths = [
      '/metrics',
      '//metrics',
      '/chocolates/metrics',
      '/chocolates//metrics',
      '/chocolates/./metrics',
      '/chocolates/../metrics',
    ];
    paths.push('/chocolates/%2e%2e/metrics', '/chocolates/..%2fmetrics', '/chocolates/items/../../metrics', '/chocolates/METRICS');
    const served: string[] = [];
    for (const path of paths) {
      const answer = await rawGet(shop.url, path);
      assert.equal(answer.status, 404, `${path}: ${answer.status} ${answer.body.slice(0, 80)}`);
      assert.doesNotMatch(answer.body, /# (HELP|TYPE) /, path);
      if (answer.servedBy) served.push(path);
    }
    // Both kinds of 404 occur: the check covers nginx's matching and the replica's routing.
    assert.ok(served.includes('/chocolates/metrics') && !served.includes('/metrics'), served.join(', '));
  });

  test('round robin: each of 3 chocolates replicas serves within 1% of 1/3 of 1,000 sequential requests', async (t) => {
    const counts = await countServedBy(`${shop.url}/chocolates`, 1_000);
    t.diagnostic(`round robin, 1,000 sequential GET /chocolates: ${JSON.stringify(counts)}`);
    const ids = shop.replicas.filter((r) => r.section === 'chocolates').map((r) => r.id);
    assert.deepEqual(Object.keys(counts).sort(), [...ids].sort());
    for (const [id, count] of Object.entries(counts)) assert.ok(Math.abs(count / 1_000 - 1 / 3) <= 0.01, `${id} served ${count} of 1,000`);
  });

  test('keep-alive race: replicas keep nginx upstream connections through idle gaps longer than Node default keep-alive, and bursts after such gaps give no 502', async (t) => {
    const candiesPorts = shop.replicas.filter((r) => r.section === 'candies').map((r) => r.port);
    let total = 0;
    const failures: Record<string, number> = {};
    const heldAfterGap: number[] = [];
    for (let burst = 0; burst < 3; burst++) {
      if (burst > 0) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_GAP_MS));
        // nginx keeps idle upstream connections for 60 s; a replica that closes them first (Node's default
        // keep-alive) is the race behind sporadic 502s. The race itself is too narrow to hit on demand, so check
        // its cause: the replicas still hold the idle connections after the gap.
        heldAfterGap.push(establishedConnectionsTo(candiesPorts));
      }
      const load = startLoad({
        url: shop.url,
        connections: 6,
        durationSeconds: 1,
        requests: [
          { method: 'GET', path: '/candies/items' },
          { method: 'POST', path: '/candies/quote', body: JSON.stringify({ lines: [{ id: 'gummy-bears', quantity: 1 }] }) },
        ],
      });
      const result = await load.finished;
      total += result.responses + result.errors;
      for (const [key, n] of Object.entries(result.byMethodAndStatus)) if (!key.endsWith(' 200')) failures[key] = (failures[key] ?? 0) + n;
      if (result.errors > 0) failures.errors = (failures.errors ?? 0) + result.errors;
    }
    t.diagnostic(
      `keep-alive race: ${total} requests (GET + POST) in 3 bursts with ${IDLE_GAP_MS / 1000} s idle gaps, failures ${JSON.stringify(failures)}; ` +
        `nginx connections the candies replicas still held after each gap: ${heldAfterGap.join(', ')}`,
    );
    assert.ok(total > 300, `only ${total} requests`);
    assert.deepEqual(failures, {});
    assert.ok(
      heldAfterGap.every((held) => held > 0),
      `the replicas closed nginx's idle connections during a ${IDLE_GAP_MS / 1000} s gap: ${heldAfterGap.join(', ')}`,
    );
  });

  test('SIGKILL of a replica under load: no GET fails (nginx retries it on another replica); POST failures are reported', async (t) => {
    const victim = shop.replicas.find((r) => r.section === 'chocolates')!;
    const load = startLoad({
      url: shop.url,
      connections: 8,
      durationSeconds: 3,
      requests: [
        { method: 'GET', path: '/chocolates/items' },
        { method: 'POST', path: '/chocolates/quote', body: QUOTE_BODY },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    process.kill(victim.pid, 'SIGKILL');
    const result = await load.finished;
    const getFailures = countWhere(result.byMethodAndStatus, (k) => k.startsWith('GET ') && k !== 'GET 200');
    const postFailures = countWhere(result.byMethodAndStatus, (k) => k.startsWith('POST ') && k !== 'POST 200');
    t.diagnostic(
      `SIGKILL ${victim.id} under load: ${result.responses} responses, ${JSON.stringify(result.byMethodAndStatus)}, ` +
        `${result.errors} connection errors; failed GET ${getFailures}, failed POST ${postFailures}; per replica ${JSON.stringify(result.byReplica)}`,
    );
    assert.ok(result.responses > 500, `only ${result.responses} responses`);
    assert.equal(result.errors, 0);
    assert.equal(getFailures, 0);
    // The killed replica served before the kill and never after it: the others took over.
    assert.ok((result.byReplica[victim.id] ?? 0) > 0);
  });
});

/** GET through the front nginx with the path sent exactly as given (fetch would resolve dot segments first). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string; servedBy: string | undefined }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, servedBy: res.headers['x-served-by'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}
