import { REPO_ROOT } from '../lib/repo-root.ts';
import { HELP, planFor } from './cli.ts';
import { describePlan, executePlan, toolsOf } from './plan.ts';
import { missingToolsMessage } from './required-tools.ts';

/** Prefix of the one-line error: the npm script once known, so the user sees which step failed. */
let label = 'cluster';

async function main(): Promise<void> {
  const parsed = planFor(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(HELP);
    return;
  }
  const { name, plan, dryRun } = parsed;
  label = name;
  if (dryRun) {
    for (const line of describePlan(plan)) console.log(line);
    return;
  }
  const missing = missingToolsMessage(toolsOf(plan));
  if (missing) throw new Error(missing);
  const started = Date.now();
  await executePlan(plan, { cwd: REPO_ROOT, log: (line) => console.log(line) });
  console.log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
