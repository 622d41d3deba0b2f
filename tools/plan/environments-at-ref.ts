import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ENVIRONMENTS_MODULE = 'app/environments/index.ts';

/**
 * The `environments` export of app/environments/index.ts as it was at `ref` in the git repository at
 * `repoDir`: `git archive` extracts app/ and package.json into a temp folder (no worktree, nothing in .git
 * changes), which is imported and removed. Returns {} when the ref has no environments module yet.
 */
export async function environmentsAtRef(repoDir: string, ref: string): Promise<Record<string, unknown>> {
  const git = (args: string[]) => execFileSync('git', ['-C', repoDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--base '${ref}' is not a commit in ${repoDir}; use a branch, tag or sha (e.g. origin/main)`);
  }
  if (!hasPath(git, ref, ENVIRONMENTS_MODULE)) return {};
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-plan-base-'));
  try {
    const paths = ['app', 'package.json', ...(hasPath(git, ref, 'charts') ? ['charts'] : [])];
    execFileSync('tar', ['-x', '-C', dir], { input: git(['archive', '--format=tar', ref, ...paths]) });
    symlinkSync(join(repoDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const module = (await import(pathToFileURL(join(dir, ENVIRONMENTS_MODULE)).href)) as { environments?: Record<string, unknown> };
    if (module.environments === undefined) throw new Error(`${ENVIRONMENTS_MODULE} at ${ref} has no 'environments' export`);
    return JSON.parse(JSON.stringify(module.environments)) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hasPath(git: (args: string[]) => Buffer, ref: string, path: string): boolean {
  try {
    git(['cat-file', '-e', `${ref}:${path}`]);
    return true;
  } catch {
    return false;
  }
}
