import { buildApp } from '../../app/build-app.ts';
import type { EnvironmentConfig } from '../../config/types.ts';

/** What an App builder needs to render one environment (app/build-app.ts, here or at an older commit). */
export type BuildApp = (environment: EnvironmentConfig, outdir: string) => { synthYaml(): string };

/**
 * Why `npm run synth` would refuse `environment`, or undefined when it renders. Runs the same code synth
 * runs (validation, then every construct and cdk8s validation) and keeps the YAML in memory, so `plan`
 * cannot print a table for an environment that synth refuses. `outdir` is never written.
 */
export function synthRefusal(environment: EnvironmentConfig, build: BuildApp = buildApp): Error | undefined {
  try {
    build(environment, 'plan-renders-in-memory').synthYaml();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The refusal as lines for the plan: each field problem when validation listed them, else the error's message. */
export function refusalLines(error: Error): string[] {
  const problems = (error as { problems?: unknown }).problems;
  if (Array.isArray(problems) && problems.every((problem) => typeof problem === 'string')) return problems;
  return [error.message];
}
