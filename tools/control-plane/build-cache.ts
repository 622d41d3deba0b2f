// A cache of built programs outside the checkout, keyed by what they were built from (the module's source
// digest and the Go version). A fresh clone, a second worktree or CI on a machine that built them once
// then restores them in a second instead of relinking each (Go's own build cache makes a rebuild mostly
// links, but nine links of programs tens to hundreds of megabytes large take minutes on 2 cores: docs/benchmarks.md, section 7). Files are hard-linked where the
// cache and the checkout share a file system, so a restore costs no disk.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { BIN_DIR, MANIFESTS_DIR, programPath, sourceDigest } from './build-state.ts';
import type { GoModule } from './programs.ts';

/** SWEETSHOP_CONTROL_PLANE_CACHE, else $XDG_CACHE_HOME/sweetshop/control-plane, else ~/.cache/sweetshop/control-plane. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SWEETSHOP_CONTROL_PLANE_CACHE) return env.SWEETSHOP_CONTROL_PLANE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sweetshop', 'control-plane');
}

function entryDir(module: GoModule, go: string, root: string): string {
  const key = createHash('sha256')
    .update(`${sourceDigest(module)} ${go}`)
    .digest('hex')
    .slice(0, 20);
  return join(root, `${module.name}-${key}`);
}

/** Hard link, or copy across file systems; `to` is replaced atomically. */
function place(from: string, to: string): void {
  const partial = `${to}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  try {
    linkSync(from, partial);
  } catch {
    copyFileSync(from, partial);
  }
  renameSync(partial, to);
}

/** Puts the module's programs and manifests in place from the cache; false when the cache has no complete entry. */
export function restoreFromCache(module: GoModule, go: string, root = cacheRoot()): boolean {
  const entry = entryDir(module, go, root);
  if (!existsSync(join(entry, 'complete'))) return false;
  mkdirSync(BIN_DIR, { recursive: true });
  for (const program of Object.keys(module.programs)) place(join(entry, 'bin', program), programPath(program));
  for (const name of Object.keys(module.manifests ?? {})) {
    rmSync(join(MANIFESTS_DIR, name), { recursive: true, force: true });
    cpSync(join(entry, 'manifests', name), join(MANIFESTS_DIR, name), { recursive: true });
  }
  return true;
}

/** Records the module's freshly built programs and manifests; a failure to write the cache only costs the next restore. */
export function saveToCache(module: GoModule, go: string, root = cacheRoot()): string | undefined {
  const entry = entryDir(module, go, root);
  const staging = `${entry}.partial-${process.pid}`;
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'bin'), { recursive: true });
    for (const program of Object.keys(module.programs)) place(programPath(program), join(staging, 'bin', program));
    for (const name of Object.keys(module.manifests ?? {})) {
      cpSync(join(MANIFESTS_DIR, name), join(staging, 'manifests', name), { recursive: true });
    }
    writeFileSync(join(staging, 'complete'), '');
    rmSync(entry, { recursive: true, force: true });
    renameSync(staging, entry);
    return undefined;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    return error instanceof Error ? error.message : String(error);
  }
}
