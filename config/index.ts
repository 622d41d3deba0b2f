import { local } from './environments/local.ts';
import { localGateway } from './environments/local-gateway.ts';
import { production } from './environments/production.ts';
import type { EnvironmentConfig } from './types.ts';

export type { AvailabilityConfig, EnvironmentConfig, GatewayConfig, IngressConfig, SectionConfig } from './types.ts';
export type { LoadBalancingAlgorithm, RoutingController, SectionName } from './vocabulary.ts';
export { SECTION_NAMES } from './vocabulary.ts';
export { environmentWarnings } from './warnings.ts';

/** Every environment `cdk8s synth` can render, by the name SWEETSHOP_ENV selects. */
export const environments: Readonly<Record<string, EnvironmentConfig>> = { local, 'local-gateway': localGateway, production };

/** The process environment variable that names the environment when no `--env` flag does. */
export const ENVIRONMENT_VARIABLE = 'SWEETSHOP_ENV';

/**
 * The environment called `name`; an unknown name fails with the list of known ones.
 * `source` says where the name came from (e.g. `--env` or `SWEETSHOP_ENV`), so the error points there.
 */
export function environmentNamed(name: string, source?: string): EnvironmentConfig {
  const environment = Object.hasOwn(environments, name) ? environments[name] : undefined;
  if (!environment) {
    const from = source === undefined ? '' : ` (from ${source})`;
    throw new Error(`unknown environment '${name}'${from}: choose one of ${Object.keys(environments).join(', ')}`);
  }
  return environment;
}

/**
 * The environment an entry point renders: the `--env` flag when given, else the SWEETSHOP_ENV variable
 * of `processEnv`, else `local`. Entry points pass process.env; nothing below them reads it.
 */
export function selectEnvironment(flag: string | undefined, processEnv: Readonly<Record<string, string | undefined>>): EnvironmentConfig {
  if (flag !== undefined) return environmentNamed(flag, '--env');
  const variable = processEnv[ENVIRONMENT_VARIABLE];
  return variable === undefined ? environmentNamed('local') : environmentNamed(variable, ENVIRONMENT_VARIABLE);
}
