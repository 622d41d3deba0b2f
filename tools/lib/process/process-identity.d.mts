/**
 * A process as the kernel identifies it: a pid is reused once its process is gone, a pid plus its start
 * time (clock ticks after boot, /proc/<pid>/stat) is not, within one boot. Linux only (/proc).
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: number;
}

/** The fields of /proc/<pid>/stat this project reads; undefined once the process is gone (or never was). */
export function readProcStat(pid: number): { state: string; ppid: number; pgrp: number; cpuTicks: number; startTime: number } | undefined;

/** The identity of a running process; undefined once it is gone (a zombie counts as gone: it holds no port). */
export function identify(pid: number): ProcessIdentity | undefined;

/** True while the recorded process still runs, and its pid has not been given to another one. */
export function isSameProcess(recorded: ProcessIdentity): boolean;

/**
 * SIGKILLs the recorded process, and with it its process group when it leads one (nginx's workers are
 * in their master's group; killing the master alone lets it respawn a worker before it dies), also
 * when the recorded leader has gone and left members of its group (a master killed with -9). Does
 * nothing when the pid now belongs to another process, or is init's or this process's own. Returns
 * whether it sent the signal.
 */
export function killIfSame(recorded: ProcessIdentity): boolean;

/**
 * CPU seconds (user + system, all threads) the process has used so far, from /proc/<pid>/stat, in steps
 * of one clock tick (10 ms); undefined once it is gone or a zombie.
 */
export function cpuSeconds(pid: number): number | undefined;

/** Changes at every boot: start times from another boot identify nothing. */
export function bootId(): string;

/** Pids of the live children of `parent` (nginx's workers are its master's children). */
export function childPids(parent: number): number[];

/** Pids of the live members of process group `group` except its leader (an nginx master's workers, also once it is gone). */
export function groupMembers(group: number): number[];
