import assert from 'node:assert/strict';
import { test } from 'node:test';

import { slowReplicaId } from '../../tools/bench/balancing.ts';

const replica = (section: string, id: string, port: number) => ({ section, id, port, pid: port, ready: true, restarts: 0 });

test('the slow replica is the one the bench gave the delay (the second chocolates replica), however fast each answers', () => {
  // As startLocalShop lists them: per section, in start order; other sections around them.
  const replicas = [
    replica('chocolates', 'chocolates-a', 8000),
    replica('chocolates', 'chocolates-b', 8001),
    replica('candies', 'candies-a', 8002),
  ];
  assert.equal(slowReplicaId(replicas), 'chocolates-b');
  assert.equal(slowReplicaId([replica('candies', 'candies-a', 8000), ...replicas.slice(0, 2)]), 'chocolates-b');
  assert.throws(() => slowReplicaId(replicas.slice(0, 1)), { message: 'balancing: the shop has no chocolates replica number 2' });
});
