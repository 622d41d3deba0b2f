// The spike benchmark's bookkeeping, on made-up samples: which responses fall before, during and after
// the step, and when the HPA's replicas count as all ready.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type Offered, type Sample, summarizeRun } from '../../tools/bench/spike.ts';

const STARTED = 1_000_000;
const at = (sec: number) => STARTED + sec * 1000;
const offered = (responses: [number, number][]): Offered => ({
  responses: responses.map(([sec, latencyMs]) => ({ at: at(sec), latencyMs })),
  errors: 0,
  non2xx: 0,
});
const samples = (...points: [number, number, number][]): Sample[] => points.map(([atSec, ready, desired]) => ({ atSec, ready, desired }));

test('phases: before the step, during it until the last rise of the HPA is ready, after that', () => {
  const run = summarizeRun(
    {
      speed: 1,
      started: STARTED,
      stepAt: at(10),
      samples: samples([0, 2, 2], [10, 2, 2], [15, 2, 3], [17, 3, 3], [30, 3, 4], [32, 4, 4], [40, 4, 4]),
    },
    offered([
      [5, 1],
      [9, 2],
    ]),
    offered([
      [11, 8],
      [20, 9],
      [31, 10],
      [33, 3],
      [39, 4],
    ]),
  );
  assert.equal(run.replicasAtStep, 2);
  assert.equal(run.secondsUntilReady, 22, 'the last rise (to 4) at 30 s, ready at 32 s, the step at 10 s');
  assert.deepEqual([run.before.responses, run.during.responses, run.after.responses], [2, 3, 2]);
  assert.equal(run.during.p99Ms, 10);
  assert.equal(run.after.p50Ms, 4);
});

test('an HPA that never scales after the step, or whose replicas never get ready, has no ready time and no "after"', () => {
  const flat = summarizeRun(
    { speed: 5, started: STARTED, stepAt: at(6), samples: samples([0, 2, 2], [20, 2, 2]) },
    offered([]),
    offered([[7, 1]]),
  );
  assert.equal(flat.secondsUntilReady, null);
  assert.equal(flat.after.responses, 0);
  const stuck = summarizeRun(
    { speed: 5, started: STARTED, stepAt: at(6), samples: samples([0, 2, 2], [8, 2, 4], [20, 3, 4]) },
    offered([]),
    offered([[7, 1]]),
  );
  assert.equal(stuck.secondsUntilReady, null);
});
