import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { BenchProfile } from './profile.ts';

/** Repository root (tools/bench/ is two levels down). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Git-ignored scratch space: cached stock cdk8s layout, server logs, the last results. */
export const BENCH_DIR = join(REPO_ROOT, '.bench');

/** What every benchmark receives: its profile and a way to report progress. */
export interface BenchContext {
  profile: BenchProfile;
  progress(message: string): void;
  /** Directory for this run's server logs. */
  logDir: string;
}

/**
 * A fresh log directory under .bench/<area>/; earlier runs' logs there are removed (a full run's
 * request logs reach hundreds of MB). Bench and capacity use separate areas so neither deletes the
 * other's open logs.
 */
export function createLogDir(area: 'logs' | 'capacity-logs' = 'logs'): string {
  rmSync(join(BENCH_DIR, area), { recursive: true, force: true });
  const dir = join(BENCH_DIR, area, new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}
