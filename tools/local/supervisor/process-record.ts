import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

import { isJsonObject } from '../../lib/json-object.ts';
import { pollUntil } from '../../lib/poll-until.ts';
import { bootId, isSameProcess, killIfSame, type ProcessIdentity } from '../../lib/process/process-identity.mjs';
import { removeShopTempDir } from './shop-temp-dir.mjs';

export type GuardedKind = 'nginx' | 'replica' | 'watchdog';

export interface GuardedProcess extends ProcessIdentity {
  readonly kind: GuardedKind;
}

/**
 * What the next start needs to stop what a killed run left (JSON, `<state dir>/processes.json` for the
 * CLI): the boot, the supervisor and every process it runs, each as pid and start time.
 */
export interface ProcessRecord {
  readonly bootId: string;
  readonly supervisor: ProcessIdentity;
  readonly processes: readonly GuardedProcess[];
  /** The shop's temp directory (nginx configs and logs); absent in records of earlier versions. */
  readonly tempDirs?: readonly string[];
}

/** Written whole and renamed: a supervisor killed mid-write leaves the previous record, never half of one. */
export function writeProcessRecord(file: string, record: ProcessRecord): void {
  const next = `${file}.next`;
  writeFileSync(next, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(next, file);
}

/** What stopLeftovers() found and stopped. */
export interface Leftovers {
  readonly supervisorPid: number;
  readonly stopped: readonly GuardedProcess[];
  /** Temp directories it left (the watchdog normally removes them). */
  readonly removedDirs: readonly string[];
}

/**
 * Reads the record a previous run left. Throws when that run's supervisor still runs (a shop is running
 * or starting); otherwise kills whatever it left that still runs, waits until it is gone, and removes
 * the record. undefined when there was no record, or it came from another boot.
 */
export async function stopLeftovers(recordFile: string): Promise<Leftovers | undefined> {
  const record = readProcessRecord(recordFile);
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
    const removedDirs = (record.tempDirs ?? []).filter((dir) => removeShopTempDir(dir));
    rmSync(recordFile, { force: true });
    return { supervisorPid: record.supervisor.pid, stopped, removedDirs };
  }
  rmSync(recordFile, { force: true });
  return undefined;
}

/**
 * `stopped 4 processes left by a killed run (pid 123): nginx 456, 457; replicas 458, 459; removed its temp
 * directory /tmp/sweetshop-local-x1Y2z3`, or undefined when it left nothing.
 */
export function describeLeftovers(leftovers: Leftovers): string | undefined {
  const { stopped, removedDirs, supervisorPid } = leftovers;
  const dirs = removedDirs.length > 0 ? `temp directory ${removedDirs.join(', ')}` : '';
  if (stopped.length === 0) return dirs ? `removed the ${dirs} left by a killed run (pid ${supervisorPid})` : undefined;
  const groups: Array<[string, GuardedKind]> = [
    ['nginx', 'nginx'],
    ['replicas', 'replica'],
    ['watchdog', 'watchdog'],
  ];
  const parts = groups
    .map(([label, kind]) => [label, stopped.filter((p) => p.kind === kind).map((p) => p.pid)] as const)
    .filter(([, pids]) => pids.length > 0)
    .map(([label, pids]) => `${label} ${pids.join(', ')}`);
  return `stopped ${stopped.length} processes left by a killed run (pid ${supervisorPid}): ${parts.join('; ')}${dirs ? `; removed its ${dirs}` : ''}`;
}

function readProcessRecord(recordFile: string): ProcessRecord | undefined {
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
  if (!isJsonObject(value)) return false;
  const record = value as Partial<ProcessRecord>;
  return (
    typeof record.bootId === 'string' &&
    isIdentity(record.supervisor) &&
    (record.tempDirs === undefined || (Array.isArray(record.tempDirs) && record.tempDirs.every((dir) => typeof dir === 'string'))) &&
    Array.isArray(record.processes) &&
    record.processes.every((p: unknown) => isIdentity(p) && ['nginx', 'replica', 'watchdog'].includes((p as GuardedProcess).kind))
  );
}

function isIdentity(value: unknown): value is ProcessIdentity {
  const identity = value as Partial<ProcessIdentity>;
  return isJsonObject(value) && Number.isInteger(identity.pid) && Number.isInteger(identity.startTime);
}
