import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { EnvironmentConfig } from '../../config/types.ts';
import { type BuildApp, refusalLines, synthRefusal } from './synth-check.ts';

/** Where the environments module lives, newest layout first (before config/ existed, it was under app/). */
const ENVIRONMENTS_MODULES = ['config/index.ts', 'app/environments/index.ts'];
const BUILD_APP_MODULE = 'app/build-app.ts';
/** What the environments and the app builder import at a ref; `imports/` holds generated constructs charts may use. */
const SOURCE_PATHS = ['config', 'app', 'charts', 'imports', 'package.json'];

/** The environments of config/index.ts (app/environments/index.ts in older layouts) at a git ref, and which of them synth refused there. */
export interface EnvironmentsAtRef {
  /** Plain data (a JSON copy), by name. */
  readonly environments: Record<string, unknown>;
  /**
   * Why synth at that ref refuses an environment, by name: its validation problems, or the error. Checked
   * with that ref's own app/build-app.ts, so a later rule does not make an older commit look broken.
   */
  readonly refused: Record<string, readonly string[]>;
  /** Set when the ref's app builder could not be loaded, so nothing was checked: why. */
  readonly unchecked?: string;
}

/**
 * The environments as they were at `ref` in the git repository at `repoDir`: `git archive` extracts the
 * sources into a temp folder (no worktree, nothing in .git changes), which is imported, rendered in memory
 * and removed. Empty when the ref has no environments module yet.
 */
export async function environmentsAtRef(repoDir: string, ref: string): Promise<EnvironmentsAtRef> {
  const git = (args: string[]) => execFileSync('git', ['-C', repoDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--base '${ref}' is not a commit in ${repoDir}; use a branch, tag or sha (e.g. origin/main)`);
  }
  const environmentsModule = ENVIRONMENTS_MODULES.find((path) => hasPath(git, ref, path));
  if (environmentsModule === undefined) return { environments: {}, refused: {} };
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-plan-base-'));
  try {
    const paths = SOURCE_PATHS.filter((path) => hasPath(git, ref, path));
    // Through a file: the sources (with the generated imports/) are megabytes, past execFileSync's pipe buffer.
    const archive = join(dir, 'sources.tar');
    git(['archive', '--format=tar', `--output=${archive}`, ref, ...paths]);
    execFileSync('tar', ['-x', '-f', archive, '-C', dir]);
    rmSync(archive);
    symlinkSync(join(repoDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const module = await importAt<{ environments?: Record<string, unknown> }>(dir, environmentsModule, ref);
    if (module.environments === undefined) throw new Error(`${environmentsModule} at ${ref} has no 'environments' export`);
    const environments = JSON.parse(JSON.stringify(module.environments)) as Record<string, unknown>;
    return { environments, ...(await refusalsAt(dir, ref, module.environments)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders each environment with the ref's own app builder; a ref without one (older layouts) has nothing to check. */
async function refusalsAt(
  dir: string,
  ref: string,
  environments: Record<string, unknown>,
): Promise<Omit<EnvironmentsAtRef, 'environments'>> {
  if (!existsSync(join(dir, BUILD_APP_MODULE))) return { refused: {} };
  let build: BuildApp;
  try {
    build = (await importAt<{ buildApp: BuildApp }>(dir, BUILD_APP_MODULE, ref)).buildApp;
  } catch (error) {
    return { refused: {}, unchecked: (error as Error).message };
  }
  const refused: Record<string, readonly string[]> = {};
  for (const [name, environment] of Object.entries(environments)) {
    const error = synthRefusal(environment as EnvironmentConfig, build);
    if (error !== undefined) refused[name] = refusalLines(error);
  }
  return { refused };
}

async function importAt<T>(dir: string, path: string, ref: string): Promise<T> {
  try {
    return (await import(pathToFileURL(join(dir, path)).href)) as T;
  } catch (error) {
    throw new Error(`could not load ${path} at ${ref}: ${error instanceof Error ? error.message : String(error)}`);
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
