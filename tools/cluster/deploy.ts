import type { EnvironmentConfig } from '../../app/environments/index.ts';
import { SECTION_NAMES } from '../../app/environments/index.ts';
import { kubectl, type Provider, rolloutStatus } from './cluster.ts';
import { GATEWAY_NAME } from './envoy-gateway.ts';
import { commandStep, type Runbook } from './runbook.ts';

/** Where deploy renders each environment (git-ignored): the committed dist/ holds only `local`. */
export const MANIFESTS_DIR = '.cluster/manifests';

/**
 * Synthesizes the environment into MANIFESTS_DIR/<env>, applies it, and waits for every section's
 * rollout and for a Gateway it renders to be programmed (Envoy Gateway has started its proxy). Never
 * into dist/: deploying another environment would overwrite the committed manifests.
 */
export function deployRunbook(provider: Provider, env: EnvironmentConfig): Runbook {
  const outdir = `${MANIFESTS_DIR}/${env.name}`;
  return {
    steps: [
      // npm run synth stages next to its output folder, so the parent must exist.
      commandStep(['mkdir', '-p', MANIFESTS_DIR]),
      commandStep(['npm', 'run', '--silent', 'synth', '--', '--env', env.name, '--out', outdir]),
      commandStep(kubectl(provider, 'apply', '--filename', outdir)),
      ...SECTION_NAMES.map((section) => commandStep(rolloutStatus(provider, env.namespace, section))),
      ...(env.gateway?.className === undefined
        ? []
        : [
            commandStep(
              kubectl(
                provider,
                '--namespace',
                env.namespace,
                'wait',
                '--for=condition=Programmed',
                `gateway/${GATEWAY_NAME}`,
                '--timeout=180s',
              ),
            ),
          ]),
    ],
  };
}
