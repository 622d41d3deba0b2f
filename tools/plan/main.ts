// `npm run plan`: the replica counts, resources and load balancing of every environment as Markdown
// tables, optionally with what changed against a git ref. Paste the output into the pull request.

import { parseArgs } from 'node:util';

import { environmentNamed, environments } from '../../app/environments/index.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { environmentsAtRef } from './environments-at-ref.ts';
import { renderPlan } from './plan-table.ts';

const HELP = `Usage: npm run plan [-- --base <git-ref>] [--env <name>]

Prints one table per environment (section, min/max replicas, CPU target, cpu/memory requests and
limits, image tag, load balancing). With --base, changed cells read "old → new" and a list of every
changed field follows.

  --base <git-ref>  compare with the environments at this commit, branch or tag (e.g. origin/main)
  --env <name>      only this environment (repeatable); known: ${Object.keys(environments).join(', ')}
  -h, --help        show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      env: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const wanted = values.env;
  // Fails on an unknown name before any git work, pointing at the flag.
  for (const name of wanted ?? []) environmentNamed(name, '--env');
  const only = (all: Readonly<Record<string, unknown>>) =>
    wanted ? Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name))) : all;
  const base = values.base === undefined ? undefined : only(await environmentsAtRef(REPO_ROOT, values.base));
  process.stdout.write(renderPlan(only(environments), { base, baseLabel: values.base }));
}

main().catch((error: unknown) => {
  console.error(`plan failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
