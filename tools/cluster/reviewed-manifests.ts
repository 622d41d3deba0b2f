import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { EnvironmentConfig } from '../../app/environments/index.ts';
import { synthesizeInto } from '../../app/synth-to-dir.ts';
import type { CheckStep } from './runbook.ts';

/**
 * Deploy applies the committed dist/ (the manifests the pull request showed), so it first checks that
 * dist/ is what the environment renders now: an edit of app/environments/local.ts without `npm run synth`
 * would otherwise deploy the old manifests without a word.
 */
export function manifestsCurrentCheck(environment: EnvironmentConfig, dir: string): CheckStep {
  return {
    type: 'check',
    description: `${dir}/ is what the ${environment.name} environment renders now (else: npm run synth, review, commit)`,
    run: async (context) => {
      const stale = staleFiles(environment, resolve(context.cwd, dir)).map((file) => `${dir}/${file}`);
      if (stale.length > 0) {
        throw new Error(
          `${dir}/ is not what app/environments/${environment.name}.ts renders now (${stale.join(', ')} differs): ` +
            'run `npm run synth`, review the diff and commit it, then deploy',
        );
      }
      context.log(`  ${dir}/ is current`);
    },
  };
}

/** The files (as `<dir>/<file>`) that differ between `dir` and a fresh render, missing or extra ones included. */
function staleFiles(environment: EnvironmentConfig, dir: string): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'sweetshop-deploy-check-'));
  try {
    const fresh = join(scratch, 'out');
    const rendered = synthesizeInto(environment, fresh);
    const present = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.k8s.yaml')) : [];
    const names = [...new Set([...rendered, ...present])].sort();
    return names.filter((file) => {
      if (!rendered.includes(file) || !present.includes(file)) return true;
      return readFileSync(join(dir, file), 'utf8') !== readFileSync(join(fresh, file), 'utf8');
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
