import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

import type { LocalReplica, LocalShop, RolloutStep, SectionStatus } from '../shop/shop.ts';

/**
 * The running `npm run local` listens on a Unix socket in its state directory (default .local-run/),
 * so `npm run local -- rollout restart` can reach it: an HTTP API on a file, not on a TCP port.
 * POST /rollout-restart[?section=x] answers one JSON line per replaced replica, then a last line
 * `{"done":true}` or `{"error":"..."}`; GET /status answers the shop's url, replicas and sections (with their HPA).
 */
export function controlSocketPath(stateDir: string): string {
  return join(stateDir, 'control.sock');
}

// sun_path holds 108 bytes, the terminating NUL included.
const MAX_SOCKET_PATH_BYTES = 107;

/** Throws when the state directory's control socket path is too long for a Unix socket (checked before anything starts). */
export function checkControlSocketPath(stateDir: string): void {
  const socket = controlSocketPath(stateDir);
  const bytes = Buffer.byteLength(socket);
  if (bytes > MAX_SOCKET_PATH_BYTES)
    throw new Error(
      `--state-dir ${stateDir}: its control socket ${socket} is ${bytes} bytes long, and a Unix socket path holds at most ${MAX_SOCKET_PATH_BYTES}: pass a shorter --state-dir`,
    );
}

type ControlLine = { step: RolloutStep } | { done: true; steps: number } | { error: string };

export interface ShopStatus {
  readonly url: string;
  readonly pid: number;
  readonly replicas: LocalReplica[];
  readonly sections: Readonly<Record<string, SectionStatus>>;
}

/** Serves the control API for one shop; fails if another local shop already owns the state directory. */
export async function startControlServer(shop: LocalShop, stateDir: string): Promise<Server> {
  const socket = controlSocketPath(stateDir);
  mkdirSync(stateDir, { recursive: true });
  if (existsSync(socket)) {
    await assertNoShopRunning(stateDir);
    unlinkSync(socket); // left behind by a supervisor that was killed
  }
  const server = createServer((req, res) => {
    // A throw here would end the supervisor, and its watchdog would remove the whole shop with it.
    res.on('error', () => undefined); // the client went away: nothing to answer
    try {
      answer(shop, req, res);
    } catch (error) {
      if (!res.headersSent) refuse(res, 400, `cannot handle ${req.method} ${JSON.stringify(req.url)}: ${(error as Error).message}`);
      else res.destroy();
    }
  });
  // What Node's HTTP parser refuses (random bytes, a bad Content-Length, headers past 16 KiB) never
  // reaches the handler: its default answer is a bare 400; this one says why, in JSON like every other.
  server.on('clientError', (error: NodeJS.ErrnoException, connection) => {
    if (!connection.writable || (connection as { _httpMessage?: unknown })._httpMessage) {
      connection.destroy();
      return;
    }
    const [status, reason] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = `${JSON.stringify({ error: `malformed request: ${error.code ?? error.message}` })}\n`;
    connection.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  return server;
}

const ROUTES: Readonly<Record<string, string>> = { '/status': 'GET', '/rollout-restart': 'POST' };

function answer(shop: LocalShop, req: IncomingMessage, res: ServerResponse): void {
  // Not new URL(req.url, base): a request target such as `//` or `http://[::1` makes it throw.
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  const method = ROUTES[path];
  if (method === undefined) {
    refuse(res, 404, `no ${JSON.stringify(path)} here (the control API has ${Object.keys(ROUTES).join(', ')})`);
    return;
  }
  if (req.method !== method) {
    res.setHeader('Allow', method);
    refuse(res, 405, `${path} takes ${method}, not ${req.method}`);
    return;
  }
  if (path === '/status') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ url: shop.url, pid: process.pid, replicas: shop.replicas, sections: shop.sections } satisfies ShopStatus));
    return;
  }
  const sections = query.getAll('section');
  if (sections.length > 1) {
    refuse(res, 400, `one section per rollout, not ${sections.length}`);
    return;
  }
  res.setHeader('Content-Type', 'application/x-ndjson');
  const send = (line: ControlLine): void => {
    res.write(`${JSON.stringify(line)}\n`);
  };
  shop
    .rolloutRestart(sections[0], (step) => send({ step }))
    .then((steps) => send({ done: true, steps: steps.length }))
    .catch((error: Error) => send({ error: error.message }))
    .finally(() => res.end());
}

function refuse(res: ServerResponse, status: number, error: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(`${JSON.stringify({ error })}\n`);
}

/** Stops the control server and removes its socket. */
export function stopControlServer(server: Server, stateDir: string): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    try {
      unlinkSync(controlSocketPath(stateDir));
    } catch {
      // already removed
    }
  });
}

/** Throws naming the running shop if one answers on the state directory's control socket. */
export async function assertNoShopRunning(stateDir: string): Promise<void> {
  const status = await fetchStatus(stateDir).catch(() => undefined);
  if (status)
    throw new Error(`a local shop is already running (pid ${status.pid}, ${status.url}); stop it first or pass another --state-dir`);
}

export async function fetchStatus(stateDir: string): Promise<ShopStatus> {
  return JSON.parse(await call(stateDir, 'GET', '/status', () => undefined)) as ShopStatus;
}

/** Asks the running shop for a rolling restart; calls onStep per replaced replica; throws the shop's error. */
export async function requestRolloutRestart(
  stateDir: string,
  section: string | undefined,
  onStep: (step: RolloutStep) => void,
): Promise<number> {
  let result: number | undefined;
  let failure: string | undefined;
  await call(stateDir, 'POST', `/rollout-restart${section ? `?section=${encodeURIComponent(section)}` : ''}`, (line) => {
    const message = JSON.parse(line) as ControlLine;
    if ('step' in message) onStep(message.step);
    else if ('done' in message) result = message.steps;
    else failure = message.error;
  });
  if (failure !== undefined) throw new Error(failure);
  if (result === undefined) throw new Error('the local shop closed the connection before the rollout finished (was it stopped?)');
  return result;
}

function call(stateDir: string, method: string, path: string, onLine: (line: string) => void): Promise<string> {
  const socketPath = controlSocketPath(stateDir);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (res) => {
      let body = '';
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.trim()) onLine(line);
      });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new Error(`no local shop is running (nothing answers on ${socketPath}): start one with \`npm run local\``));
      } else reject(error);
    });
    req.end();
  });
}
