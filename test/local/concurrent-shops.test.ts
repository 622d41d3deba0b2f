import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { ephemeralPort, randomReplicaBasePort } from '../../tools/local/ports.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { nginxPids, type RunningCli, replicaRows, startCli } from './support/cli.ts';
import { processesInGroups, processesWithTmpdir } from './support/processes.ts';
import { FIXTURES } from './support/test-shop.ts';

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

  function start(args: string[]): RunningCli {
    const run = startCli([...args, '--quiet', '--manifests', join(FIXTURES, 'chocolates-only')], { TMPDIR: tmp });
    started.push(run);
    return run;
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
    t.diagnostic(`${restarts.length} replicas started again on another port:\n${restarts.join('\n')}`);
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
});
