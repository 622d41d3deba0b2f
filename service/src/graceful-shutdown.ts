import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

import { closeUnanswered } from './client-error.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface GracefulShutdownOptions {
  readonly server: Server;
  readonly lifecycle: Lifecycle;
  readonly log: Logger;
  /** Sent as X-Served-By on the answers to requests the drain cuts short. */
  readonly replicaId: string;
  /** Hard cap: connections still open after this long are cut and the process exits 1. */
  readonly drainTimeoutMs: number;
  /** Ends the process (flushing logs first). */
  readonly exit: (code: number) => void;
}

/** No request served or started for this long during a drain, and connections without one are closed. */
const DRAIN_QUIET_MS = 1_000;
const QUIET_CHECK_INTERVAL_MS = 100;

/**
 * Drains the server, in this order: readiness flips to 503 (a load balancer polling /readyz stops sending
 * new work) and the listening socket closes (new connections are refused). Open connections stay open:
 * every request that still arrives on one is answered, with `Connection: close`, so the client closes it
 * (the app sets the header while draining). Connections without a request being served are closed only once
 * none has been served or started for a quiet period (1 s, at most half of drainTimeoutMs): closing an idle
 * keep-alive connection at once resets a request a client may have just written on it. That includes
 * connections that never sent a request and requests stalled halfway (client-error.ts, closeUnanswered),
 * which Node never counts as idle. Then exit 0.
 * If that takes longer than drainTimeoutMs, the rest is cut and the process exits 1. A SIGINT during the
 * drain exits 1 at once (Ctrl-C twice); a repeated SIGTERM is ignored.
 * Returns the signal handler, so tests can call it without sending a signal.
 */
export function gracefulShutdown(options: GracefulShutdownOptions): (signal: NodeJS.Signals) => void {
  const { server, lifecycle, log, replicaId, drainTimeoutMs, exit } = options;
  // Registered now, before the server listens: the drain must know every connection, not only later ones.
  const connections = trackConnections(server);
  let deadline: NodeJS.Timeout | undefined;
  let quietCheck: NodeJS.Timeout | undefined;
  let finished = false;
  // Exactly one exit: once the deadline or a second signal has cut the connections, server.close's
  // callback still fires, and its exit(0) must not replace the exit code 1 that was decided first.
  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    clearInterval(quietCheck);
    exit(code);
  };
  return (signal) => {
    // Readiness is off exactly when a drain has started: this handler is what starts it.
    if (!lifecycle.ready) {
      if (finished) return;
      // Ctrl-C twice is a person asking for a hard stop. A repeated SIGTERM is a supervisor repeating itself:
      // it must not reset the requests the drain is finishing (drainTimeoutMs still caps it).
      if (signal !== 'SIGINT') {
        log.info({ signal }, 'shutdown: already draining, signal ignored');
        return;
      }
      log.warn({ signal }, 'shutdown: second Ctrl-C while draining, exiting now');
      finish(1);
      return;
    }
    lifecycle.startDraining();
    log.info({ signal, drainTimeoutMs, inFlight: lifecycle.inFlight }, 'shutdown: draining, readiness now 503');

    deadline = setTimeout(() => {
      log.error({ drainTimeoutMs, inFlight: lifecycle.inFlight }, 'shutdown: drain timeout reached, closing the remaining connections');
      finish(1);
      server.closeAllConnections();
    }, drainTimeoutMs);

    // net.Server's close, not http.Server's: both stop accepting and call back once the last connection
    // has closed, but http.Server#close also destroys idle keep-alive connections at once.
    NetServer.prototype.close.call(server, (err) => {
      if (finished) return;
      if (err) log.warn({ err }, 'shutdown: server was not listening');
      log.info('shutdown: all connections closed, exiting');
      finish(0);
    });
    log.info('shutdown: stopped accepting new connections');
    const quietMs = Math.min(DRAIN_QUIET_MS, Math.floor(drainTimeoutMs / 2));
    quietCheck = whenQuiet(lifecycle, log, quietMs, () => {
      server.closeIdleConnections();
      for (const socket of connections) closeUnanswered(socket, replicaId);
    });
  };
}

/**
 * Runs `close` whenever no fully received request has been in flight, and none has started, for quietMs
 * (checked every 100 ms).
 */
function whenQuiet(lifecycle: Lifecycle, log: Logger, quietMs: number, close: () => void): NodeJS.Timeout {
  let busyAt = performance.now();
  let announced = false;
  const check = setInterval(() => {
    const now = performance.now();
    if (lifecycle.serving > 0) {
      busyAt = now;
      return;
    }
    if (now - Math.max(busyAt, lifecycle.lastRequestAt) < quietMs) return;
    if (!announced) {
      announced = true;
      log.info({ quietMs }, 'shutdown: no request for the quiet period, closing connections without a request being served');
    }
    close();
  }, QUIET_CHECK_INTERVAL_MS);
  return check.unref();
}

const CONNECTIONS = Symbol('sweetshop.connections');

interface TrackedSocket extends Socket {
  [CONNECTIONS]?: Set<Socket>;
}

/** The server's open connections (one set entry and one shared 'close' listener per connection, none per request). */
function trackConnections(server: Server): ReadonlySet<Socket> {
  const open = new Set<Socket>();
  server.on('connection', (socket: TrackedSocket) => {
    open.add(socket);
    socket[CONNECTIONS] = open;
    socket.once('close', forget);
  });
  return open;
}

function forget(this: TrackedSocket): void {
  this[CONNECTIONS]?.delete(this);
}
