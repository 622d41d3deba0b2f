import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { pollUntil } from '../../tools/lib/poll-until.ts';
import { ephemeralPort } from '../../tools/lib/process/ports.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { type LoadResult, QUOTE_BODY, startLoad } from './support/load.ts';
import { isRunning } from './support/processes.ts';
import { FIXTURES, startTestShop } from './support/test-shop.ts';

// dist/'s HPA timings divided by 20: sync and metric window 0.75 s, scale-down window 15 s, scale-down
// period 3 s. Scale-in then needs about 15 + 3 s after the load stops; the bounds below are generous
// for a busy 2-core machine.
const SPEED = 20;
const SCALE_OUT_BOUND_MS = 30_000;
const SCALE_IN_BOUND_MS = 60_000;
const CHOCOLATES = [
  { method: 'GET', path: '/chocolates/items' },
  { method: 'POST', path: '/chocolates/quote', body: QUOTE_BODY },
] as const;

describe('--autoscale: the HPA from dist/ on the local replicas, under load', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  let shop: LocalShop;
  before(async () => {
    shop = await startTestShop({ manifestsDir: join(REPO_ROOT, 'dist'), replicaEnv: { LOG_LEVEL: 'warn' }, autoscale: { speed: SPEED } });
  });
  after(() => shop?.stop());

  test('chocolates scales out above its min under load and back to its min after it; 0 failed or non-2xx requests throughout', async (t) => {
    const chocolates = () => shop.sections.chocolates!;
    const min = chocolates().minReplicas!;
    const before = shop.replicas.filter((r) => r.section === 'chocolates');
    assert.equal(before.length, min, 'starts at the HPA minimum');

    // Heavy keep-alive load until the section has scaled out and every new replica is in nginx.
    const loadStart = Date.now();
    const heavy = startLoad({ url: shop.url, connections: 10, durationSeconds: 120, requests: CHOCOLATES });
    const inNginx = () => shop.replicas.filter((r) => r.section === 'chocolates' && !r.starting);
    const scaledOut = await pollUntil(
      () => chocolates().desiredReplicas > min && inNginx().length === chocolates().desiredReplicas,
      SCALE_OUT_BOUND_MS,
      100,
    );
    const scaleOutMs = Date.now() - loadStart;
    const peak = inNginx();
    // Let the new replicas take their share of the load before it stops.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    heavy.stop();
    const heavyResult = await heavy.finished;

    // A light load (20 requests/s, far below the target) keeps going through the scale-in and its drains.
    const idleStart = Date.now();
    const light = startLoad({ url: shop.url, connections: 2, durationSeconds: 120, requests: CHOCOLATES, overallRate: 20 });
    const scaledIn = await pollUntil(() => shop.replicas.filter((r) => r.section === 'chocolates').length === min, SCALE_IN_BOUND_MS, 200);
    const scaleInMs = Date.now() - idleStart;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    light.stop();
    const lightResult = await light.finished;

    t.diagnostic(
      `--hpa-speed ${SPEED}: ${min} -> ${peak.length} replicas ${(scaleOutMs / 1000).toFixed(1)} s after the load started, ` +
        `back to ${min} ${(scaleInMs / 1000).toFixed(1)} s after it stopped; ${summary(heavyResult)}; during scale-in ${summary(lightResult)}`,
    );
    assert.ok(scaledOut, `no scale-out within ${SCALE_OUT_BOUND_MS / 1000} s: ${JSON.stringify(chocolates())}`);
    assert.ok(scaledIn, `not back to ${min} within ${SCALE_IN_BOUND_MS / 1000} s: ${JSON.stringify(chocolates())}`);
    for (const result of [heavyResult, lightResult]) {
      assert.equal(result.errors, 0, 'connection errors or timeouts');
      assert.equal(result.non2xx, 0, 'non-2xx responses');
    }
    const added = peak.filter((r) => !before.some((b) => b.id === r.id));
    assert.ok(added.length > 0);
    for (const replica of added) assert.ok((heavyResult.byReplica[replica.id] ?? 0) > 0, `new replica ${replica.id} served nothing`);
    const removed = peak.filter((r) => !shop.replicas.some((now) => now.id === r.id));
    assert.equal(removed.length, peak.length - min);
    const exited = await pollUntil(() => removed.every((r) => !isRunning(r.pid)), 15_000, 100);
    assert.ok(exited, 'the replicas taken out drained and exited');
    assert.match(chocolates().lastScaleEvent ?? '', /^New size: 2; reason: All metrics below target$/);
  });
});

const PROBE = fileURLToPath(new URL('./support/probe-service.mjs', import.meta.url));
const PROBE_REQUESTS = [
  { method: 'GET', path: '/probe' },
  { method: 'POST', path: '/probe', body: '{}' },
] as const;

describe('--autoscale: a replica joins nginx only once ready, and leaves nginx before it is stopped', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  // The probe answers 500 before it is ready and after SIGTERM (nginx never retries a 500): with the
  // real service, nginx's retries hide a replica that gets traffic too early or too late.
  test('scaling 1 -> 3 -> 1 under load: 0 failed or non-2xx requests', async (t) => {
    const shop = await startTestShop({
      manifestsDir: join(FIXTURES, 'autoscale-probe'),
      serviceCommand: { executable: process.execPath, args: [PROBE], cwd: REPO_ROOT },
      autoscale: { speed: 15 },
    });
    try {
      const probe = () => shop.sections.probe!;
      const inNginx = () => shop.replicas.filter((r) => !r.starting).length;
      const heavy = startLoad({ url: shop.url, connections: 8, durationSeconds: 120, requests: PROBE_REQUESTS });
      const scaledOut = await pollUntil(() => probe().desiredReplicas === 3 && inNginx() === 3, SCALE_OUT_BOUND_MS, 100);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      heavy.stop();
      const heavyResult = await heavy.finished;
      const light = startLoad({ url: shop.url, connections: 2, durationSeconds: 120, requests: PROBE_REQUESTS, overallRate: 10 });
      const scaledIn = await pollUntil(() => shop.replicas.length === 1, SCALE_IN_BOUND_MS, 100);
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // past the stopped replicas' 2 s of answering 500
      light.stop();
      const lightResult = await light.finished;
      t.diagnostic(`under load ${summary(heavyResult)}; during scale-in ${summary(lightResult)}`);
      assert.ok(scaledOut, `no scale-out to 3: ${JSON.stringify(probe())}`);
      assert.ok(scaledIn, `not back to 1: ${JSON.stringify(probe())}`);
      assert.equal(Object.keys(heavyResult.byReplica).length, 3, 'all three replicas served');
      for (const result of [heavyResult, lightResult]) {
        assert.deepEqual(Object.keys(result.byMethodAndStatus).sort(), ['GET 200', 'POST 200']);
        assert.equal(result.errors, 0, 'connection errors or timeouts');
      }
    } finally {
      await shop.stop();
    }
  });

  test('the probe does fail a request before it is ready and after SIGTERM (so the test above can fail)', async () => {
    const port = await ephemeralPort();
    const child = spawn(process.execPath, [PROBE], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', READY_DELAY_MS: '1000' },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const status = () =>
        fetch(`http://127.0.0.1:${port}/probe`).then(
          (r) => r.status,
          () => 0,
        );
      assert.ok(await pollUntil(async () => (await status()) === 500, 5_000, 20), 'not ready: 500');
      assert.ok(await pollUntil(async () => (await status()) === 200, 5_000, 50), 'ready: 200');
      child.kill('SIGTERM');
      assert.ok(await pollUntil(async () => (await status()) === 500, 1_500, 20), 'after SIGTERM (delivered asynchronously): 500');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});

function summary(result: LoadResult): string {
  return `${result.responses} responses, ${result.errors} errors, ${result.non2xx} non-2xx, per replica ${JSON.stringify(result.byReplica)}`;
}
