import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Autoscaler, checkHpaSpeed, podState, type ReplicaTiming, type ScaleTarget } from '../../tools/local/hpa/autoscaler.ts';
import { DEFAULT_SCALE_UP_RULES } from '../../tools/local/hpa/autoscaler-spec.ts';
import { CpuMetrics } from '../../tools/local/hpa/cpu-metrics.ts';
import { DEFAULT_TOLERANCES } from '../../tools/local/hpa/replica-calculator.ts';
import { scaleDownOrder } from '../../tools/local/shop/scale-down-order.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('CpuMetrics (metrics-server from /proc)', () => {
  test('usage is the rate between the last two scrapes, in millicores, rounded up; none before the second', () => {
    const cpu = new Map([[7, 1.0]]);
    const metrics = new CpuMetrics((pid) => cpu.get(pid));
    metrics.scrape([{ id: 'a', pid: 7 }], T0);
    assert.equal(metrics.usageOf('a'), undefined, 'one sample is no rate yet');
    cpu.set(7, 1.0 + 0.03); // 30 ms of CPU in the next 750 ms: 40m
    metrics.scrape([{ id: 'a', pid: 7 }], T0 + 750);
    assert.deepEqual(metrics.usageOf('a'), { milliCores: 40, at: T0 + 750, windowMs: 750 });
    cpu.set(7, 1.03 + 0.01 / 3);
    metrics.scrape([{ id: 'a', pid: 7 }], T0 + 1_750);
    assert.equal(metrics.usageOf('a')?.milliCores, 4, '3.33m reads as 4m');
  });

  test('a replica that is gone, or no longer scraped, loses its metric', () => {
    const cpu = new Map([
      [7, 1],
      [8, 1],
    ]);
    const metrics = new CpuMetrics((pid) => cpu.get(pid));
    const both = [
      { id: 'a', pid: 7 },
      { id: 'b', pid: 8 },
    ];
    metrics.scrape(both, T0);
    metrics.scrape(both, T0 + 1_000);
    cpu.delete(7);
    metrics.scrape(both, T0 + 2_000);
    assert.equal(metrics.usageOf('a'), undefined);
    metrics.scrape([], T0 + 3_000);
    assert.equal(metrics.usageOf('b'), undefined);
  });
});

test('podState: a starting replica is Running and not Ready; Ready from its first 200 on /readyz until it exits', () => {
  const at = (ms: number) => ms * 10;
  const replica: ReplicaTiming = { id: 'x', pid: 1, startedAt: 5, readyAt: undefined, exitedAt: undefined };
  assert.deepEqual(podState(replica, 50, at), {
    name: 'x',
    phase: 'Running',
    ready: { status: false, lastTransitionTime: 50 },
    startTime: 50,
    cpuRequestMilli: 50,
  });
  assert.deepEqual(podState({ ...replica, readyAt: 6 }, 50, at).ready, { status: true, lastTransitionTime: 60 });
  assert.deepEqual(podState({ ...replica, readyAt: 6, exitedAt: 9 }, 50, at).ready, { status: false, lastTransitionTime: 90 });
});

test('scaleDownOrder: gone or never-ready replicas first, then the one ready for the shortest time', () => {
  const order = scaleDownOrder([
    { id: 'old', readyAt: 1 },
    { id: 'new', readyAt: 3 },
    { id: 'gone', readyAt: 2, exit: { code: 1, signal: null } },
    { id: 'middle', readyAt: 2 },
  ]);
  assert.deepEqual(
    order.map((r) => r.id),
    ['gone', 'new', 'middle', 'old'],
  );
});

test('--hpa-speed: a number from 1 to 60', () => {
  assert.equal(checkHpaSpeed(2.5), 2.5);
  for (const bad of [0, 0.5, 61, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => checkHpaSpeed(bad), /--hpa-speed .*: expected a number from 1 to 60/);
  }
});

describe('Autoscaler: the controller on a clock --hpa-speed times faster (mocked timers)', () => {
  test('speed 20: metric window and sync 0.75 s; out on the first loaded sync; in after 300/20 s, then a step per 60/20 s', (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: T0 });
    // A section whose replicas are ready at once; each uses `milli` millicores of CPU.
    let milli = 200;
    const cpu = new Map<number, number>();
    const replicas: ReplicaTiming[] = [];
    let nextPid = 100;
    const add = () =>
      replicas.push({
        id: `chocolates-${nextPid}`,
        pid: nextPid++,
        startedAt: Date.now() - 600_000,
        readyAt: Date.now() - 600_000,
        exitedAt: undefined,
      });
    add();
    add();
    let wanted = 2;
    const changes: string[] = [];
    const target: ScaleTarget = {
      replicasOf: () => replicas,
      wantedReplicas: () => wanted,
      setReplicas: (_section, n) => {
        if (n !== wanted) changes.push(`${(Date.now() - T0) / 1000}s: ${wanted} -> ${n}`);
        wanted = n;
        while (replicas.length < n) add();
        replicas.length = n;
      },
    };
    const autoscaler = new Autoscaler(
      [
        {
          name: 'chocolates',
          target: 'chocolates',
          minReplicas: 2,
          maxReplicas: 4,
          targetCPUUtilization: 70,
          behavior: {
            scaleUp: DEFAULT_SCALE_UP_RULES,
            scaleDown: {
              stabilizationWindowSeconds: 300,
              selectPolicy: 'Max',
              policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }],
            },
          },
          tolerances: DEFAULT_TOLERANCES,
          cpuRequestMilli: 50,
        },
      ],
      target,
      { speed: 20, onEvent: () => undefined },
      new CpuMetrics((pid) => cpu.get(pid) ?? 0),
    );
    const run = (ms: number) => {
      for (let step = 0; step < ms; step += 250) {
        for (const r of replicas) cpu.set(r.pid, (cpu.get(r.pid) ?? 0) + (milli / 1000) * 0.25);
        t.mock.timers.tick(250);
      }
    };
    autoscaler.start();
    assert.deepEqual(
      [autoscaler.statuses[0]!.desiredReplicas, autoscaler.statuses[0]!.cpuUtilization],
      [2, undefined],
      'before the first sync: the starting count, cpu <unknown>',
    );
    run(3_000); // loaded
    milli = 2;
    run(30_000); // idle
    autoscaler.stop();
    // Out on the first sync (0.75 s). The last recommendation of 4 is from 3.0 s: 300 s later on the
    // HPA's clock is 15 s later here (18.0 s); the next step waits for 60 s / 20 = 3 s.
    assert.deepEqual(changes, ['0.75s: 2 -> 4', '18s: 4 -> 3', '21s: 3 -> 2']);
    assert.equal(autoscaler.statuses[0]!.desiredReplicas, 2);
  });
});
