import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

import { pollUntil } from '../lib/poll-until.ts';
import { probeStatus } from '../lib/process/http-probe.ts';
import { hasExited, stopChild, waitForExit } from '../lib/process/process-exit.ts';
import { cpuSeconds } from '../lib/process/process-identity.mjs';

export interface ServerProcess {
  pid: number;
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** Human name for error messages. */
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  /** Path polled until it answers 2xx. */
  readyPath: string;
  /** stdout and stderr go to this file (a pipe into this process would tax the load generator). */
  logFile: string;
  cwd?: string;
  timeoutMs?: number;
}

/** Starts a server process on 127.0.0.1:port and waits until `readyPath` answers 2xx. */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = waitForExit(child);
  // A failed spawn emits 'error' and never 'exit': keep the error for the message.
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  // A benchmark that throws, or a Ctrl-C that ends the bench through process.exit, must not leave the
  // server running on its port: 'exit' listeners run on both paths, and SIGKILL is all they can do.
  const killOnExit = (): void => {
    if (!hasExited(child)) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const url = `http://127.0.0.1:${options.port}`;
  const handle: ServerProcess = { pid: child.pid ?? -1, url, port: options.port, stop: () => stopChild(child, exited, 'SIGTERM', 5000) };
  try {
    await waitUntilReady(() => spawnError ?? (child.exitCode !== null ? `exited with code ${child.exitCode}` : undefined), options);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}

async function waitUntilReady(failure: () => Error | string | undefined, options: StartServerOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  let lastProblem = 'no answer yet';
  const ready = await pollUntil(
    async () => {
      const failed = failure();
      if (failed !== undefined) {
        throw new Error(
          `${options.name} ${typeof failed === 'string' ? failed : `could not start: ${failed.message}`} before it was ready (log: ${options.logFile})`,
        );
      }
      const status = await probeStatus(options.port, options.readyPath);
      if (status !== 0) lastProblem = `HTTP ${status}`;
      return status >= 200 && status < 300;
    },
    timeoutMs,
    100,
  );
  if (!ready) {
    throw new Error(
      `${options.name} was not ready at http://127.0.0.1:${options.port}${options.readyPath} after ${timeoutMs} ms (${lastProblem}; log: ${options.logFile})`,
    );
  }
}

/** Resident set size of a process in MiB, from /proc/<pid>/status (VmRSS, or VmHWM for the peak). */
export function readRssMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field} line`);
  return Number(match[1]) / 1024;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (local mode's one parser of it). */
export function readCpuSeconds(pid: number): number {
  const seconds = cpuSeconds(pid);
  if (seconds === undefined) throw new Error(`process ${pid} is gone: no /proc/${pid}/stat`);
  return seconds;
}

/** Measures the CPU cores a set of processes used while `work` ran. */
export async function measureCpu<T>(pids: number[], work: () => Promise<T>): Promise<{ value: T; cores: number }> {
  const before = pids.map(readCpuSeconds);
  const started = process.hrtime.bigint();
  const value = await work();
  const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
  const used = pids.reduce((sum, pid, index) => sum + readCpuSeconds(pid) - before[index]!, 0);
  return { value, cores: Math.round((used / elapsedSec) * 1000) / 1000 };
}

/** Samples a process's RSS (MiB) every `intervalMs` while `work` runs, and once more at the end. */
export async function sampleRss<T>(pid: number, work: () => Promise<T>, intervalMs = 200): Promise<{ value: T; samplesMiB: number[] }> {
  const samplesMiB: number[] = [];
  const sampler = setInterval(() => samplesMiB.push(readRssMiB(pid)), intervalMs);
  try {
    const value = await work();
    samplesMiB.push(readRssMiB(pid));
    return { value, samplesMiB };
  } finally {
    clearInterval(sampler);
  }
}
