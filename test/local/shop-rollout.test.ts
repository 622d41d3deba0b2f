import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import type { LocalShop, RolloutStep } from '../../tools/local/shop/shop.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { QUOTE_BODY, startLoad } from './support/load.ts';
import { eventuallyEmpty, isRunning, processesWithTmpdir } from './support/processes.ts';
import { countServedBy, FIXTURES, startTestShop } from './support/test-shop.ts';

const MIN_REQUESTS = 5_000;

describe('rolling restart of every replica under keep-alive load', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  let shop: LocalShop;
  before(async () => {
    // warn: a log line per request would only slow the load down here. cakes runs one replica: with two,
    // nginx retries on the other one and a rollout that drained the old replica before switching to the
    // new one still gave 0 failures (checked); with one, only maxUnavailable 0 keeps cakes answering.
    shop = await startTestShop({ manifestsDir: join(REPO_ROOT, 'dist'), replicas: { cakes: 1 }, replicaEnv: { LOG_LEVEL: 'warn' } });
  });
  after(() => shop?.stop());

  test(`zero downtime: 0 failed or non-2xx requests (GET and POST) out of at least ${MIN_REQUESTS}, and every replica id changes`, async (t) => {
    const before = shop.replicas;
    const load = startLoad({
      url: shop.url,
      connections: 10,
      durationSeconds: 120, // upper bound: stopped below once the rollout is done and enough requests were made
      requests: [
        { method: 'GET', path: '/chocolates/items' },
        { method: 'GET', path: '/candies/items' },
        { method: 'GET', path: '/cakes/items' },
        { method: 'POST', path: '/chocolates/quote', body: QUOTE_BODY },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const started = Date.now();
    const steps: RolloutStep[] = await shop.rolloutRestart();
    const rolloutSeconds = (Date.now() - started) / 1_000;
    // Keep loading the new replicas for a moment, and until the minimum count is reached.
    const settle = Date.now() + 1_000;
    while (Date.now() < settle || load.responses() < MIN_REQUESTS) await new Promise((resolve) => setTimeout(resolve, 100));
    load.stop();
    const result = await load.finished;

    t.diagnostic(
      `rollout of ${steps.length} replicas in ${rolloutSeconds.toFixed(1)} s under load: ${result.responses} responses, ` +
        `${result.errors} errors, ${result.non2xx} non-2xx; ${JSON.stringify(result.byMethodAndStatus)}; per replica ${JSON.stringify(result.byReplica)}`,
    );
    assert.ok(result.responses >= MIN_REQUESTS, `only ${result.responses} requests`);
    assert.equal(result.errors, 0, 'connection errors or timeouts');
    assert.equal(result.non2xx, 0, 'non-2xx responses');

    const after = shop.replicas;
    assert.equal(steps.length, before.length);
    assert.equal(after.length, before.length);
    const oldIds = new Set(before.map((r) => r.id));
    assert.deepEqual(
      after.filter((r) => oldIds.has(r.id)),
      [],
      'every replica id changes',
    );
    for (const old of before) assert.equal(isRunning(old.pid), false, `old replica ${old.id} (pid ${old.pid}) has exited`);
    // Both generations served during the test, and only the new one serves now.
    for (const section of ['chocolates', 'candies', 'cakes']) {
      const served = Object.keys(await countServedBy(`${shop.url}/${section}`, 10));
      const newIds = after.filter((r) => r.section === section).map((r) => r.id);
      assert.deepEqual(
        served.filter((id) => !newIds.includes(id)),
        [],
        `${section} answered by an old replica`,
      );
    }
    const idle = [...before, ...after].filter((r) => (result.byReplica[r.id] ?? 0) === 0).map((r) => r.id);
    assert.deepEqual(idle, [], 'replicas (old or new) that served nothing under the load');
  });

  test('a rollout of an unknown section is refused with the known names', async () => {
    await assert.rejects(shop.rolloutRestart('fudge'), /unknown section fudge \(the manifests have chocolates, candies, cakes\)/);
  });
});

describe('stop() during a rollout', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sweetshop-rollout-stop-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('the rollout is refused or interrupted, and no replica (old or half-started new) outlives stop()', async (t) => {
    // The replicas inherit this TMPDIR, which finds every process the shop started, including a rollout's new one.
    const shop = await startTestShop({ manifestsDir: join(FIXTURES, 'chocolates-only'), replicaEnv: { TMPDIR: tmp } });
    const rollout = shop.rolloutRestart().then(
      () => 'finished',
      (error: Error) => error.message,
    );
    await shop.stop();
    const outcome = await rollout;
    t.diagnostic(`rollout on a stopping shop: ${outcome}`);
    assert.notEqual(outcome, 'finished', 'a rollout cannot complete on a shop that stopped under it');
    assert.deepEqual(await eventuallyEmpty(() => processesWithTmpdir(tmp), 1_000), [], 'replicas left after stop()');
  });
});
