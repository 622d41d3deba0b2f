import type { EnvironmentConfig } from './types.ts';

// Placeholder until the full validator lands: accepts everything.
export function validateEnvironment(env: EnvironmentConfig): EnvironmentConfig {
  return env;
}
