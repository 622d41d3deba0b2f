import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { pollUntil } from '../../tools/lib/poll-until.ts';
import { ephemeralPort, randomReplicaBasePort } from '../../tools/lib/process/ports.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { nginxPids, type RunningCli, replicaRows, startCli } from './support/cli.ts';
import { eventuallyEmpty, processesInGroups, processesWithTmpdir } from './support/processes.ts';
import { FIXTURES, startTestShop } from './support/test-shop.ts';

// Two `npm run local` started at the same moment on one machine, as two terminals (or two test runs) do:
// each must serve its own replicas only, or refuse to start, never route to the other's.

/** X-Served-By of `count` sequential GETs; a status other than 200 is recorded as `status <n>`. */
async function servedBy(url: string, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(url);
    await response.arrayBuffer();
    seen.push(response.status === 200 ? (response.headers.get('x-served-by') ?? '(none)') : `status ${response.status}`);
  }
  return seen;
}

describe('two local shops started at the same moment', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-local-concurrent-test-'));
  const tmp = join(work, 'tmp');
  mkdirSync(tmp);
  const started: RunningCli[] = [];
  after(() => {
    for (const run of started) run.child.kill('SIGKILL');
    const nginx = started.flatMap((run) => nginxPids(run.output()));
    for (const pid of [...processesWithTmpdir(tmp), ...processesInGroups(nginx)]) process.kill(pid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  /** Each run gets a TMPDIR of its own (under `tmp`): its replicas and temp directory are found by it. */
  function start(args: string[]): RunningCli & { tmp: string } {
    const own = mkdtempSync(join(tmp, 'run-'));
    const run = startCli([...args, '--quiet', '--manifests', join(FIXTURES, 'chocolates-only')], { TMPDIR: own });
    started.push(run);
    return { ...run, tmp: own };
  }

  async function assertLeftNothing(run: RunningCli & { tmp: string }): Promise<void> {
    assert.deepEqual(await eventuallyEmpty(() => processesWithTmpdir(run.tmp)), [], `replicas left by:\n${run.output()}`);
    assert.deepEqual(
      readdirSync(run.tmp).filter((name) => name.startsWith('sweetshop-local-')),
      [],
      'temp directory left',
    );
  }

  /** Resolves 'started' once the table is printed, else the exit code of a start that failed. */
  function outcome(run: RunningCli): Promise<'started' | number | NodeJS.Signals | null> {
    return Promise.race([run.waitFor(/stop: Ctrl-C/).then(() => 'started' as const), run.exited]);
  }

  test('with the same --replica-port: both start, on distinct replica ports, and each only ever answers with its own replicas', async (t) => {
    const replicaPort = String(randomReplicaBasePort());
    const ports = [await ephemeralPort(), await ephemeralPort()];
    const runs = ports.map((port, i) =>
      start(['--port', String(port), '--replica-port', replicaPort, '--state-dir', join(work, `state-replica-port-${i}`)]),
    );
    const outcomes = await Promise.all(runs.map(outcome));
    assert.deepEqual(outcomes, ['started', 'started'], runs.map((run) => run.output()).join('\n----\n'));

    // The race this is about: both found the same ports free, and a replica of one lost its port to the other.
    const restarts = runs.flatMap((run) => run.output().match(/.*again on another port/g) ?? []);
    t.diagnostic(`${restarts.length} replicas started again on another port (expected: the race this test is about)`);
    const rows = runs.map((run) => replicaRows(run.output()));
    const replicaPorts = rows.flat().map((row) => row.port);
    assert.equal(new Set(replicaPorts).size, 4, `replica ports overlap: ${replicaPorts.join(', ')}`);
    for (const [i, port] of ports.entries()) {
      const own = rows[i]!.map((row) => row.id);
      const seen = await servedBy(`http://127.0.0.1:${port}/chocolates`, 20);
      assert.deepEqual(
        seen.filter((id) => !own.includes(id)),
        [],
        `shop ${i} (own replicas ${own.join(', ')}) answered from elsewhere`,
      );
    }

    // Once the second shop has stopped, the first still answers from its own replicas.
    runs[1]!.child.kill('SIGTERM');
    assert.equal(await runs[1]!.exited, 0, runs[1]!.output());
    const own = rows[0]!.map((row) => row.id);
    const seen = await servedBy(`http://127.0.0.1:${ports[0]}/chocolates`, 20);
    assert.deepEqual(
      seen.filter((id) => !own.includes(id)),
      [],
      'the first shop lost replicas when the second stopped',
    );
    runs[0]!.child.kill('SIGTERM');
    assert.equal(await runs[0]!.exited, 0, runs[0]!.output());
  });

  test('with the same --port: exactly one starts; the other exits 1 naming the port, and leaves nothing running', async () => {
    const port = await ephemeralPort();
    const runs = [0, 1].map((i) =>
      start(['--port', String(port), '--replica-port', String(randomReplicaBasePort()), '--state-dir', join(work, `state-port-${i}`)]),
    );
    const outcomes = await Promise.all(runs.map(outcome));
    assert.deepEqual([...outcomes].sort(), [1, 'started'], runs.map((run) => run.output()).join('\n----\n'));
    const winner = runs[outcomes.indexOf('started')]!;
    const loser = runs[outcomes.indexOf(1)]!;
    assert.match(loser.output(), new RegExp(`^local: .*port ${port} is already in use on 127\\.0\\.0\\.1`, 'm'));
    await assertLeftNothing(loser);
    const own = replicaRows(winner.output()).map((row) => row.id);
    assert.deepEqual(
      (await servedBy(`http://127.0.0.1:${port}/chocolates`, 10)).filter((id) => !own.includes(id)),
      [],
    );
    winner.child.kill('SIGTERM');
    assert.equal(await winner.exited, 0, winner.output());
  });

  test('with the same --state-dir: exactly one starts; the other exits 1 saying a shop is already running or starting', async () => {
    const stateDir = join(work, 'state-shared');
    const runs = [0, 1].map(async () =>
      start(['--port', String(await ephemeralPort()), '--replica-port', String(randomReplicaBasePort()), '--state-dir', stateDir]),
    );
    const started = await Promise.all(runs);
    const outcomes = await Promise.all(started.map(outcome));
    assert.deepEqual([...outcomes].sort(), [1, 'started'], started.map((run) => run.output()).join('\n----\n'));
    const winner = started[outcomes.indexOf('started')]!;
    const loser = started[outcomes.indexOf(1)]!;
    assert.match(
      loser.output(),
      new RegExp(`^local: a local shop is already running or starting \\(pid ${winner.child.pid}, holding `, 'm'),
    );
    await assertLeftNothing(loser);
    winner.child.kill('SIGTERM');
    assert.equal(await winner.exited, 0, winner.output());
  });

  test('from code, with the same processFile at the same moment: exactly one startLocalShop resolves', async () => {
    const processFile = join(work, 'shared-processes.json');
    const options = { processFile, manifestsDir: join(FIXTURES, 'chocolates-only') };
    const results = await Promise.allSettled([startTestShop(options), startTestShop(options)]);
    const shops = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    await Promise.all(shops.map((shop) => shop.stop()));
    assert.equal(shops.length, 1, `both started: ${errors.join('; ')}`);
    assert.match(
      errors[0]!,
      new RegExp(`^a local shop is already running or starting \\(pid ${process.pid}, holding .*shared-processes\\.json\\)`),
    );
  });

  test('a replica killed with -9 leaves nginx: a process that takes its port afterwards (another shop) gets none of the traffic', async (t) => {
    const messages: string[] = [];
    const shop = await startTestShop({
      manifestsDir: join(FIXTURES, 'chocolates-only'),
      onEvent: (event) => {
        if (event.type === 'message') messages.push(event.message);
      },
    });
    const intruder = createServer((_req, res) => res.writeHead(200, { 'x-served-by': 'intruder' }).end('{}'));
    try {
      const [victim, survivor] = shop.replicas;
      process.kill(victim!.pid, 'SIGKILL');
      await pollUntil(() => shop.replicas[0]!.exit !== undefined, 5_000, 25);
      // Another shop's replica binding the freed port, as reservePort elsewhere would hand it out.
      await new Promise<void>((resolve, reject) => intruder.once('error', reject).listen(victim!.port, '127.0.0.1', resolve));
      const out = await pollUntil(() => messages.some((m) => m.includes(`${victim!.id} out of nginx`)), 5_000, 25);
      t.diagnostic(messages.filter((m) => m.includes(victim!.id)).join('; '));
      const seen = await servedBy(`${shop.url}/chocolates`, 20);
      assert.deepEqual(new Set(seen), new Set([survivor!.id]));
      assert.ok(out, `no "out of nginx" for ${victim!.id}:\n${messages.join('\n')}`);
      assert.equal(shop.replicas[0]!.exit?.signal, 'SIGKILL', 'still listed as gone');
    } finally {
      intruder.close();
      await shop.stop();
    }
  });
});
