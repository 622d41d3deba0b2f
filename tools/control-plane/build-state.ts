// What is built and whether it is current: each wrapper module's programs in .control-plane/bin, and a
// stamp per module recording the digest of the inputs they were built from (go.mod, go.sum, the build
// settings). A program is reused while its module's digest is unchanged; anything else rebuilds it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { GO_MODULES, type GoModule } from './programs.ts';

/** Where the built programs go (git-ignored), relative to the repository root: how runbooks name them. */
export const BIN_FOLDER = '.control-plane/bin';
export const BIN_DIR = join(REPO_ROOT, BIN_FOLDER);
/** Where the manifests copied from the modules go (see GoModule.manifests). */
export const MANIFESTS_FOLDER = '.control-plane/manifests';
export const MANIFESTS_DIR = join(REPO_ROOT, MANIFESTS_FOLDER);
export const STAMP_DIR = join(REPO_ROOT, '.control-plane', 'stamps');
const MODULES_DIR = join(REPO_ROOT, 'tools', 'control-plane', 'go');

/** The folder of a wrapper module's go.mod. */
export function moduleDir(module: GoModule): string {
  return join(MODULES_DIR, module.name);
}

/** Absolute path of a built program. */
export function programPath(name: string, binDir = BIN_DIR): string {
  return join(binDir, name);
}

/** The stamp written after a module's programs were built. */
export interface BuildStamp {
  readonly digest: string;
  readonly goVersion: string;
  readonly seconds: number;
}

/** sha256 over the module's go.mod, go.sum and build settings: what the programs are a function of (with the Go version). */
export function sourceDigest(module: GoModule): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(moduleDir(module), file)));
  hash.update(JSON.stringify({ programs: module.programs, tags: module.tags, stamp: module.stamp, manifests: module.manifests }));
  return hash.digest('hex');
}

export function stampPath(module: GoModule, stampDir = STAMP_DIR): string {
  return join(stampDir, `${module.name}.json`);
}

export function readStamp(module: GoModule, stampDir = STAMP_DIR): BuildStamp | undefined {
  const path = stampPath(module, stampDir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

/** Why the module must be built, or undefined when its programs are current for `goVersion` (any Go when undefined). */
export function staleReason(module: GoModule, goVersion?: string, binDir = BIN_DIR, stampDir = STAMP_DIR): string | undefined {
  const missing = Object.keys(module.programs).filter((name) => !existsSync(programPath(name, binDir)));
  if (missing.length > 0) return `${missing.join(', ')} not built`;
  const copies = Object.keys(module.manifests ?? {}).filter((name) => !existsSync(join(MANIFESTS_DIR, name)));
  if (copies.length > 0) return `${copies.join(', ')} not copied`;
  const stamp = readStamp(module, stampDir);
  if (stamp === undefined) return 'no build stamp';
  if (stamp.digest !== sourceDigest(module)) return 'go.mod, go.sum or build settings changed';
  if (goVersion !== undefined && stamp.goVersion !== goVersion) return `built with ${stamp.goVersion}, now ${goVersion}`;
  return undefined;
}

/**
 * One line saying which programs are missing or stale and how to build them, or undefined when every
 * program is current. Tests that need the control plane gate on this (test/support/control-plane.ts).
 */
export function controlPlaneProblem(modules: readonly GoModule[] = GO_MODULES): string | undefined {
  const stale = modules.flatMap((module) => {
    const reason = staleReason(module);
    return reason === undefined ? [] : [`${module.name} (${reason})`];
  });
  if (stale.length === 0) return undefined;
  return `the control plane is not built or out of date: ${stale.join('; ')}: run \`npm run control-plane:build\``;
}
