import { readdirSync, readFileSync } from 'node:fs';

import { pollUntil } from '../../../tools/lib/poll-until.ts';
import { identify, readProcStat } from '../../../tools/lib/process/process-identity.mjs';

function allPids(): string[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
}

/** Processes whose environment carries this TMPDIR: the replicas a supervisor started inherit it. */
export function processesWithTmpdir(dir: string): number[] {
  return allPids()
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`TMPDIR=${dir}`);
      } catch {
        return false; // exited, or not ours to read
      }
    })
    .map(Number);
}

/**
 * Live (not zombie) processes in these process groups. nginx overwrites its environment with its
 * process title, so its workers are found by group: they stay in their master's group.
 */
export function processesInGroups(groups: readonly number[]): number[] {
  return allPids()
    .filter((pid) => {
      const stat = readProcStat(Number(pid));
      return stat !== undefined && stat.state !== 'Z' && groups.includes(stat.pgrp);
    })
    .map(Number);
}

/** Live children of `parent` whose command line contains `word`. */
export function childrenWithCommand(parent: number, word: string): number[] {
  return allPids()
    .filter((pid) => {
      try {
        return readProcStat(Number(pid))?.ppid === parent && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(word);
      } catch {
        return false; // gone between the two reads
      }
    })
    .map(Number);
}

/** True while the process runs; a zombie (killed, not yet reaped by its new parent) does not count. */
export function isRunning(pid: number): boolean {
  return identify(pid) !== undefined;
}

/**
 * Polls `list` until it is empty or `timeoutMs` passed, and returns its last value. For processes that
 * were sent SIGKILL without waiting: the kernel tears them down shortly after kill() returns.
 */
export async function eventuallyEmpty<T>(list: () => T[], timeoutMs = 5_000): Promise<T[]> {
  let left: T[] = [];
  await pollUntil(
    () => {
      left = list();
      return left.length === 0;
    },
    timeoutMs,
    50,
  );
  return left;
}
