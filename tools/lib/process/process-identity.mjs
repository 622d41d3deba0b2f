// Plain JavaScript (types in process-identity.d.mts) because the watchdog loads it too: a .ts import
// would load Node's TypeScript stripper into the watchdog: tens of megabytes more RSS for a process that waits.
import { readdirSync, readFileSync } from 'node:fs';

// "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
// cstime priority nice num_threads itrealvalue starttime ...": comm may hold spaces and parentheses, so
// the fields are counted from after the last ')'.
/** @param {number} pid */
export function readProcStat(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone, or never existed
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    state: fields[0],
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuTicks: Number(fields[11]) + Number(fields[12]), // utime + stime, every thread of the process
    startTime: Number(fields[19]),
  };
}

// USER_HZ: the unit of utime and stime; 100 on every Linux architecture Node supports.
const CLOCK_TICKS_PER_SECOND = 100;

/** @param {number} pid */
export function identify(pid) {
  const stat = readProcStat(pid);
  return stat && stat.state !== 'Z' ? { pid, startTime: stat.startTime } : undefined;
}

/** @param {{ pid: number, startTime: number }} recorded */
export function isSameProcess(recorded) {
  return identify(recorded.pid)?.startTime === recorded.startTime;
}

/** @param {{ pid: number, startTime: number }} recorded */
export function killIfSame(recorded) {
  // Never init (kill(-1) would signal every process) nor this process: a record is a file, files get edited.
  if (!Number.isInteger(recorded.pid) || recorded.pid <= 1 || recorded.pid === process.pid) return false;
  const stat = readProcStat(recorded.pid);
  if (!stat || stat.state === 'Z') return killOrphanedGroup(recorded);
  if (stat.startTime !== recorded.startTime) return false;
  try {
    process.kill(stat.pgrp === recorded.pid ? -recorded.pid : recorded.pid, 'SIGKILL');
    return true;
  } catch {
    return false; // exited between the check and the kill
  }
}

/**
 * A group leader that has gone (an nginx master killed with -9, its supervisor too before it could
 * react) leaves its workers in its group. The kernel hands the group's id out again only once its
 * last member has gone, and members that started before the recorded leader cannot be its.
 * @param {{ pid: number, startTime: number }} recorded
 */
function killOrphanedGroup(recorded) {
  const members = groupMembers(recorded.pid).filter((pid) => (readProcStat(pid)?.startTime ?? -1) >= recorded.startTime);
  if (members.length === 0) return false;
  try {
    process.kill(-recorded.pid, 'SIGKILL');
    return true;
  } catch {
    return false; // exited between the check and the kill
  }
}

/**
 * CPU seconds (user + system) the process has used so far; undefined once it is gone.
 * @param {number} pid
 */
export function cpuSeconds(pid) {
  const stat = readProcStat(pid);
  return stat && stat.state !== 'Z' ? stat.cpuTicks / CLOCK_TICKS_PER_SECOND : undefined;
}

export function bootId() {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** @param {number} parent */
export function childPids(parent) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const stat = readProcStat(pid);
      return stat !== undefined && stat.ppid === parent && stat.state !== 'Z';
    });
}

/**
 * Live members of process group `group` other than its leader: an nginx master's workers, also once
 * the master is gone (they stay in its group; while any does, the kernel does not hand out its pid again).
 * @param {number} group
 */
export function groupMembers(group) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      if (pid === group) return false;
      const stat = readProcStat(pid);
      return stat !== undefined && stat.pgrp === group && stat.state !== 'Z';
    });
}
