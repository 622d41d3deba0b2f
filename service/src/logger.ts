import { type Logger, pino } from 'pino';

import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/** A logger writing JSON lines to stdout, and how to close it without losing lines. */
export interface LogOutput {
  readonly log: Logger;
  /** Writes every buffered line, then resolves; later lines are dropped. Call it before process.exit. */
  close(): Promise<void>;
}

/**
 * JSON lines on stdout through an asynchronous destination: lines are buffered and written off the
 * request path (a synchronous write per request would cost a syscall on the hot path and block when
 * the reader of stdout is slow).
 */
export function createLogOutput(options: { level: LogLevel; replica: string; section: string }): LogOutput {
  const destination = pino.destination({ fd: 1, sync: false });
  const log = pino(
    {
      level: options.level,
      // Replica and section go in every line; pino serializes these bindings once, not per line.
      base: { replica: options.replica, section: options.section },
    },
    destination,
  );
  let closed: Promise<void> | undefined;
  return {
    log,
    close() {
      // flush(cb) does not wait for a write in progress; end() does, then emits 'close'.
      closed ??= new Promise((resolve) => {
        destination.once('close', () => resolve());
        destination.end();
        // A line logged after this would be written to a closed destination (which throws): drop it.
        log.level = 'silent';
      });
      return closed;
    },
  };
}
