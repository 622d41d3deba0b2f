import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import type { LocalAlgorithm } from '../../tools/local/nginx/balance.ts';
import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { type LoadResult, startLoad } from './support/load.ts';
import { FIXTURES, startTestShop } from './support/test-shop.ts';

const SLOW_DELAY_MS = 20;

// Two one-section shops (2 chocolates replicas each, the first one slowed down by the service's test
// hook), loaded one after the other with the same autocannon settings, so the comparison is made in
// one run on one machine state.
describe('least connections vs round robin with one slow replica', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  const shops: LocalShop[] = [];
  after(() => Promise.all(shops.map((s) => s.stop())));

  async function measure(balance: LocalAlgorithm): Promise<{ result: LoadResult; slowShare: number }> {
    const shop = await startTestShop({
      manifestsDir: join(FIXTURES, 'chocolates-only'),
      balance,
      replicaEnvFor: (_section, index) =>
        index === 0 ? { SWEETSHOP_TEST_HOOKS: '1', SWEETSHOP_TEST_DELAY_MS: String(SLOW_DELAY_MS) } : undefined,
    });
    shops.push(shop);
    const [slow, fast] = shop.replicas;
    const result = await startLoad({
      url: shop.url,
      connections: 10,
      durationSeconds: 4,
      requests: [{ method: 'GET', path: '/chocolates/items' }],
    }).finished;
    await shop.stop();
    assert.equal(result.errors + result.non2xx, 0);
    const slowCount = result.byReplica[slow!.id] ?? 0;
    const fastCount = result.byReplica[fast!.id] ?? 0;
    return { result, slowShare: slowCount / (slowCount + fastCount) };
  }

  test('least connections sends clearly more to the fast replica, and its p50 is lower than round robin', async (t) => {
    const roundRobin = await measure('round-robin');
    const leastConnections = await measure('least-connections');
    for (const [name, m] of [
      ['round robin', roundRobin],
      ['least connections', leastConnections],
    ] as const) {
      t.diagnostic(
        `${name}: ${m.result.responses} requests, slow replica (+${SLOW_DELAY_MS} ms) served ${(m.slowShare * 100).toFixed(1)}%, ` +
          `p50 ${m.result.latencyP50Ms} ms, p99 ${m.result.latencyP99Ms} ms`,
      );
    }
    // Round robin ignores speed: an even split.
    assert.ok(Math.abs(roundRobin.slowShare - 0.5) <= 0.02, `round robin slow share ${roundRobin.slowShare}`);
    // Least connections: the fast replica frees its connections sooner and gets most requests.
    assert.ok(leastConnections.slowShare < 0.4, `least connections slow share ${leastConnections.slowShare}`);
    assert.ok(leastConnections.result.latencyP50Ms < roundRobin.result.latencyP50Ms, 'least connections p50 should be lower');
  });
});
