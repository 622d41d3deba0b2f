import type { EnvironmentConfig } from '../../app/environments/index.ts';
import { SECTION_NAMES } from '../../app/environments/index.ts';
import { kubectl, ROLLOUT_TIMEOUT, type Provider } from './cluster.ts';
import { commandStep, type Plan } from './plan.ts';

/** Synthesizes the environment into dist/, applies it, and waits for every section's rollout. */
export function deployPlan(provider: Provider, env: EnvironmentConfig): Plan {
  return {
    steps: [
      commandStep(['npm', 'run', '--silent', 'synth', '--', '--env', env.name]),
      commandStep(kubectl(provider, 'apply', '--filename', 'dist/')),
      ...SECTION_NAMES.map((section) =>
        commandStep(kubectl(provider, '--namespace', env.namespace, 'rollout', 'status', `deployment/${section}`, `--timeout=${ROLLOUT_TIMEOUT}`)),
      ),
    ],
  };
}
