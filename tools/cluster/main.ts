import { createInterface } from 'node:readline/promises';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { HELP, runbookFor } from './cli.ts';
import { missingToolsMessage } from './required-tools.ts';
import { describeRunbook, executeRunbook, toolsOf } from './runbook.ts';

/** Prefix of the one-line error: the npm script once known, so the user sees which step failed. */
let label = 'cluster';

async function main(): Promise<void> {
  const parsed = runbookFor(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(HELP);
    return;
  }
  const { name, runbook, dryRun } = parsed;
  label = name;
  if (dryRun) {
    for (const line of describeRunbook(runbook)) console.log(line);
    return;
  }
  const missing = missingToolsMessage(toolsOf(runbook));
  if (missing) throw new Error(missing);
  const started = Date.now();
  await executeRunbook(runbook, { cwd: REPO_ROOT, env: process.env, log: (line) => console.log(line), confirm: terminalQuestion() });
  console.log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** A yes/no question at the terminal; undefined when stdin or stdout is not one (CI, a pipe): nobody could answer. */
function terminalQuestion(): ((question: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^y(es)?$/i.test((await terminal.question(question)).trim());
    } finally {
      terminal.close();
    }
  };
}

main().catch((error: unknown) => {
  console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
