// The replica's idle keep-alive and the load balancers' upstream idle timeout are a pair: the balancer
// must give up an idle connection first (config/vocabulary.ts). The service keeps its own copy
// of the number (its image builds service/ alone); this keeps the two equal.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BALANCER_IDLE_TIMEOUT_SECONDS, SERVICE_KEEP_ALIVE_SECONDS } from '../../config/vocabulary.ts';
import { SERVER_TIMEOUTS } from '../../service/src/http-server.ts';

test("the service's keep-alive is the vocabulary's, and above the balancers' upstream idle timeout", () => {
  assert.equal(SERVER_TIMEOUTS.keepAliveMs, SERVICE_KEEP_ALIVE_SECONDS * 1000);
  assert.ok(BALANCER_IDLE_TIMEOUT_SECONDS < SERVICE_KEEP_ALIVE_SECONDS);
});
