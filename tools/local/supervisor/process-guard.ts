import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

import { describeExit, waitForExit } from '../../lib/process/process-exit.ts';
import { bootId, identify, type ProcessIdentity } from '../../lib/process/process-identity.mjs';
import { type GuardedKind, type GuardedProcess, type Leftovers, stopLeftovers, writeProcessRecord } from './process-record.ts';
import { StateLock } from './state-lock.ts';

const WATCHDOG = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));
const WATCHDOG_READY_TIMEOUT_MS = 10_000;

/** Whoever starts a replica or an nginx hands its child to this, right after spawn. */
export interface ProcessWatcher {
  watch(child: ChildProcess, kind: GuardedKind): void;
}

/**
 * Makes sure the processes a shop starts do not outlive its supervisor, however it ends:
 * - a watchdog process (watchdog.mjs, in a session of its own so a terminal's signals do not reach it)
 *   kills every process still running when its IPC channel from the supervisor closes: right away
 *   after a kill -9, a crash or a lost terminal, without waiting for anyone to start the shop again;
 * - optionally a record file (process-record.ts), rewritten on every change, from which the next start
 *   stops whatever a killed run left when the watchdog could not (it was killed too, e.g. `killall -9 node`).
 * Both identify a process by pid AND start time, so a pid the kernel has since reused is never killed.
 */
export class ProcessGuard implements ProcessWatcher {
  private readonly processes = new Map<number, GuardedProcess>();
  private readonly tempDirs: string[] = [];
  private closed = false;
  private readonly watchdog: ChildProcess;
  private readonly watchdogExited: Promise<void>;
  private readonly recordFile: string | undefined;
  private readonly boot = bootId();
  private readonly supervisor = identify(process.pid)!;
  private readonly lock: StateLock | undefined;
  private readonly onLost: (message: string) => void;
  private recordFailed = false;
  /** What a killed run had left running and start() stopped; undefined without a record or a killed run. */
  readonly leftovers: Leftovers | undefined;

  private constructor(start: {
    watchdog: ChildProcess;
    recordFile: string | undefined;
    lock: StateLock | undefined;
    leftovers: Leftovers | undefined;
    onLost: (message: string) => void;
  }) {
    const { watchdog, onLost } = start;
    this.watchdog = watchdog;
    this.onLost = onLost;
    this.watchdogExited = waitForExit(watchdog).then(() => undefined);
    this.recordFile = start.recordFile;
    this.lock = start.lock;
    this.leftovers = start.leftovers;
    const identity = identify(watchdog.pid!);
    if (identity) this.processes.set(identity.pid, { ...identity, kind: 'watchdog' });
    this.writeRecord();
    watchdog.once('exit', (code, signal) => {
      this.processes.delete(watchdog.pid!);
      this.updateRecord();
      if (!this.closed)
        onLost(
          `watchdog ${watchdog.pid} ${describeExit({ code, signal })}: if this process is killed now, its replicas and nginx keep running`,
        );
    });
  }

  /**
   * With a record file: takes its lock (one shop per record; throws naming the shop that holds it) and
   * stops what a killed run recorded there (see `leftovers`). Then starts the watchdog and waits until
   * it listens; `onLost` hears if it dies before close().
   */
  static async start(recordFile: string | undefined, onLost: (message: string) => void): Promise<ProcessGuard> {
    const lock = recordFile === undefined ? undefined : await StateLock.acquire(recordFile);
    try {
      const leftovers = recordFile === undefined ? undefined : await stopLeftovers(recordFile);
      const watchdog = await startWatchdog();
      try {
        return new ProcessGuard({ watchdog, recordFile, lock, leftovers, onLost });
      } catch (error) {
        watchdog.kill('SIGKILL'); // e.g. the record file's directory does not exist
        throw error;
      }
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  watch(child: ChildProcess, kind: GuardedKind): void {
    const identity = child.pid === undefined ? undefined : identify(child.pid);
    if (!identity || this.closed) return; // failed to spawn, or already gone: nothing to kill later
    this.processes.set(identity.pid, { ...identity, kind });
    this.tell({ watch: identity });
    this.updateRecord();
    child.once('exit', () => {
      this.processes.delete(identity.pid);
      this.tell({ forget: identity.pid });
      this.updateRecord();
    });
  }

  /** The shop's temp directory: the watchdog, or else the next start (from the record), removes it after a kill -9. */
  ownTempDir(dir: string): void {
    this.tempDirs.push(dir);
    this.tell({ removeDir: dir });
    this.updateRecord();
  }

  /**
   * The shop has stopped (or is exiting): the record goes and the watchdog ends with nothing to do.
   * Resolves once the watchdog has exited; the synchronous part is all an exit hook needs.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.recordFile) rmSync(this.recordFile, { force: true });
      void this.lock?.release();
      if (this.watchdog.connected) this.watchdog.disconnect();
      // Until it has gone, the watchdog keeps the event loop alive again, and gets 5 s to do so.
      this.watchdog.ref();
      const timer = setTimeout(() => this.watchdog.kill('SIGKILL'), 5_000);
      void this.watchdogExited.then(() => clearTimeout(timer));
    }
    return this.watchdogExited;
  }

  private tell(message: { watch: ProcessIdentity } | { forget: number } | { removeDir: string }): void {
    // A failed send means the watchdog is gone; its 'exit' has reported that already.
    if (this.watchdog.connected) this.watchdog.send(message, () => undefined);
  }

  /**
   * writeRecord once the shop runs. It is called from process 'exit' listeners, where a throw (the state
   * directory deleted, a full disk) would take the supervisor down: reported once instead, and the watchdog
   * still stops everything if the supervisor is killed.
   */
  private updateRecord(): void {
    try {
      this.writeRecord();
    } catch (error) {
      if (this.recordFailed) return;
      this.recordFailed = true;
      this.onLost(
        `cannot update the process record ${this.recordFile} (${error instanceof Error ? error.message : String(error)}): ` +
          'after a kill -9 of this shop and its watchdog, the next start cannot stop what is left',
      );
    }
  }

  private writeRecord(): void {
    if (!this.recordFile || this.closed) return;
    writeProcessRecord(this.recordFile, {
      bootId: this.boot,
      supervisor: this.supervisor,
      processes: [...this.processes.values()],
      tempDirs: this.tempDirs,
    });
  }
}

async function startWatchdog(): Promise<ChildProcess> {
  const watchdog = spawn(process.execPath, [WATCHDOG], { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  watchdog.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  await waitUntilReady(watchdog, () => stderr.trim());
  // A failed send() reports to its callback; nothing else may throw an unhandled 'error' later.
  watchdog.on('error', () => undefined);
  // The watchdog must not keep the supervisor's event loop alive: the shop's own processes do that.
  watchdog.unref();
  watchdog.channel?.unref();
  (watchdog.stderr as Socket).unref();
  return watchdog;
}

function waitUntilReady(watchdog: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      watchdog.off('message', onReady).off('exit', onExit).off('error', onError);
      if (error) {
        watchdog.kill('SIGKILL');
        reject(error);
      } else resolve();
    };
    const fail = (why: string): void => settle(new Error(`the local shop's watchdog ${why}${stderr() ? `: ${stderr()}` : ''}`));
    const onReady = (): void => settle();
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`${describeExit({ code, signal })} at start`);
    const onError = (error: Error): void => fail(`could not start (${error.message})`);
    const timer = setTimeout(() => fail(`did not start within ${WATCHDOG_READY_TIMEOUT_MS / 1000} s`), WATCHDOG_READY_TIMEOUT_MS);
    watchdog.once('message', onReady).once('exit', onExit).once('error', onError);
  });
}
