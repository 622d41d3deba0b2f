/**
 * Envoy Gateway's controller (built from source) as a host process beside a kwok cluster: it reconciles
 * GatewayClasses, Gateways, HTTPRoutes and policies and writes their status conditions, and creates each
 * Gateway's proxy Deployment and Service, whose pods kwok marks Ready. No Envoy proxy runs (there is no
 * binary): what it decides is real, the data plane is not.
 *
 * Two constraints of v1.9 shape this file (internal/xds/runner/runner.go, internal/provider/kubernetes/
 * kubernetes.go): it reads its xDS certificates from /certs only, so it starts in a mount namespace of its
 * own with its certificates bound there; and its health (8081), metrics (8080) and xDS (18000) ports are
 * fixed, so one machine runs one at a time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { stringify } from 'yaml';

import { programPath } from '../control-plane/build-state.ts';
import { pollUntil } from '../lib/poll-until.ts';
import { ENVOY_GATEWAY_CONTROLLER_NAME, ENVOY_GATEWAY_NAMESPACE } from './envoy-gateway.ts';

/** Ports Envoy Gateway binds on every address, whatever its configuration says. */
export const ENVOY_GATEWAY_FIXED_PORTS = { health: 8081, metrics: 8080, xds: 18000 } as const;
const READY_URL = `http://127.0.0.1:${ENVOY_GATEWAY_FIXED_PORTS.health}/readyz`;
/** Where the controller looks for tls.crt, tls.key and ca.crt; an empty folder the certificates are bound over. */
const CERTS_MOUNT_POINT = '/certs';

/** The controller's files in a kwok workdir. */
export interface EnvoyGatewayFiles {
  readonly dir: string;
  readonly config: string;
  readonly home: string;
  readonly certs: string;
  readonly pid: string;
  readonly log: string;
}

export function envoyGatewayFiles(workdir: string): EnvoyGatewayFiles {
  const dir = join(workdir, 'envoy-gateway');
  const home = join(dir, 'home');
  return {
    dir,
    config: join(dir, 'config.yaml'),
    home,
    certs: join(home, 'certs', 'envoy-gateway'),
    pid: join(dir, 'envoy-gateway.pid'),
    log: join(dir, 'envoy-gateway.log'),
  };
}

/**
 * The EnvoyGateway configuration: no leader election (a restart would wait for the old Lease), no topology
 * webhook (port 9443), admin on a free loopback port, no Prometheus listener, and every Gateway's proxy
 * Service of type ClusterIP, whose address makes the Gateway Programmed where no load balancer exists.
 */
export function envoyGatewayConfig(): string {
  return stringify({
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyGateway',
    gateway: { controllerName: ENVOY_GATEWAY_CONTROLLER_NAME },
    provider: { type: 'Kubernetes', kubernetes: { leaderElection: { disable: true }, proxyTopologyInjector: { disabled: true } } },
    logging: { level: { default: 'info' } },
    admin: { address: { host: '127.0.0.1', port: 0 } },
    telemetry: { metrics: { prometheus: { disable: true } } },
    envoyProxy: { provider: { type: 'Kubernetes', kubernetes: { envoyService: { type: 'ClusterIP' } } } },
  });
}

/** The pid in the pid file when that process is alive and is Envoy Gateway (not a recycled pid). */
export function runningEnvoyGateway(files: EnvoyGatewayFiles): number | undefined {
  if (!existsSync(files.pid)) return undefined;
  const pid = Number(readFileSync(files.pid, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes('envoy-gateway') ? pid : undefined;
  } catch {
    return undefined;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, () => server.close(() => resolvePort(true)));
  });
}

async function assertPortsFree(): Promise<void> {
  for (const [use, port] of Object.entries(ENVOY_GATEWAY_FIXED_PORTS)) {
    if (await portFree(port)) continue;
    throw new Error(
      `port ${port} (Envoy Gateway's ${use} port, fixed in v1.9) is in use: another Envoy Gateway (npm run cluster:up -- --provider kwok, ` +
        'or a test run) or another program holds it; stop it (npm run cluster:down -- --provider kwok) and try again',
    );
  }
}

function ensureCertificates(files: EnvoyGatewayFiles): void {
  if (existsSync(join(files.certs, 'tls.crt'))) return;
  const result = spawnSync(programPath('envoy-gateway'), ['certgen', '--local', '--config-home', files.home], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`envoy-gateway certgen --local failed: ${(result.stderr || result.stdout).trim()}`);
}

function ensureMountPoint(): void {
  if (existsSync(CERTS_MOUNT_POINT)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Envoy Gateway reads its certificates from ${CERTS_MOUNT_POINT} only: create that empty folder once (sudo mkdir ${CERTS_MOUNT_POINT})`,
    );
  }
  mkdirSync(CERTS_MOUNT_POINT);
}

/** unshare's options: a private mount namespace; without root, inside a user namespace where this user is root. */
function unshareArguments(): string[] {
  const asRoot = process.getuid?.() === 0;
  return [...(asRoot ? [] : ['--user', '--map-root-user']), '--mount', '--propagation', 'private'];
}

export interface StartOptions {
  /** A kubeconfig whose current context is the cluster (kwokctl's own, in the workdir). */
  readonly kubeconfig: string;
  readonly log: (line: string) => void;
}

/** Starts the controller detached (it outlives this process, as kwokctl's components do) and waits until it is ready. */
export async function startEnvoyGateway(files: EnvoyGatewayFiles, options: StartOptions): Promise<number> {
  const running = runningEnvoyGateway(files);
  if (running !== undefined) {
    options.log(`  already running (pid ${running})`);
    return running;
  }
  await assertPortsFree();
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.config, envoyGatewayConfig());
  ensureCertificates(files);
  ensureMountPoint();
  const output = openSync(files.log, 'a');
  // The certificates are bound over /certs in this process's mount namespace only; exec keeps one pid.
  const script = `mount --bind "$0" ${CERTS_MOUNT_POINT} && exec "$1" server --config-path "$2"`;
  const child = spawn(
    'unshare',
    [...unshareArguments(), 'sh', '-c', script, resolve(files.certs), programPath('envoy-gateway'), resolve(files.config)],
    {
      detached: true,
      stdio: ['ignore', output, output],
      env: { ...process.env, KUBECONFIG: resolve(options.kubeconfig), ENVOY_GATEWAY_NAMESPACE },
    },
  );
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  child.on('error', (error) => {
    exited = error.message;
  });
  child.unref();
  writeFileSync(files.pid, `${child.pid}\n`);
  const ready = await pollUntil(
    async () => {
      if (exited !== undefined)
        throw new Error(`Envoy Gateway stopped (${exited}) while starting; its log (${files.log}) ends:\n${logTail(files)}`);
      return fetch(READY_URL).then(
        (response) => response.ok,
        () => false,
      );
    },
    30_000,
    250,
  );
  if (!ready)
    throw new Error(`Envoy Gateway did not become ready within 30 s (${READY_URL}); its log (${files.log}) ends:\n${logTail(files)}`);
  options.log(`  ready (pid ${child.pid}, log ${files.log})`);
  return child.pid!;
}

function logTail(files: EnvoyGatewayFiles): string {
  return existsSync(files.log) ? readFileSync(files.log, 'utf8').trim().split('\n').slice(-10).join('\n') : '(no log)';
}

/** SIGTERM (it exits 0 in about a second), SIGKILL after 10 s; nothing to do when it is not running. */
export async function stopEnvoyGateway(files: EnvoyGatewayFiles, log: (line: string) => void): Promise<void> {
  const pid = runningEnvoyGateway(files);
  rmSync(files.pid, { force: true });
  if (pid === undefined) {
    log('  not running');
    return;
  }
  process.kill(pid, 'SIGTERM');
  const gone = await pollUntil(() => !isAlive(pid), 10_000, 100);
  if (!gone) {
    process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
  log(`  stopped (pid ${pid}${gone ? '' : ', killed after 10 s'})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
