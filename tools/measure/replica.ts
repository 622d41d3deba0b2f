import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { ephemeralPort } from '../lib/process/ports.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { type ServerProcess, startServer } from './processes.ts';

const COMPILED_SERVER = join(REPO_ROOT, 'service', 'build', 'server.js');

/**
 * Compiles the service once (`npm run build:service`) so replicas run as deployed: plain node on
 * compiled JavaScript, no TypeScript loader.
 */
export function buildService(progress: (message: string) => void): void {
  progress('compiling the service (npm run build:service)');
  try {
    execFileSync('npm', ['run', '--silent', 'build:service'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const output = String((error as { stdout?: Buffer }).stdout ?? '') + String((error as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`npm run build:service failed:\n${output.trim()}`);
  }
  if (!existsSync(COMPILED_SERVER)) throw new Error(`npm run build:service did not produce ${COMPILED_SERVER}`);
}

export interface ReplicaOptions {
  section: string;
  logFile: string;
  /** Extra environment, e.g. the test-hook delay. */
  env?: Record<string, string>;
  /** The node binary. @default the one running this process (the project's Node 24) */
  node?: string;
}

/** The command line a replica runs with (shown in the report). */
export const REPLICA_COMMAND = 'node service/build/server.js';

/** One service replica as deployed: compiled, LOG_LEVEL default (info), metrics on, on a free port. */
export async function startReplica(options: ReplicaOptions): Promise<ServerProcess> {
  const port = await ephemeralPort();
  return startServer({
    name: `${options.section} replica`,
    command: options.node ?? process.execPath,
    args: [COMPILED_SERVER],
    cwd: REPO_ROOT,
    env: { PORT: String(port), SHOP_SECTION: options.section, REPLICA_ID: `bench-${port}`, ...options.env },
    port,
    readyPath: '/readyz',
    logFile: options.logFile,
  });
}
