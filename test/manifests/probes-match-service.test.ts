// The one place infrastructure and service code meet: start the real service (service/src/server.ts)
// with each Deployment's own env from dist/, on a free loopback port instead of 8080, and hit the paths
// the probes and the Ingress use.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { findObject } from '../charts/render.ts';
import { DIST_DIR, loadManifestDir } from './load-manifests.ts';

const manifests = loadManifestDir(DIST_DIR);
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode} before answering ${url}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`service did not answer ${url} within ${timeoutMs} ms`);
}

for (const deployment of manifests.filter((m) => m.kind === 'Deployment')) {
  const section = deployment.metadata.name;
  const podSpec = deployment.spec.template.spec;
  const [container] = podSpec.containers;

  describe(`${section}: the probes and the Ingress path are what the service serves`, () => {
    let child: ChildProcess;
    let base = '';
    let stderr = '';

    test('the service starts with the Deployment env (PORT moved to a free loopback port)', async () => {
      const port = await freePort();
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1' };
      for (const variable of container.env) {
        env[variable.name] = variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name' ? `${section}-test-pod` : variable.value;
      }
      assert.equal(env.PORT, String(container.ports[0].containerPort), 'PORT env = container port');
      env.PORT = String(port);
      child = spawn(process.execPath, ['service/src/server.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      children.add(child);
      child.stderr!.on('data', (chunk) => {
        stderr += chunk;
      });
      base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}${container.livenessProbe.httpGet.path}`, child, 20_000);
    });

    test('readiness, liveness and startup probe paths answer 200 on the probed port, and readiness is not liveness', async () => {
      for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
        assert.equal(probe.httpGet.port, container.ports[0].containerPort);
        const response = await fetch(`${base}${probe.httpGet.path}`);
        assert.equal(response.status, 200, `${probe.httpGet.path}: ${stderr}`);
      }
      assert.notEqual(container.readinessProbe.httpGet.path, container.livenessProbe.httpGet.path);
    });

    test('the Ingress path routed to this Service is served, and names the replica from POD_NAME', async () => {
      const ingress = findObject(manifests, 'Ingress', 'sweetshop');
      const route = ingress.spec.rules[0].http.paths.find(
        (p: { backend: { service: { name: string } } }) => p.backend.service.name === section,
      );
      const response = await fetch(`${base}${route.path}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-served-by'), `${section}-test-pod`);
      await response.arrayBuffer();
    });

    test('SIGTERM drains and exits 0 well inside terminationGracePeriodSeconds minus the preStop delay', async () => {
      const preStopMs = Number(/(\d+)\)$/.exec(container.lifecycle.preStop.exec.command.at(-1))?.[1]);
      const budgetMs = podSpec.terminationGracePeriodSeconds * 1000 - preStopMs;
      const exited = once(child, 'exit');
      const started = Date.now();
      child.kill('SIGTERM');
      const [code] = await exited;
      children.delete(child);
      assert.equal(code, 0, stderr);
      // Generous on purpose (noisy machine): an idle replica drains in milliseconds; the budget is ~15 s.
      assert.ok(Date.now() - started < budgetMs, `drain took ${Date.now() - started} ms, budget ${budgetMs} ms`);
    });
  });
}
