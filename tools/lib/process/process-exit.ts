import type { ChildProcess } from 'node:child_process';

/** How a process ended, as Node reports it: one of the two is set. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** `exited with code 1` or `killed by SIGKILL`. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** True once the child has exited or was killed by a signal. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves with the exit code (null when killed by a signal) once the child has exited; never rejects. */
export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (hasExited(child)) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    // spawn failures (ENOENT) emit 'error' and possibly no 'exit'
    child.once('error', () => resolve(child.exitCode ?? -1));
  });
}

/** Sends `signal`, then `forceKill()` if the child has not exited within the timeout; resolves once it has. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  signal: NodeJS.Signals,
  timeoutMs: number,
  forceKill = (): unknown => child.kill('SIGKILL'),
): Promise<void> {
  if (hasExited(child)) return;
  child.kill(signal);
  const timer = setTimeout(forceKill, timeoutMs);
  await exited;
  clearTimeout(timer);
}
