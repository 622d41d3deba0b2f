import { type Logger, pino } from 'pino';

import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/**
 * Most bytes of log lines waiting for the reader of stdout; a line that would go beyond is dropped (and
 * counted). A stuck log collector or a full pipe otherwise made the buffer, and the heap, grow without bound
 * (a line of a few hundred bytes per request). 4 MiB holds thousands of request lines, about a second of logs
 * at full load: a reader that pauses for less loses nothing.
 */
const MAX_BUFFERED_LOG_BYTES = 4 * 1024 * 1024;

/**
 * Lines are written once this many bytes wait (~16 request lines), or at the next flush tick. A replica at full
 * load batches by itself (lines pile up while a write is in flight), but one at part load, as every replica
 * behind a balancer usually is, otherwise paid a thread-pool write (and its reader a pipe read) per line:
 * through local mode's nginx, 2 replicas cost far more CPU per request than 1 (`npm run bench:scale-out`).
 */
const LOG_BATCH_BYTES = 4096;
/** Longest a line waits for the batch to fill: what a `kubectl logs -f` watcher may lag behind. */
const LOG_FLUSH_INTERVAL_MS = 200;

/** A logger writing JSON lines to stdout, and how to close it without losing lines. */
export interface LogOutput {
  readonly log: Logger;
  /** Writes every buffered line, then resolves; later lines are dropped. Call it before process.exit. */
  close(): Promise<void>;
}

export interface LogOutputOptions {
  readonly level: LogLevel;
  /** Written in every line. */
  readonly replica: string;
  /** Written in every line. */
  readonly section: string;
  /**
   * Where the lines go.
   * @default 1 (stdout)
   */
  readonly fd?: number;
  /** Called for each line dropped because the reader of `fd` fell behind. */
  readonly onDroppedLine?: () => void;
}

/**
 * JSON lines on stdout through an asynchronous destination: lines are buffered and written off the
 * request path (a synchronous write per request would cost a syscall on the hot path and block when
 * the reader of stdout is slow), at most MAX_BUFFERED_LOG_BYTES of them.
 */
export function createLogOutput(options: LogOutputOptions): LogOutput {
  const destination = pino.destination({
    fd: options.fd ?? 1,
    sync: false,
    maxLength: MAX_BUFFERED_LOG_BYTES,
    minLength: LOG_BATCH_BYTES,
    // An unref'd interval: it never keeps the process alive; close() writes what is left.
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
  const log = pino(
    {
      level: options.level,
      // Replica and section go in every line; pino serializes these bindings once, not per line.
      base: { replica: options.replica, section: options.section },
    },
    destination,
  );
  reportDroppedLines(destination, log, options.onDroppedLine);
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

/**
 * Counts each line the destination drops, and once it has caught up (sonic-boom's 'drain': nothing left to
 * write) logs how many were lost, so the log itself shows the gap.
 */
function reportDroppedLines(destination: ReturnType<typeof pino.destination>, log: Logger, onDroppedLine?: () => void): void {
  let dropped = 0;
  destination.on('drop', () => {
    dropped++;
    onDroppedLine?.();
  });
  destination.on('drain', () => {
    if (dropped === 0) return;
    log.warn({ dropped }, 'log lines dropped: the log output was not being read');
    dropped = 0;
  });
}
