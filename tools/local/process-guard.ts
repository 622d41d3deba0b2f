import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

import { pollUntil } from '../lib/poll-until.ts';
import { describeExit } from './process-exit.ts';
import { bootId, identify, isSameProcess, killIfSame, type ProcessIdentity } from './process-identity.mjs';

const WATCHDOG = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));
const WATCHDOG_READY_TIMEOUT_MS = 10_000;

export type GuardedKind = 'nginx' | 'replica' | 'watchdog';

interface GuardedProcess extends ProcessIdentity {
  readonly kind: GuardedKind;
}

/** The process record: what the next start needs to stop what a killed run left (JSON, in the state directory). */
interface ProcessRecord {
  readonly bootId: string;
  readonly supervisor: ProcessIdentity;
  readonly processes: readonly GuardedProcess[];
}

/** Whoever starts a replica or an nginx hands its child to this, right after spawn. */
export interface ProcessWatcher {
  watch(child: ChildProcess, kind: GuardedKind): void;
}

/**
 * Makes sure the processes a shop starts do not outlive its supervisor, however it ends:
 * - a watchdog process (watchdog.mjs, in a session of its own so a terminal's signals do not reach it)
 *   kills every process still running when its IPC channel from the supervisor closes: right away
 *   after a kill -9, a crash or a lost terminal, without waiting for anyone to start the shop again;
 * - optionally a record file, rewritten on every change, from which the next start stops whatever a
 *   killed run left when the watchdog could not (it was killed too, e.g. `killall -9 node`).
 * Both identify a process by pid AND start time, so a pid the kernel has since reused is never killed.
 */
export class ProcessGuard implements ProcessWatcher {
  private readonly processes = new Map<number, GuardedProcess>();
  private closed = false;
  private readonly watchdog: ChildProcess;
  private readonly recordFile: string | undefined;
  private readonly boot = bootId();
  private readonly supervisor = identify(process.pid)!;

  private constructor(watchdog: ChildProcess, recordFile: string | undefined, onLost: (message: string) => void) {
    this.watchdog = watchdog;
    this.recordFile = recordFile;
    const identity = identify(watchdog.pid!);
    if (identity) this.processes.set(identity.pid, { ...identity, kind: 'watchdog' });
    this.writeRecord();
    watchdog.once('exit', (code, signal) => {
      this.processes.delete(watchdog.pid!);
      this.writeRecord();
      if (!this.closed)
        onLost(
          `watchdog ${watchdog.pid} ${describeExit({ code, signal })}: if this process is killed now, its replicas and nginx keep running`,
        );
    });
  }

  /** Starts the watchdog and waits until it listens; `onLost` hears if it dies before close(). */
  static async start(recordFile: string | undefined, onLost: (message: string) => void): Promise<ProcessGuard> {
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
    try {
      return new ProcessGuard(watchdog, recordFile, onLost);
    } catch (error) {
      watchdog.kill('SIGKILL'); // e.g. the record file's directory does not exist
      throw error;
    }
  }

  watch(child: ChildProcess, kind: GuardedKind): void {
    const identity = child.pid === undefined ? undefined : identify(child.pid);
    if (!identity || this.closed) return; // failed to spawn, or already gone: nothing to kill later
    this.processes.set(identity.pid, { ...identity, kind });
    this.tell({ watch: identity });
    this.writeRecord();
    child.once('exit', () => {
      this.processes.delete(identity.pid);
      this.tell({ forget: identity.pid });
      this.writeRecord();
    });
  }

  /** The shop has stopped (or is exiting): the watchdog ends with nothing to do, the record goes. Synchronous. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog.connected) this.watchdog.disconnect();
    if (this.recordFile) rmSync(this.recordFile, { force: true });
  }

  private tell(message: { watch: ProcessIdentity } | { forget: number }): void {
    // A failed send means the watchdog is gone; its 'exit' has reported that already.
    if (this.watchdog.connected) this.watchdog.send(message, () => undefined);
  }

  private writeRecord(): void {
    if (!this.recordFile || this.closed) return;
    const record: ProcessRecord = { bootId: this.boot, supervisor: this.supervisor, processes: [...this.processes.values()] };
    // Written whole and renamed: a supervisor killed mid-write leaves the previous record, never half of one.
    const next = `${this.recordFile}.next`;
    writeFileSync(next, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(next, this.recordFile);
  }
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

/** What stopLeftovers() found and stopped. */
export interface Leftovers {
  readonly supervisorPid: number;
  readonly stopped: readonly GuardedProcess[];
}

/**
 * Reads the record a previous run left. Throws when that run's supervisor still runs (a shop is running
 * or starting); otherwise kills whatever it left that still runs, waits until it is gone, and removes
 * the record. undefined when there was no record, or it came from another boot.
 */
export async function stopLeftovers(recordFile: string): Promise<Leftovers | undefined> {
  const record = readRecord(recordFile);
  if (!record) return undefined;
  if (record.bootId === bootId()) {
    if (isSameProcess(record.supervisor)) {
      throw new Error(
        `a local shop is already running or starting (pid ${record.supervisor.pid}, recorded in ${recordFile}): stop it first or pass another --state-dir`,
      );
    }
    const stopped = record.processes.filter((p) => killIfSame(p));
    await pollUntil(() => !stopped.some((p) => isSameProcess(p)), 5_000, 25);
    const left = stopped.filter((p) => isSameProcess(p));
    if (left.length > 0) throw new Error(`could not stop ${left.map((p) => `${p.kind} ${p.pid}`).join(', ')} left by a killed run`);
    rmSync(recordFile, { force: true });
    return { supervisorPid: record.supervisor.pid, stopped };
  }
  rmSync(recordFile, { force: true });
  return undefined;
}

/** `stopped 4 processes left by a killed run (pid 123): nginx 456, 457; replicas 458, 459` */
export function describeLeftovers(leftovers: Leftovers): string {
  const groups: Array<[string, GuardedKind]> = [
    ['nginx', 'nginx'],
    ['replicas', 'replica'],
    ['watchdog', 'watchdog'],
  ];
  const parts = groups
    .map(([label, kind]) => [label, leftovers.stopped.filter((p) => p.kind === kind).map((p) => p.pid)] as const)
    .filter(([, pids]) => pids.length > 0)
    .map(([label, pids]) => `${label} ${pids.join(', ')}`);
  return `stopped ${leftovers.stopped.length} processes left by a killed run (pid ${leftovers.supervisorPid}): ${parts.join('; ')}`;
}

function readRecord(recordFile: string): ProcessRecord | undefined {
  let text: string;
  try {
    text = readFileSync(recordFile, 'utf8');
  } catch {
    return undefined;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    record = (error as Error).message;
  }
  if (!isProcessRecord(record)) throw new Error(`${recordFile} is not a local shop process record; remove it if no local shop is running`);
  return record;
}

function isProcessRecord(value: unknown): value is ProcessRecord {
  const record = value as Partial<ProcessRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.bootId === 'string' &&
    isIdentity(record.supervisor) &&
    Array.isArray(record.processes) &&
    record.processes.every((p: unknown) => isIdentity(p) && ['nginx', 'replica', 'watchdog'].includes((p as GuardedProcess).kind))
  );
}

function isIdentity(value: unknown): value is ProcessIdentity {
  const identity = value as Partial<ProcessIdentity> | null;
  return typeof identity === 'object' && identity !== null && Number.isInteger(identity.pid) && Number.isInteger(identity.startTime);
}
