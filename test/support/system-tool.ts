import assert from 'node:assert/strict';
import { test } from 'node:test';

import { findExecutable } from '../../tools/lib/find-executable.ts';

/**
 * Gate for suites that need a system tool (nginx, buildah, podman).
 * Returns the value for node:test's `skip` option: false when the tool is installed.
 * When it is missing, CI (CI=true) gets a failing test, and a laptop gets one loud line naming the
 * install command, so `npm test` still passes for a newcomer.
 */
export function skipUnlessInstalled(tool: string, installCommand: string): false | string {
  if (findExecutable(tool)) return false;
  const reason = `${tool} is not installed: run \`${installCommand}\` to run these tests`;
  if (process.env.CI === 'true') {
    test(`system tool ${tool} is installed (required when CI=true)`, () => {
      assert.fail(reason);
    });
  } else {
    console.warn(`\n!!! SKIPPING: ${reason} !!!\n`);
  }
  return reason;
}
