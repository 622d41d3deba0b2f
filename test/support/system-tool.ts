import assert from 'node:assert/strict';
import { test } from 'node:test';

import { findExecutable } from '../../tools/lib/find-executable.ts';

/**
 * Gate for suites that need something outside the repository (a system tool, a built program, fetched
 * documents). Returns the value for node:test's `skip` option: false when `problem` is undefined. Otherwise
 * CI (CI=true) gets a failing test named `requirement`, and a laptop gets one loud line naming the fix,
 * so `npm test` still passes for a newcomer.
 */
export function skipWhen(problem: string | undefined, requirement: string): false | string {
  if (problem === undefined) return false;
  if (process.env.CI === 'true') {
    test(`${requirement} (required when CI=true)`, () => {
      assert.fail(problem);
    });
  } else {
    console.warn(`\n!!! SKIPPING: ${problem} !!!\n`);
  }
  return problem;
}

/** Gate for suites that need a system tool (nginx, buildah, podman): `installCommand` is the fix. */
export function skipUnlessInstalled(tool: string, installCommand: string): false | string {
  const problem = findExecutable(tool) ? undefined : `${tool} is not installed: run \`${installCommand}\` to run these tests`;
  return skipWhen(problem, `system tool ${tool} is installed`);
}
