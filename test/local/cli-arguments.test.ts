import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { startControlServer, stopControlServer } from '../../tools/local/control.ts';
import { type CliFailure, cli } from './support/cli.ts';
import { fakeShop } from './support/fake-shop.ts';

// The CLI's argument checks against a stand-in shop on the control socket: no nginx needed.
describe('npm run local -- rollout restart: arguments are checked before anything is printed or asked', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-local-args-test-'));
  const stateDir = join(work, 'state');
  const rollouts: Array<string | undefined> = [];
  let server: Server | undefined;
  after(async () => {
    if (server) await stopControlServer(server, stateDir);
    rmSync(work, { recursive: true, force: true });
  });

  function refused(stderr: string) {
    return (error: CliFailure): boolean => {
      assert.equal(error.code, 1);
      assert.equal(error.stdout, '', 'no banner before the error');
      assert.equal(error.stderr, stderr);
      return true;
    };
  }

  test('without a running shop: one error saying how to start one, no banner', async () => {
    await assert.rejects(
      cli(['rollout', 'restart', '--state-dir', join(work, 'nothing-here')]),
      refused(
        `local: no local shop is running (nothing answers on ${join(work, 'nothing-here', 'control.sock')}): start one with \`npm run local\`\n`,
      ),
    );
  });

  test('an unknown section: one error naming the sections of the running shop, no banner, no rollout asked for', async () => {
    server = await startControlServer(
      fakeShop(async (section) => {
        rollouts.push(section);
        return [];
      }),
      stateDir,
    );
    await assert.rejects(
      cli(['rollout', 'restart', 'fudge', '--state-dir', stateDir]),
      refused('local: rollout restart: unknown section fudge (the running shop has cakes)\n'),
    );
    assert.deepEqual(rollouts, []);
  });

  test('a wrong verb or an extra argument: the usage line, no banner', async () => {
    const usage = 'local: usage: npm run local -- rollout restart [section]\n';
    await assert.rejects(cli(['rollout', 'start', '--state-dir', stateDir]), refused(usage));
    await assert.rejects(cli(['rollout', 'restart', 'cakes', 'candies', '--state-dir', stateDir]), refused(usage));
    assert.deepEqual(rollouts, []);
  });

  test('a known section still rolls out, after the banner', async () => {
    const { stdout } = await cli(['rollout', 'restart', 'cakes', '--state-dir', stateDir]);
    assert.match(stdout, /^rollout restart cakes: one replica at a time/);
    assert.deepEqual(rollouts, ['cakes']);
  });
});
