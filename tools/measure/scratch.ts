import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';

/** Git-ignored scratch space of bench and capacity: cached stock cdk8s layout, server logs, the last results. */
export const SCRATCH_DIR = join(REPO_ROOT, '.bench');

/**
 * A fresh log directory under .bench/<area>/; earlier runs' logs there are removed (a full run's
 * request logs reach hundreds of MB). Bench and capacity use separate areas so neither deletes the
 * other's open logs.
 */
export function createLogDir(area: 'logs' | 'capacity-logs' = 'logs'): string {
  rmSync(join(SCRATCH_DIR, area), { recursive: true, force: true });
  const dir = join(SCRATCH_DIR, area, new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}
