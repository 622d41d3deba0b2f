import { local } from './local.ts';
import { production } from './production.ts';
import type { EnvironmentConfig } from './types.ts';

export type { EnvironmentConfig, SectionConfig, SectionName } from './types.ts';
export { SECTION_NAMES } from './types.ts';

/** Every environment `cdk8s synth` can render, by the name SWEETSHOP_ENV selects. */
export const environments: Readonly<Record<string, EnvironmentConfig>> = { local, production };

/** The environment called `name`; an unknown name fails with the list of known ones. */
export function environmentNamed(name: string): EnvironmentConfig {
  const env = Object.hasOwn(environments, name) ? environments[name] : undefined;
  if (!env) {
    throw new Error(`unknown environment '${name}': choose one of ${Object.keys(environments).join(', ')} (set SWEETSHOP_ENV)`);
  }
  return env;
}
