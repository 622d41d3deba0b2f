import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface GracefulShutdownOptions {
  readonly server: Server;
  readonly lifecycle: Lifecycle;
  readonly log: Logger;
  /** Hard cap: connections still open after this long are cut and the process exits 1. */
  readonly drainTimeoutMs: number;
  /** Ends the process (flushing logs first). */
  readonly exit: (code: number) => void;
}

/** No request in flight or started for this long during a drain, and idle keep-alive connections are closed. */
const DRAIN_QUIET_MS = 1_000;
const QUIET_CHECK_INTERVAL_MS = 100;

/**
 * Drains the server, in this order: readiness flips to 503 (a load balancer polling /readyz stops sending
 * new work) and the listening socket closes (new connections are refused). Open connections stay open:
 * every request that still arrives on one is answered, with `Connection: close`, so the client closes it
 * (the app sets the header while draining). Connections left idle are closed only once no request has
 * been in flight or started for a quiet period (1 s, at most half of drainTimeoutMs): closing an idle
 * keep-alive connection at once resets a request a client may have just written on it. Then exit 0.
 * If that takes longer than drainTimeoutMs, the rest is cut and the process exits 1. A second signal
 * during the drain exits 1 at once (Ctrl-C twice).
 * Returns the signal handler, so tests can call it without sending a signal.
 */
export function gracefulShutdown(options: GracefulShutdownOptions): (signal: NodeJS.Signals) => void {
  const { server, lifecycle, log, drainTimeoutMs, exit } = options;
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
      log.warn({ signal }, 'shutdown: second signal while draining, exiting now');
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
    quietCheck = closeIdleWhenQuiet(server, lifecycle, log, Math.min(DRAIN_QUIET_MS, Math.floor(drainTimeoutMs / 2)));
  };
}

/** Closes idle connections whenever nothing has been in flight or started for quietMs (checked every 100 ms). */
function closeIdleWhenQuiet(server: Server, lifecycle: Lifecycle, log: Logger, quietMs: number): NodeJS.Timeout {
  let busyAt = performance.now();
  let announced = false;
  const check = setInterval(() => {
    const now = performance.now();
    if (lifecycle.inFlight > 0) {
      busyAt = now;
      return;
    }
    if (now - Math.max(busyAt, lifecycle.lastRequestAt) < quietMs) return;
    if (!announced) {
      announced = true;
      log.info({ quietMs }, 'shutdown: no request for the quiet period, closing idle connections');
    }
    server.closeIdleConnections();
  }, QUIET_CHECK_INTERVAL_MS);
  return check.unref();
}
