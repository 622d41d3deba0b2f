import { delimiter, join } from 'node:path';

/** PATH as a shell outside npm sees it: without any project's node_modules/.bin. */
export const SYSTEM_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.endsWith(join('node_modules', '.bin')))
  .join(delimiter);

/**
 * The environment of a fresh shell: none of the variables npm sets for the test run (npm_*, NODE_OPTIONS),
 * no CDK8S_* opt-outs, no project bin folder on PATH; `extra` on top.
 */
export function freshShellEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(npm_|NODE_OPTIONS$|CDK8S_)/i.test(name));
  return { ...Object.fromEntries(inherited), PATH: SYSTEM_PATH, ...extra };
}
