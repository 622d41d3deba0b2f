import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { makeErasable } from './erasable.ts';

const CDK8S = join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s');

/**
 * Runs `cdk8s import` for cdk8s.yaml's `imports` (the CRD files under crds/) and writes the generated
 * modules, made erasable, into `outDir`. Returns the file names written.
 */
export function generateImports(outDir: string): string[] {
  const raw = mkdtempSync(join(tmpdir(), 'sweetshop-import-'));
  try {
    const run = spawnSync(CDK8S, ['import', '--output', raw], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      encoding: 'utf8',
    });
    if (run.status !== 0)
      throw new Error(`cdk8s import failed (exit ${run.status ?? run.signal}):\n${`${run.stdout}${run.stderr}`.trim()}`);
    const files = readdirSync(raw)
      .filter((file) => file.endsWith('.ts'))
      .sort();
    if (files.length === 0) throw new Error('cdk8s import wrote no module: is cdk8s.yaml missing its `imports` list?');
    mkdirSync(outDir, { recursive: true });
    for (const file of files) writeFileSync(join(outDir, file), makeErasable(readFileSync(join(raw, file), 'utf8'), file));
    return files;
  } finally {
    rmSync(raw, { recursive: true, force: true });
  }
}
