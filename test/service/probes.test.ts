import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LIVENESS_PATH, READINESS_PATH } from '../../charts/sweetshop-service.ts';
import { startApp } from './helpers.ts';

// Where infrastructure and service meet: the Deployment's probes must hit routes the service serves.
test('the chart probes paths the service answers: liveness 200, readiness 200 then 503 when draining', async () => {
  const app = await startApp();
  try {
    assert.notEqual(LIVENESS_PATH, READINESS_PATH, 'liveness and readiness must differ (a draining pod is alive but not ready)');
    assert.equal((await fetch(`${app.url}${LIVENESS_PATH}`, { headers: { connection: 'close' } })).status, 200);
    assert.equal((await fetch(`${app.url}${READINESS_PATH}`, { headers: { connection: 'close' } })).status, 200);
    app.deps.lifecycle.startDraining();
    assert.equal((await fetch(`${app.url}${READINESS_PATH}`, { headers: { connection: 'close' } })).status, 503);
    assert.equal((await fetch(`${app.url}${LIVENESS_PATH}`, { headers: { connection: 'close' } })).status, 200);
  } finally {
    await app.close();
  }
});
