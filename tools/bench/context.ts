import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';
import type { BenchProfile } from './profile.ts';

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
