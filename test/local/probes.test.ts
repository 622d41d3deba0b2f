import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { pollUntil } from '../../tools/lib/poll-until.ts';
import { readShopManifests } from '../../tools/local/manifests/read-manifests.ts';
import type { LocalReplica, LocalShop } from '../../tools/local/shop/shop.ts';
import { ProbeCounter, readProbe } from '../../tools/local/supervisor/probes.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { upstreamPorts } from './support/balancer-config.ts';
import { FIXTURES, startTestShop } from './support/test-shop.ts';

test('a probe flips after failureThreshold failures in a row and back after successThreshold successes in a row', () => {
  const counter = new ProbeCounter({ failureThreshold: 2, successThreshold: 3 }, true);
  assert.deepEqual(
    [false, true, false, false, true, true, false, true, true, true].map((ok) => counter.record(ok)),
    [undefined, undefined, undefined, false, undefined, undefined, undefined, undefined, undefined, true],
  );
});

test("the manifests' probes are read with Kubernetes' defaults; what local mode cannot run is refused, naming it", () => {
  const chocolates = readShopManifests(join(FIXTURES, 'probed')).deployments[0]!;
  assert.deepEqual(chocolates.readinessProbe, {
    path: '/readyz',
    periodSeconds: 1,
    timeoutSeconds: 1,
    failureThreshold: 2,
    successThreshold: 1,
    initialDelaySeconds: 0,
  });
  assert.equal(chocolates.terminationGracePeriodSeconds, 2);
  assert.deepEqual(readProbe({ livenessProbe: { httpGet: { path: '/livez' } } }, 'livenessProbe', 'x'), {
    path: '/livez',
    periodSeconds: 10,
    timeoutSeconds: 1,
    failureThreshold: 3,
    successThreshold: 1,
    initialDelaySeconds: 0,
  });
  assert.equal(readProbe({}, 'readinessProbe', 'x'), undefined);
  assert.throws(
    () => readProbe({ readinessProbe: { exec: { command: ['true'] } } }, 'readinessProbe', 'd'),
    /d: readinessProbe: local mode runs httpGet probes only \(it has exec\)/,
  );
  assert.throws(
    () => readProbe({ readinessProbe: { httpGet: {}, periodSeconds: 0 } }, 'readinessProbe', 'd'),
    /d: readinessProbe\.periodSeconds 0: expected an integer 1\.\.3600/,
  );
  assert.throws(
    () => readProbe({ livenessProbe: { httpGet: {}, successThreshold: 2 } }, 'livenessProbe', 'd'),
    /must be 1 for a livenessProbe/,
  );
  assert.throws(() => readProbe({ readinessProbe: { httpGet: { path: 'readyz;' } } }, 'readinessProbe', 'd'), /httpGet\.path "readyz;"/);
});

interface Sample {
  readonly start: number;
  readonly end: number;
  readonly status: number; // 0: no answer (a connection error)
  readonly servedBy: string | null;
}

describe('probes like the kubelet: a hung replica leaves nginx and comes back; liveness restarts it', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  let shop: LocalShop;
  const stopped = new Set<number>();
  const events: string[] = [];
  let clientOn = true;
  before(async () => {
    shop = await startTestShop({
      manifestsDir: join(FIXTURES, 'probed'),
      onEvent: (event) => {
        if (event.type === 'message') events.push(event.message);
      },
    });
  });
  after(async () => {
    clientOn = false;
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // restarted meanwhile
      }
    }
    await shop?.stop();
  });

  const chocolates = (): LocalReplica[] => shop.replicas.filter((r) => r.section === 'chocolates');
  const byId = (id: string): LocalReplica | undefined => shop.replicas.find((r) => r.id === id);
  const until = async (what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> => {
    assert.ok(
      await pollUntil(check, timeoutMs, 50),
      `${what} within ${timeoutMs / 1000} s; status: ${JSON.stringify(chocolates())}; events:\n${events.join('\n')}`,
    );
  };

  test('SIGSTOP of one of 2 replicas under a steady client: not ready, out of the upstream, later requests succeed; SIGCONT: ready and back', async (t) => {
    const [kept, hung] = chocolates();
    assert.ok(kept && hung);
    const samples: Sample[] = [];
    // 4 sequential clients; a request nginx sent to the hung replica waits for it (or nginx's 60 s read timeout).
    const clients = Array.from({ length: 4 }, async () => {
      while (clientOn) {
        const start = Date.now();
        const sample = await fetch(`${shop.url}/chocolates`).then(
          async (r) => ({ status: r.status, servedBy: r.headers.get('x-served-by'), body: await r.arrayBuffer() }),
          () => ({ status: 0, servedBy: null }),
        );
        samples.push({ start, end: Date.now(), status: sample.status, servedBy: sample.servedBy });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 500));

    process.kill(hung.pid, 'SIGSTOP');
    stopped.add(hung.pid);
    const hungAt = Date.now();
    await until(`${hung.id} marked not ready`, () => byId(hung.id)?.ready === false);
    const outAt = Date.now();
    // The status flips first; the reload that takes it out of nginx follows, then the event.
    await until(
      `${hung.id} out of nginx`,
      () => events.some((e) => e.startsWith(`replica ${hung.id}`) && e.endsWith('out of nginx until it passes')),
      5_000,
    );
    const outOfNginxAt = Date.now();
    assert.deepEqual(upstreamPorts('chocolates'), [kept.port], 'the hung replica is still in the upstream');
    // New requests go to the replica that answers.
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${shop.url}/chocolates`);
      await response.arrayBuffer();
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-served-by'), kept.id);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    process.kill(hung.pid, 'SIGCONT');
    stopped.delete(hung.pid);
    const resumedAt = Date.now();
    await until(`${hung.id} ready again`, () => byId(hung.id)?.ready === true);
    await until(
      `${hung.id} back in nginx`,
      () => events.some((e) => e.startsWith(`replica ${hung.id}`) && e.endsWith('again: back in nginx')),
      5_000,
    );
    assert.deepEqual(upstreamPorts('chocolates'), [kept.port, hung.port].sort(), 'the replica is not back in the upstream');
    assert.equal(byId(hung.id)!.restarts, 0, 'a short hang is a readiness matter, not a restart');
    clientOn = false;
    await Promise.all(clients);

    // The figure docs/local-mode.md quotes: what the clients saw while the replica hung.
    const during = samples.filter((s) => s.end >= hungAt && s.start <= resumedAt);
    const failed = during.filter((s) => s.status !== 200).length;
    const slow = during.filter((s) => s.end - s.start > 1_000);
    const latencies = during.map((s) => s.end - s.start).sort((a, b) => a - b);
    // A request nginx sent to the hung replica is answered by it once it resumes: none started after it left nginx may be.
    const stuckAfterOut = samples.filter((s) => s.start >= outOfNginxAt && s.start <= resumedAt && s.servedBy === hung.id).length;
    t.diagnostic(
      `hang of ${((resumedAt - hungAt) / 1000).toFixed(1)} s; marked not ready ${outAt - hungAt} ms and out of nginx ${outOfNginxAt - hungAt} ms after SIGSTOP (period 1 s x failureThreshold 2); ` +
        `${during.length} requests overlapped the hang: ${failed} failed, ${slow.length} took over 1 s (waiting on the hung replica, answered after SIGCONT), ` +
        `p50 ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms; ${stuckAfterOut} of the requests started after it left nginx were answered by it`,
    );
    assert.equal(stuckAfterOut, 0, 'a request started after the replica left nginx still went to it');
  });

  test('a livenessProbe failing failureThreshold times restarts the replica: same name, new process, restarts 1, ready again', async () => {
    const [victim] = chocolates();
    assert.ok(victim);
    process.kill(victim.pid, 'SIGSTOP');
    stopped.add(victim.pid);
    await until(
      `${victim.id} restarted and back in nginx`,
      () => events.some((e) => e.startsWith(`replica ${victim.id} restarted (restart 1`)),
      40_000,
    );
    assert.equal(byId(victim.id)?.restarts, 1);
    assert.equal(byId(victim.id)?.ready, true);
    stopped.delete(victim.pid);
    const restarted = byId(victim.id)!;
    assert.notEqual(restarted.pid, victim.pid);
    assert.deepEqual(
      upstreamPorts('chocolates'),
      chocolates()
        .map((r) => r.port)
        .sort(),
    );
    const response = await fetch(`${shop.url}/chocolates`);
    await response.arrayBuffer();
    assert.equal(response.status, 200);
  });
});
