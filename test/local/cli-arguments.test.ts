import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { randomReplicaBasePort } from '../../tools/lib/process/ports.ts';
import { startControlServer, stopControlServer } from '../../tools/local/cli/control.ts';
import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { type CliFailure, cli } from './support/cli.ts';
import { fakeShop } from './support/fake-shop.ts';
import { FIXTURES } from './support/test-shop.ts';

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

describe('npm run local -- --autoscale and status: arguments and output, without nginx', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-local-autoscale-args-test-'));
  const stateDir = join(work, 'state');
  let server: Server | undefined;
  after(async () => {
    if (server) await stopControlServer(server, stateDir);
    rmSync(work, { recursive: true, force: true });
  });

  test('--hpa-speed without --autoscale, or out of range: one error line, nothing started', async () => {
    const failsWith = (stderr: string) => (error: CliFailure) => {
      assert.equal(error.code, 1);
      assert.equal(error.stdout, '');
      assert.equal(error.stderr, stderr);
      return true;
    };
    await assert.rejects(
      cli(['--hpa-speed', '20', '--state-dir', stateDir]),
      failsWith('local: --hpa-speed only applies with --autoscale\n'),
    );
    await assert.rejects(
      cli(['--autoscale', '--hpa-speed', '0', '--state-dir', stateDir]),
      failsWith('local: --hpa-speed 0: expected a number from 1 to 60 (it divides every HPA period and window)\n'),
    );
  });

  test('--autoscale on manifests whose HPA it cannot run: every problem named before anything starts', async () => {
    const args = ['--autoscale', '--manifests', join(FIXTURES, 'chocolates-only'), '--port', '0', '--state-dir', stateDir];
    await assert.rejects(cli(args), (error: CliFailure) => {
      assert.equal(error.code, 1);
      assert.match(
        error.stderr,
        /^local: --autoscale cannot run the HPA of chocolates:\n {2}.*\(Deployment chocolates\): container service resources: no requests\.cpu/,
      );
      assert.doesNotMatch(error.stdout, /nginx|waiting for/);
      return true;
    });
  });

  test('status shows the HPA table; status --json the sections with their HPA fields', async () => {
    const shop: LocalShop = {
      ...fakeShop(async () => []),
      sections: {
        cakes: {
          replicas: 3,
          desiredReplicas: 3,
          cpuUtilization: 95,
          hpa: 'cakes',
          minReplicas: 2,
          maxReplicas: 4,
          targetCPUUtilization: 70,
          lastScaleTime: new Date().toISOString(),
          lastScaleEvent: 'New size: 3; reason: cpu resource utilization (percentage of request) above target',
          conditions: [
            {
              type: 'AbleToScale',
              status: 'True',
              reason: 'SucceededRescale',
              message: 'the HPA controller was able to update the target scale to 3',
            },
          ],
        },
      },
    };
    server = await startControlServer(shop, stateDir);
    const table = (await cli(['status', '--state-dir', stateDir])).stdout;
    assert.match(table, /^cakes +Deployment\/cakes +cpu: 95%\/70% +2 +4 +3 +3 +SucceededRescale +\d+s ago: New size: 3; reason: cpu/m);
    const json = JSON.parse((await cli(['status', '--json', '--state-dir', stateDir])).stdout) as { sections: Record<string, unknown> };
    assert.deepEqual(json.sections, JSON.parse(JSON.stringify(shop.sections)));
  });
});

describe('npm run local: port flags are checked before anything starts', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-local-port-args-test-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  test('a --state-dir too long for the control socket: one error line before anything starts', async () => {
    const stateDir = join(work, 'x'.repeat(120));
    const start = ['--port', '0', '--replica-port', String(randomReplicaBasePort()), '--manifests', join(FIXTURES, 'chocolates-only')];
    for (const args of [start, ['status'], ['rollout', 'restart']]) {
      await assert.rejects(cli([...args, '--state-dir', stateDir]), (error: CliFailure) => {
        assert.equal(error.code, 1);
        assert.equal(error.stdout, '', 'nothing started');
        assert.match(
          error.stderr,
          /^local: --state-dir .*x{120}: its control socket .*control\.sock is \d+ bytes long, and a Unix socket path holds at most 107: pass a shorter --state-dir\n$/,
        );
        return true;
      });
    }
  });

  test('--replica-port outside 1..65535 or not a number: one error line, nothing started', async () => {
    for (const value of ['0', '65536', 'eight']) {
      await assert.rejects(cli(['--replica-port', value, '--state-dir', join(work, 'state')]), (error: CliFailure) => {
        assert.equal(error.code, 1);
        assert.equal(error.stdout, '');
        assert.equal(error.stderr, `local: --replica-port ${value}: expected a port number 1..65535\n`);
        return true;
      });
    }
  });
});
