import { resolve } from 'node:path';

import type { EnvironmentConfig } from '../../config/index.ts';
import { staleProblem } from '../synth/stale-files.ts';
import type { CheckStep } from './runbook.ts';

/**
 * Deploy applies the committed dist/ (the manifests the pull request showed), so it first checks that
 * dist/ is what the environment renders now: an edit of config/environments/local.ts without `npm run synth`
 * would otherwise deploy the old manifests without a word.
 */
export function manifestsCurrentCheck(environment: EnvironmentConfig, dir: string): CheckStep {
  return {
    type: 'check',
    description: `${dir}/ is what the ${environment.name} environment renders now (else: npm run synth, review, commit)`,
    run: async (context) => {
      const problem = staleProblem(environment, resolve(context.cwd, dir), dir);
      if (problem !== undefined) throw new Error(`${problem}, then deploy`);
      context.log(`  ${dir}/ is current`);
    },
  };
}
