import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { convergeSection, type ScalingHost, type SectionReplicas } from '../../tools/local/shop/section-scaling.ts';
import type { ReplicaProcess } from '../../tools/local/supervisor/replica-process.ts';

// Stand-in replicas whose readiness the test decides, and a host that logs what reaches nginx and when.
function fakeReplica(id: string, readyAt: number | undefined, ready: Promise<void> = Promise.resolve()): ReplicaProcess {
  return { id, port: 1, readyAt, exit: undefined, waitReady: () => ready } as unknown as ReplicaProcess;
}

function fakeHost(replicas: SectionReplicas, spawned: ReplicaProcess[]) {
  const log: string[] = [];
  const host: ScalingHost = {
    isStopping: () => false,
    readyTimeoutMs: 1_000,
    spawn: async () => {
      const replica = spawned.shift()!;
      log.push(`spawn ${replica.id}`);
      return replica;
    },
    reloadBalancer: async () => {
      log.push(`nginx ${replicas.inNginx.map((r) => r.id).join(',')}`);
    },
    retire: async (replica) => {
      log.push(`SIGTERM ${replica.id}`);
    },
    emit: () => undefined,
  };
  return { host, log };
}

describe('convergeSection (a ReplicaSet on local replicas)', () => {
  test('scale-out: a new replica reaches nginx only after it is ready', async () => {
    let becomeReady!: () => void;
    const ready = new Promise<void>((resolve) => {
      becomeReady = resolve;
    });
    const replicas: SectionReplicas = { section: 's', inNginx: [fakeReplica('a', 1)], starting: new Set() };
    const { host, log } = fakeHost(replicas, [fakeReplica('b', undefined, ready)]);
    const converged = convergeSection(host, replicas, () => 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['spawn b'], 'not in nginx while it starts');
    assert.deepEqual(
      [...replicas.starting].map((r) => r.id),
      ['b'],
    );
    becomeReady();
    await converged;
    assert.deepEqual(log, ['spawn b', 'nginx a,b']);
    assert.equal(replicas.starting.size, 0);
  });

  test('scale-in: the replica leaves nginx first (reload done), then gets SIGTERM; gone first, then the newest', async () => {
    const gone = { ...fakeReplica('gone', 2), exit: { code: 1, signal: null } } as unknown as ReplicaProcess;
    const replicas: SectionReplicas = {
      section: 's',
      inNginx: [fakeReplica('old', 1), gone, fakeReplica('newest', 3), fakeReplica('middle', 2)],
      starting: new Set(),
    };
    const { host, log } = fakeHost(replicas, []);
    await convergeSection(host, replicas, () => 2);
    assert.deepEqual(log, ['nginx old,middle', 'SIGTERM gone', 'SIGTERM newest']);
  });

  test('a replica that never gets ready is stopped and never reaches nginx; the rest waits for the next call', async () => {
    const replicas: SectionReplicas = { section: 's', inNginx: [fakeReplica('a', 1)], starting: new Set() };
    const failing = fakeReplica('b', undefined, Promise.reject(new Error('replica b was not ready within 1 s')));
    const { host, log } = fakeHost(replicas, [failing, fakeReplica('c', undefined)]);
    await convergeSection(host, replicas, () => 2);
    assert.deepEqual(log, ['spawn b', 'SIGTERM b']);
    assert.deepEqual(
      replicas.inNginx.map((r) => r.id),
      ['a'],
    );
    await convergeSection(host, replicas, () => 2);
    assert.deepEqual(log.slice(2), ['spawn c', 'nginx a,c']);
  });
});
