// `npm run local -- --manifests DIR` with a Gateway API rendering (local-gateway): the real nginx routes
// the HTTPRoute's paths and balances as its BackendTrafficPolicy says (LeastRequest -> least_conn).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { localGateway } from '../../config/environments/local-gateway.ts';
import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { startTestShop } from './support/test-shop.ts';

describe('local shop from a local-gateway rendering behind the real nginx', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-local-gateway-'));
  let shop: LocalShop;
  before(async () => {
    synthesizeInto(localGateway, join(dir, 'manifests'));
    shop = await startTestShop({ manifestsDir: join(dir, 'manifests'), replicas: { chocolates: 2, candies: 1, cakes: 1 } });
  });
  after(async () => {
    await shop?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("balances with the policy's algorithm: LeastRequest runs as least_conn", () => {
    assert.equal(shop.balance.algorithm, 'least-connections');
    assert.equal(shop.balance.source, 'BackendTrafficPolicy sweetshop spec.loadBalancer.type=LeastRequest');
  });

  test("every HTTPRoute path reaches its own section's replicas", async () => {
    for (const section of ['chocolates', 'candies', 'cakes']) {
      const ids = shop.replicas.filter((replica) => replica.section === section).map((replica) => replica.id);
      const response = await fetch(`${shop.url}/${section}/items`);
      await response.arrayBuffer();
      assert.equal(response.status, 200, section);
      assert.ok(ids.includes(response.headers.get('x-served-by')!), `${section} served by ${response.headers.get('x-served-by')}`);
    }
    const outside = await fetch(`${shop.url}/fudge`);
    await outside.arrayBuffer();
    assert.equal(outside.status, 404);
  });
});
