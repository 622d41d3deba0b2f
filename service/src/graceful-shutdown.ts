import type { Server } from 'node:http';

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

/**
 * Drains the server, in this order: readiness flips to 503 (a load balancer polling /readyz stops sending
 * new work), the listening socket closes (new connections are refused) and idle keep-alive sockets are
 * closed at once (server.close() does both since Node 19), busy ones close right after their in-flight
 * response (the app answers `Connection: close` while draining), then exit 0. If that takes longer than
 * drainTimeoutMs, the rest is cut and the process exits 1. A second signal during the drain exits 1 at
 * once (Ctrl-C twice).
 * Returns the signal handler, so tests can call it without sending a signal.
 */
export function gracefulShutdown(options: GracefulShutdownOptions): (signal: NodeJS.Signals) => void {
  const { server, lifecycle, log, drainTimeoutMs, exit } = options;
  let deadline: NodeJS.Timeout | undefined;
  let finished = false;
  // Exactly one exit: once the deadline or a second signal has cut the connections, server.close's
  // callback still fires, and its exit(0) must not replace the exit code 1 that was decided first.
  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
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

    server.close((err) => {
      if (finished) return;
      if (err) log.warn({ err }, 'shutdown: server was not listening');
      log.info('shutdown: all connections closed, exiting');
      finish(0);
    });
    log.info('shutdown: stopped accepting new connections');
    // Busy sockets close after their response (startDraining marked it Connection: close); the close
    // callback above fires once the last one has.
  };
}
