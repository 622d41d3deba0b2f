// Offline, every source says in one line why it could not be checked, and the command still prints its
// table and exits 0: a closed port stands in for the npm registry, GOPROXY=off for the Go module proxy,
// and a closed port for GitHub and Docker Hub.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { goLookups } from '../../tools/outdated/lookups/go-proxy.ts';
import { webLookups } from '../../tools/outdated/lookups/web.ts';
import type { Pin } from '../../tools/outdated/pin.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';

// The Go lookups run `go` (installed where the control plane is built: https://go.dev/doc/install).
const skipGo = skipUnlessInstalled('go', 'install Go 1.26 (https://go.dev/doc/install)');

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('npm run outdated offline: one reason per unreachable source, no stack trace, exit 0', { skip: skipGo }, async () => {
  const port = await closedPort();
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/outdated/main.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, npm_config_registry: `http://127.0.0.1:${port}/`, GOPROXY: 'off' },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^pin +where pinned +current +latest +behind by +note$/m);
  assert.match(
    result.stdout,
    new RegExp(`^\\d+ pin\\(s\\): cannot check: npm registry unreachable \\(ECONNREFUSED: request to http://127\\.0\\.0\\.1:${port}/`, 'm'),
  );
  assert.match(result.stdout, /^\d+ pin\(s\): cannot check: Go module proxy disabled \(GOPROXY=off\)$/m);
  assert.match(result.stdout, /^express +package\.json +\S+ +\? +cannot check/m);
  assert.match(result.stdout, /^kindest\/node +tools\/cluster\/kind-config\.yaml +v1\.37\.\d+@[0-9a-f]{12} +\? +cannot check/m);
  assert.match(result.stderr, /checking npm registry \(\d+ pins\)\.\.\./, 'progress is shown while lookups run');
  assert.doesNotMatch(`${result.stdout}${result.stderr}`, /^\s+at /m, 'no stack trace');
});

test('an unreachable GitHub is one reason for every Action, asked once per host', async () => {
  const port = await closedPort();
  const endpoints = { githubApi: `http://127.0.0.1:${port}`, dockerHub: `http://127.0.0.1:${port}` };
  const pins: Pin[] = ['actions/checkout', 'actions/setup-node'].map((name) => ({
    name,
    file: '.github/workflows/ci.yml',
    current: 'v5.0.0 (08c6903)',
    source: { type: 'github-release', repo: name, tagPrefix: '' },
  }));
  const lookups = [...(await webLookups(pins, endpoints)).values()];
  assert.deepEqual(lookups, [
    { problem: `cannot check: 127.0.0.1:${port} unreachable (ECONNREFUSED)` },
    { problem: `cannot check: 127.0.0.1:${port} unreachable (ECONNREFUSED)` },
  ]);
});

test('GOPROXY=off: every Go pin, the kind node image and the Go toolchain say so, in one line each', { skip: skipGo }, async () => {
  const module: Pin = { name: 'sigs.k8s.io/kwok', file: 'go.mod', current: 'v0.8.0', source: { type: 'go', module: 'sigs.k8s.io/kwok' } };
  const image: Pin = { name: 'kindest/node', file: 'kind-config.yaml', current: 'v1.37.0@a1ed56cfb0e7', source: { type: 'kind-image' } };
  const lookups = await goLookups([module], [image], { ...process.env, GOPROXY: 'off' });
  assert.deepEqual(
    [...lookups.values()],
    [
      { problem: 'cannot check: Go module proxy disabled (GOPROXY=off)' },
      { problem: 'cannot check: Go module proxy disabled (GOPROXY=off)' },
    ],
  );
});
