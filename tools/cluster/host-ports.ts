/**
 * The host ports kind publishes the ingress on (127.0.0.1:<http> -> node :80, <https> -> :443), and the
 * checks that `kind create cluster` would otherwise fail on halfway: a port already taken (Debian's
 * nginx package, which local mode asks for, starts a default site on port 80), or a rootless runtime
 * that may not bind ports below net.ipv4.ip_unprivileged_port_start.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';

export interface HostPorts {
  readonly http: number;
  readonly https: number;
}

/** The mappings in tools/cluster/kind-config.yaml: http://127.0.0.1/ with no port in the URL. */
export const DEFAULT_HOST_PORTS: HostPorts = { http: 80, https: 443 };
/** What a rootless runtime can publish without a sysctl change (smoke then uses http://127.0.0.1:8080). */
export const UNPRIVILEGED_HOST_PORTS: HostPorts = { http: 8080, https: 8443 };
/** kind's listenAddress for both mappings: this machine only, not the LAN. */
export const LISTEN_ADDRESS = '127.0.0.1';

const RETRY_HINT = `npm run cluster:up -- --host-ports ${UNPRIVILEGED_HOST_PORTS.http},${UNPRIVILEGED_HOST_PORTS.https}`;

/** `--host-ports <http>,<https>`: two different ports from 1 to 65535. */
export function parseHostPorts(text: string): HostPorts {
  const parts = text.split(',');
  const ports = parts.map((part) => (/^\d{1,5}$/.test(part.trim()) ? Number(part.trim()) : Number.NaN));
  const [http, https] = ports;
  const valid = (port: number | undefined): port is number => port !== undefined && port >= 1 && port <= 65535;
  if (parts.length !== 2 || !valid(http) || !valid(https) || http === https) {
    throw new Error(`--host-ports must be two different ports from 1 to 65535 as <http>,<https> (e.g. 8080,8443), got '${text}'`);
  }
  return { http, https };
}

/** `<http>,<https>`, as the option takes it. */
export function formatHostPorts(ports: HostPorts): string {
  return `${ports.http},${ports.https}`;
}

/** The base URL of the ingress for these host ports. */
export function ingressUrl(ports: HostPorts): string {
  return ports.http === 80 ? `http://${LISTEN_ADDRESS}` : `http://${LISTEN_ADDRESS}:${ports.http}`;
}

/**
 * Undefined when nothing listens on LISTEN_ADDRESS:port; otherwise who does, as far as an unprivileged
 * process can tell: the `Server` header when the holder speaks HTTP (nginx/1.22.1), else a generic label.
 * A connect (never a bind) finds listeners on 127.0.0.1, 0.0.0.0 and dual-stack [::], which all collide.
 */
export async function portHolder(port: number): Promise<string | undefined> {
  const listening = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: LISTEN_ADDRESS, port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  if (!listening) return undefined;
  const server = await serverHeader(port);
  return server ? `an HTTP server (Server: ${server})` : 'a process that does not answer HTTP';
}

/** The Server header of a plain GET; nginx answers it on its TLS ports too (with a 400). */
function serverHeader(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: LISTEN_ADDRESS, port, path: '/', agent: false, timeout: 1_500 }, (res) => {
      res.resume();
      resolve(typeof res.headers.server === 'string' ? res.headers.server : 'no Server header');
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** How to see a port's holder on this platform (the holder may belong to another user, hence sudo). */
function holderCommand(port: number, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `sudo lsof -nP -iTCP:${port} -sTCP:LISTEN` : `sudo ss -ltnp 'sport = :${port}'`;
}

/** Throws one line naming each taken port, its holder, how to free it and the alternative ports. */
export async function assertPortsFree(ports: HostPorts, platform: NodeJS.Platform = process.platform): Promise<void> {
  const checked = [ports.http, ports.https];
  const holders = await Promise.all(checked.map(portHolder));
  const taken = checked.flatMap((port, i) =>
    holders[i] ? [`${LISTEN_ADDRESS}:${port} is taken by ${holders[i]}; see it with: ${holderCommand(port, platform)}`] : [],
  );
  if (taken.length === 0) return;
  const nginx = taken.some((line) => line.includes('Server: nginx')) ? " (Debian's nginx package: sudo systemctl disable --now nginx)" : '';
  const other = ports.http === UNPRIVILEGED_HOST_PORTS.http ? '--host-ports <http>,<https>' : RETRY_HINT;
  throw new Error(`${taken.join('; ')}. Free the port${nginx}, or publish the ingress on other ports: ${other}`);
}

/** Linux's lowest port an unprivileged process may bind (default 1024); undefined where it cannot be read. */
export function unprivilegedPortStart(path = '/proc/sys/net/ipv4/ip_unprivileged_port_start'): number | undefined {
  try {
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A rootless runtime publishes ports as the user, so ports below the unprivileged start fail inside
 * `kind create cluster`. Where the start cannot be read (macOS: the runtime's VM forwards the ports)
 * nothing is assumed.
 */
export function assertRootlessCanPublish(runtime: string, ports: HostPorts, start: number | undefined): void {
  const low = [ports.http, ports.https].filter((port) => start !== undefined && port < start);
  if (low.length === 0) return;
  throw new Error(
    `${runtime} runs rootless and this host lets unprivileged processes bind ports from ${start} up ` +
      `(net.ipv4.ip_unprivileged_port_start), so kind cannot publish ${low.map((port) => `${LISTEN_ADDRESS}:${port}`).join(' and ')}: ` +
      `${RETRY_HINT} (smoke follows them), or sudo sysctl net.ipv4.ip_unprivileged_port_start=${Math.min(...low)}`,
  );
}
