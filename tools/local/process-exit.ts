import type { ChildProcess } from 'node:child_process';

/** Resolves with the exit code (null when killed by a signal) once the child has exited; never rejects. */
export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    // spawn failures (ENOENT) emit 'error' and possibly no 'exit'
    child.once('error', () => resolve(child.exitCode ?? -1));
  });
}
