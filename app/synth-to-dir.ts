import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import type { EnvironmentConfig } from '../config/types.ts';
import { buildApp } from './build-app.ts';

/**
 * Renders `environment` into `outdir` without ever leaving it half-written or emptied: synthesis goes to a
 * sibling temp folder (same filesystem, so renames are atomic), and only a complete result replaces
 * `outdir`. Between the two renames the old copy is still on disk as `.<outdir>.staging-*.old`.
 * The folder gets the usual mode (0777 minus the umask, e.g. 755), not mkdtemp's private 700.
 * Returns the manifest file names written.
 */
export function synthesizeInto(environment: EnvironmentConfig, outdir: string): string[] {
  const target = resolve(outdir);
  const staging = join(dirname(target), `.${basename(target)}.staging-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging);
  try {
    buildApp(environment, staging).synth();
    const files = readdirSync(staging).filter((file) => file.endsWith('.k8s.yaml'));
    if (files.length === 0) throw new Error(`synthesis produced no *.k8s.yaml file for environment '${environment.name}'`);
    const retired = `${staging}.old`;
    let hadPrevious = true;
    try {
      renameSync(target, retired);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      hadPrevious = false;
    }
    try {
      renameSync(staging, target);
    } catch (error) {
      if (hadPrevious) renameSync(retired, target);
      throw error;
    }
    if (hadPrevious) rmSync(retired, { recursive: true, force: true });
    return files.sort();
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
