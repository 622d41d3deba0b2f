import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import {
  controlSocketPath,
  fetchStatus,
  requestRolloutRestart,
  startControlServer,
  stopControlServer,
} from '../../tools/local/cli/control.ts';
import type { RolloutStep } from '../../tools/local/shop/shop.ts';
import { fakeShop } from './support/fake-shop.ts';

// The control API on its own, with a stand-in shop: no nginx, no replicas.
describe('control socket', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-control-test-'));
  const servers: Array<[Server, string]> = [];
  after(async () => {
    for (const [server, stateDir] of servers) await stopControlServer(server, stateDir);
    rmSync(work, { recursive: true, force: true });
  });

  test('status and a streamed rollout; a second shop on the same state directory is refused', async () => {
    const stateDir = join(work, 'running');
    const step: RolloutStep = { section: 'cakes', from: 'cakes-a-1', to: 'cakes-b-1', port: 20_001 };
    const server = await startControlServer(
      fakeShop(async (section, onStep) => {
        assert.equal(section, 'cakes');
        onStep?.(step);
        return [step];
      }),
      stateDir,
    );
    servers.push([server, stateDir]);

    assert.deepEqual(
      (await fetchStatus(stateDir)).replicas.map((r) => r.id),
      ['cakes-a-1'],
    );
    const seen: RolloutStep[] = [];
    assert.equal(await requestRolloutRestart(stateDir, 'cakes', (s) => seen.push(s)), 1);
    assert.deepEqual(seen, [step]);
    // If it wrongly starts, close it so the failure is an assertion, not a hanging test.
    const second = startControlServer(
      fakeShop(async () => []),
      stateDir,
    ).then((other) => stopControlServer(other, stateDir));
    await assert.rejects(second, new RegExp(`a local shop is already running \\(pid ${process.pid}, http://127\\.0\\.0\\.1:1\\)`));
  });

  test("the shop's rollout error reaches the caller", async () => {
    const stateDir = join(work, 'failing');
    const server = await startControlServer(
      fakeShop(() => Promise.reject(new Error('a rollout is already in progress'))),
      stateDir,
    );
    servers.push([server, stateDir]);
    await assert.rejects(
      requestRolloutRestart(stateDir, undefined, () => undefined),
      /^Error: a rollout is already in progress$/,
    );
  });

  test('requests off the API get a JSON 404 or 405 naming what is wrong', async () => {
    const stateDir = join(work, 'refusing');
    const server = await startControlServer(
      fakeShop(async () => []),
      stateDir,
    );
    servers.push([server, stateDir]);
    const ask = (method: string, path: string): Promise<{ status: number; allow: string | undefined; body: unknown }> =>
      new Promise((resolve, reject) => {
        const req = request({ socketPath: controlSocketPath(stateDir), method, path }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow, body: JSON.parse(body) }));
        });
        req.on('error', reject);
        req.end();
      });
    assert.deepEqual(await ask('GET', '//'), {
      status: 404,
      allow: undefined,
      body: { error: 'no "//" here (the control API has /status, /rollout-restart)' },
    });
    assert.deepEqual(await ask('GET', '/rollout-restart'), {
      status: 405,
      allow: 'POST',
      body: { error: '/rollout-restart takes POST, not GET' },
    });
    assert.equal((await ask('POST', '/rollout-restart?section=a&section=b')).status, 400);
  });

  test('a socket file nothing answers on (a killed supervisor) is replaced', async () => {
    const stateDir = join(work, 'stale');
    mkdirSync(stateDir);
    writeFileSync(controlSocketPath(stateDir), '');
    const server = await startControlServer(
      fakeShop(async () => []),
      stateDir,
    );
    servers.push([server, stateDir]);
    assert.equal((await fetchStatus(stateDir)).pid, process.pid);
  });
});
