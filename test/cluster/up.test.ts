// cluster:up on kind, run for real against fake kind, kubectl and runtimes (fake-tools.ts) in a scratch
// directory: re-runs are safe, the probes decide what runs, the checks stop before `kind create cluster`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';

import { runbookFor } from '../../tools/cluster/cli.ts';
import { describeRunbook, executeRunbook, type Runbook } from '../../tools/cluster/runbook.ts';
import { type FakeBin, type FakeTool, fakeBin } from './fake-tools.ts';

const UNPATCHED = '--cert-dir=/tmp --secure-port=10250 --kubelet-use-node-status-port --metric-resolution=15s';
const PATCHED = `${UNPATCHED} --kubelet-insecure-tls`;
const CREATE = 'kind create cluster --name sweetshop --config .cluster/kind-config.yaml --wait 120s';
const PATCH = 'kubectl --context kind-sweetshop --namespace kube-system patch deployment metrics-server --type=json --patch';

let bin: FakeBin | undefined;
afterEach(() => bin?.remove());
const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function takenPort(): Promise<number> {
  const server = createHttpServer((_req, res) => {
    res.setHeader('Server', 'nginx/1.22.1');
    res.end();
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

interface Run {
  readonly runbook: Runbook;
  readonly fakes: FakeBin;
  readonly log: string[];
  readonly result: Promise<void>;
}

/** `npm run cluster:up -- <args>` with only the given fakes installed, in the fakes' directory. */
function up(tools: FakeTool[], args: string[], settings: Record<string, string> = {}, portStart = 1024): Run {
  const fakes = fakeBin(tools);
  bin = fakes;
  const env = fakes.env(settings);
  const parsed = runbookFor(['up', ...args], { processEnv: env, root: fakes.dir, unprivilegedPortStart: () => portStart });
  assert.notEqual(parsed, 'help');
  const { runbook } = parsed as { runbook: Runbook };
  const log: string[] = [];
  const result = executeRunbook(runbook, { cwd: fakes.dir, env, log: (line) => log.push(line), output: (text: string) => log.push(text) });
  return { runbook, fakes, log, result };
}

async function hostPorts(): Promise<string[]> {
  return ['--host-ports', `${await freePort()},${await freePort()}`];
}

describe('cluster:up on kind', () => {
  test('first run: checks, writes the config, creates the cluster, patches metrics-server once', async () => {
    const ports = await hostPorts();
    const run = up(['kind', 'kubectl', 'docker'], ports, { FAKE_METRICS_SERVER_ARGS: UNPATCHED });
    await run.result;
    const calls = run.fakes.calls();
    assert.deepEqual(calls.slice(0, 5), [
      'kind version',
      'docker -v',
      'docker info --format {{json .SecurityOptions}}',
      'kind get clusters',
      CREATE,
    ]);
    assert.equal(calls.filter((call) => call.startsWith(PATCH)).length, 1);
    const [http, https] = ports[1]!.split(',');
    assert.match(
      readFileSync(join(run.fakes.dir, '.cluster/kind-config.yaml'), 'utf8'),
      new RegExp(`hostPort: ${http}\\n[\\s\\S]*hostPort: ${https}\\n`),
    );
  });

  test('re-run on an existing, patched cluster: no create, no port check, no second patch (a taken port does not matter)', async () => {
    const run = up(['kind', 'kubectl', 'docker'], ['--host-ports', `${await takenPort()},${await freePort()}`], {
      FAKE_KIND_CLUSTERS: 'other\nsweetshop',
      FAKE_METRICS_SERVER_ARGS: PATCHED,
    });
    await run.result;
    const calls = run.fakes.calls();
    assert.equal(calls.includes(CREATE), false);
    assert.equal(
      calls.some((call) => call.startsWith(PATCH)),
      false,
    );
    assert.equal(existsSync(join(run.fakes.dir, '.cluster/kind-config.yaml')), false, 'the config describes the cluster that exists');
    assert.ok(run.log.includes('  it lists sweetshop: skipping 3 step(s)'));
    assert.ok(run.log.includes('  it has --kubelet-insecure-tls: skipping 1 step(s)'));
    assert.deepEqual(calls.slice(-2), [
      'kubectl --context kind-sweetshop --namespace nginx-ingress rollout status daemonset/nginx-ingress --timeout=180s',
      'kubectl --context kind-sweetshop --namespace kube-system rollout status deployment/metrics-server --timeout=180s',
    ]);
  });

  test('a cluster that exists but was never patched (an earlier run failed after creating it) is patched now', async () => {
    const run = up(['kind', 'kubectl', 'docker'], await hostPorts(), {
      FAKE_KIND_CLUSTERS: 'sweetshop',
      FAKE_METRICS_SERVER_ARGS: UNPATCHED,
    });
    await run.result;
    assert.equal(run.fakes.calls().filter((call) => call.startsWith(PATCH)).length, 1);
  });

  test("a cluster still running ingress-nginx (its IngressClass nginx) stops before F5's controller is applied, with how to remove it", async () => {
    const run = up(['kind', 'kubectl', 'docker'], await hostPorts(), {
      FAKE_KIND_CLUSTERS: 'sweetshop',
      FAKE_INGRESS_CLASS_CONTROLLER: 'k8s.io/ingress-nginx',
    });
    await assert.rejects(run.result, {
      message:
        "the cluster still runs ingress-nginx (IngressClass nginx is k8s.io/ingress-nginx's), which holds the class name and host ports " +
        "F5's NGINX Ingress Controller needs: uninstall it (kubectl --context kind-sweetshop delete --ignore-not-found --filename " +
        'https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml) ' +
        'or recreate the cluster (npm run cluster:down), then run cluster:up again',
    });
    assert.equal(
      run.fakes.calls().some((call) => call.includes('apply')),
      false,
    );
  });

  test("F5's own IngressClass (a re-run) does not stop it", async () => {
    const run = up(['kind', 'kubectl', 'docker'], await hostPorts(), {
      FAKE_KIND_CLUSTERS: 'sweetshop',
      FAKE_METRICS_SERVER_ARGS: PATCHED,
      FAKE_INGRESS_CLASS_CONTROLLER: 'nginx.org/ingress-controller',
    });
    await run.result;
    assert.ok(run.log.includes('  IngressClass nginx: nginx.org/ingress-controller'));
    assert.ok(run.fakes.calls().includes('kubectl --context kind-sweetshop apply --filename tools/cluster/f5-nginx-ingress.yaml'));
  });

  test('a taken host port stops the run before kind create cluster, naming the port and its holder', async () => {
    const taken = await takenPort();
    const run = up(['kind', 'kubectl', 'docker'], ['--host-ports', `${taken},${await freePort()}`]);
    await assert.rejects(
      run.result,
      new RegExp(`^Error: 127\\.0\\.0\\.1:${taken} is taken by an HTTP server \\(Server: nginx/1\\.22\\.1\\)`),
    );
    assert.equal(run.fakes.calls().at(-1), 'kind get clusters');
  });

  test('a docker CLI without a daemon stops the run before kind does anything with it', async () => {
    const run = up(['kind', 'kubectl', 'docker', 'podman'], await hostPorts(), { FAKE_DOCKER_DOWN: '1' });
    await assert.rejects(
      run.result,
      /but `docker info .*` failed: Cannot connect to the Docker daemon.*export KIND_EXPERIMENTAL_PROVIDER=podman$/,
    );
    assert.deepEqual(run.fakes.calls(), ['kind version', 'docker -v', 'docker info --format {{json .SecurityOptions}}', 'podman -v']);
  });

  test('podman alone is used without KIND_EXPERIMENTAL_PROVIDER (kind picks it too)', async () => {
    const run = up(['kind', 'kubectl', 'podman'], await hostPorts(), { FAKE_METRICS_SERVER_ARGS: PATCHED });
    await run.result;
    assert.ok(run.fakes.calls().includes(CREATE));
    assert.ok(run.log.includes('  podman (found as kind looks for it: docker, then nerdctl or finch, then podman) answers'));
  });

  test('a rootless runtime and ports below the unprivileged start: refused with --host-ports 8080,8443', async () => {
    const run = up(
      ['kind', 'kubectl', 'podman'],
      await hostPorts(),
      { KIND_EXPERIMENTAL_PROVIDER: 'podman', FAKE_PODMAN_ROOTLESS: 'true' },
      65536,
    );
    await assert.rejects(run.result, /^Error: podman runs rootless .* npm run cluster:up -- --host-ports 8080,8443 \(smoke follows them\)/);
    assert.equal(run.fakes.calls().includes(CREATE), false);
  });

  test('kind older than the pinned node image needs: refused before anything else', async () => {
    const run = up(['kind', 'kubectl', 'docker'], await hostPorts(), { FAKE_KIND_VERSION: 'kind v0.29.0 go1.24.2 linux/amd64' });
    await assert.rejects(run.result, { message: /^kind v0\.29\.0 is too old/ });
    assert.deepEqual(run.fakes.calls(), ['kind version']);
  });
});

describe('cluster:up on kind for Gateway API routing (--env local-gateway)', () => {
  test("first run: the config maps the host ports to Envoy's node ports, the GatewayClass is written and applied", async () => {
    const run = up(['kind', 'kubectl', 'docker'], [...(await hostPorts()), '--env', 'local-gateway'], {
      FAKE_METRICS_SERVER_ARGS: PATCHED,
    });
    await run.result;
    const config = readFileSync(join(run.fakes.dir, '.cluster/kind-config.yaml'), 'utf8');
    assert.match(config, /containerPort: 30080\n/);
    assert.match(config, /containerPort: 30443\n/);
    assert.match(readFileSync(join(run.fakes.dir, '.cluster/envoy-gateway-class.yaml'), 'utf8'), /kind: GatewayClass\n/);
    assert.ok(run.fakes.calls().includes('kubectl --context kind-sweetshop apply --filename .cluster/envoy-gateway-class.yaml'));
  });

  test('a cluster created for the Ingress is refused before anything is installed on it, with the way out', async () => {
    const first = up(['kind', 'kubectl', 'docker'], await hostPorts(), { FAKE_METRICS_SERVER_ARGS: PATCHED });
    await first.result;
    const env = first.fakes.env({ FAKE_KIND_CLUSTERS: 'sweetshop', FAKE_METRICS_SERVER_ARGS: PATCHED });
    const parsed = runbookFor(['up', '--env', 'local-gateway'], { processEnv: env, root: first.fakes.dir });
    const again = executeRunbook((parsed as { runbook: Runbook }).runbook, { cwd: first.fakes.dir, env, log: () => {}, output: () => {} });
    await assert.rejects(again, {
      message:
        "the kind cluster 'sweetshop' was created for an Ingress (the controller's hostPort 80), but local-gateway routes through " +
        "Gateway API (Envoy's NodePort 30080), and kind cannot add a port mapping to a cluster: " +
        'npm run cluster:down, then npm run cluster:up -- --env local-gateway',
    });
    assert.equal(first.fakes.calls().at(-1), 'kind get clusters');
  });
});

test('smoke follows the host ports cluster:up published the ingress on', async () => {
  const run = up(['kind', 'kubectl', 'docker'], ['--host-ports', `${await freePort()},${await freePort()}`], {
    FAKE_METRICS_SERVER_ARGS: PATCHED,
  });
  await run.result;
  const smoke = runbookFor(['smoke', '--requests', '1'], { processEnv: run.fakes.env(), root: run.fakes.dir });
  assert.notEqual(smoke, 'help');
  const http = readFileSync(join(run.fakes.dir, '.cluster/kind-config.yaml'), 'utf8').match(/hostPort: (\d+)/)?.[1];
  assert.equal(
    describeRunbook((smoke as { runbook: Runbook }).runbook)[0],
    `GET http://127.0.0.1:${http}/chocolates x1 (prints X-Served-By per replica)`,
  );
});
