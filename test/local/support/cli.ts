import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO_ROOT } from '../../../tools/lib/repo-root.ts';

const run = promisify(execFile);
export const LOCAL_MAIN = join(REPO_ROOT, 'tools', 'local', 'main.ts');

/** `npm run local -- args` without npm: the same command package.json runs. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [LOCAL_MAIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
}

/** What a failed `cli()` rejects with. */
export interface CliFailure {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A supervisor started in the background (`npm run local` in a terminal). */
export interface RunningCli {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Resolves once the output matches; rejects if the process exits first or the time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, [LOCAL_MAIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  return watchCli(child);
}

/** Collects a started CLI's output (also for one started through npm). */
export function watchCli(child: ChildProcess): RunningCli {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) => waitForOutput(child, () => output, pattern, timeoutMs),
  };
}

function waitForOutput(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output()}`)), timeoutMs);
    const check = (): void => {
      if (pattern.test(output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    check();
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code ?? signal} before ${pattern}; output:\n${output()}`));
    });
  });
}

/** The table's running, ready replica rows: `section id port pid restarts running`. */
export function replicaRows(output: string): Array<{ section: string; id: string; port: number; pid: number }> {
  return [...output.matchAll(/^(\S+)\s+(\S+-\S+-\S+)\s+(\d+)\s+(\d+)\s+\d+\s+running$/gm)].map((m) => ({
    section: m[1]!,
    id: m[2]!,
    port: Number(m[3]),
    pid: Number(m[4]),
  }));
}

/** The nginx masters the supervisor logged (`nginx balancer <pid> ...`, `nginx front <pid> ...`). */
export function nginxPids(output: string): number[] {
  return [...output.matchAll(/nginx (?:balancer|front) (\d+)/g)].map((m) => Number(m[1]));
}
