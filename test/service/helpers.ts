import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';

import { type Logger, pino } from 'pino';

import { type AppDeps, createApp } from '../../service/src/app.ts';
import { createHttpServer, type ServerTimeouts } from '../../service/src/http-server.ts';
import { Lifecycle } from '../../service/src/lifecycle.ts';
import { createMetrics } from '../../service/src/metrics.ts';
import { sections } from '../../service/src/sections/index.ts';
import { ephemeralPort } from '../../tools/lib/process/ports.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const SERVER_ENTRY = 'service/src/server.ts';

export interface InProcessApp {
  readonly url: string;
  readonly deps: AppDeps;
  close(): Promise<void>;
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * createApp with a silent logger, in the service's own server (createHttpServer, with its production
 * timeouts unless given), listening on 127.0.0.1 port 0.
 */
export async function startApp(overrides: Partial<AppDeps> = {}, timeouts?: ServerTimeouts): Promise<InProcessApp> {
  const deps: AppDeps = {
    section: sections.chocolates,
    replicaId: 'test-replica',
    port: 8000,
    log: silentLogger(),
    metrics: createMetrics({ defaultMetrics: false }),
    lifecycle: new Lifecycle(),
    ...overrides,
  };
  const server: Server = createHttpServer(createApp(deps), { replicaId: deps.replicaId, timeouts });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw HTTP response as read off the socket: status line, lower-cased headers, body. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Everything the server sent, unparsed. */
  readonly text: string;
}

/**
 * Writes `request` (any bytes, valid HTTP or not) on a fresh connection and reads until the server closes
 * it; rejects if it has not within `timeoutMs`. Send `Connection: close` in requests the server would
 * otherwise keep alive.
 */
export function rawRequest(url: string, request: string, timeoutMs = 10_000): Promise<RawResponse> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${timeoutMs} ms; it sent ${JSON.stringify(text.slice(0, 300))}`));
    }, timeoutMs);
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(parseRawResponse(text));
    });
    socket.once('error', reject);
    socket.write(request);
  });
}

/** Parses the first response in `text` (an empty one if the server sent nothing). */
export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = (end === -1 ? text : text.slice(0, end)).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: end === -1 ? '' : text.slice(end + 4), text };
}

/** One JSON log line as the server prints it. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface SpawnedServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly lines: LogLine[];
  /** Resolves with the first log line (past or future) matching the predicate. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code (signal name if killed by a signal). */
  readonly exited: Promise<number | string>;
  /** Kills the process if still running (for after() hooks). */
  kill(): void;
}

/** Env with nothing inherited that the server reads, so tests control every variable. */
function baseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const {
    PORT,
    SHOP_SECTION,
    REPLICA_ID,
    POD_NAME,
    LOG_LEVEL,
    DRAIN_TIMEOUT_MS,
    SWEETSHOP_TEST_HOOKS,
    SWEETSHOP_TEST_DELAY_MS,
    HOST,
    ...rest
  } = process.env;
  void [PORT, SHOP_SECTION, REPLICA_ID, POD_NAME, LOG_LEVEL, DRAIN_TIMEOUT_MS, SWEETSHOP_TEST_HOOKS, SWEETSHOP_TEST_DELAY_MS, HOST];
  return { ...rest, ...env };
}

/** Runs the real server (its TypeScript source, on Node 24) on a free loopback port and waits for its "listening" line. */
export async function spawnServer(env: Record<string, string> = {}): Promise<SpawnedServer> {
  // ephemeralPort: a port the OS says is free now (tiny race until the child binds it).
  const port = Number(env.PORT ?? (await ephemeralPort()));
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: baseEnv({ HOST: '127.0.0.1', SHOP_SECTION: 'chocolates', ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as LogLine);
    for (const wake of waiters) wake();
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

  const waitForLine = (predicate: (line: LogLine) => boolean, timeoutMs = 15_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching log line within ${timeoutMs} ms; stdout lines: ${JSON.stringify(lines)}; stderr: ${stderr}`));
      }, timeoutMs);
      const onExit = () =>
        setTimeout(() => {
          if (check()) return;
          cleanup();
          reject(new Error(`server exited; stderr: ${stderr}`));
        }, 50);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        child.off('exit', onExit);
      };
      const wake = () => void check();
      if (check()) return;
      waiters.add(wake);
      child.once('exit', onExit);
    });

  const server: SpawnedServer = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    waitForLine,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  try {
    await waitForLine((line) => line.msg === 'listening');
  } catch (err) {
    server.kill();
    throw err;
  }
  return server;
}

/** Runs the real server expecting it to refuse to start. */
export async function runServerExpectingFailure(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
