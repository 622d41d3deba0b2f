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
  await executeRunbook(runbook, { cwd: REPO_ROOT, env: process.env, log: (line) => console.log(line) });
  console.log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
