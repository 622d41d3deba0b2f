import { execFile } from 'node:child_process';
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
