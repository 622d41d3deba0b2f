// `npm run plan`: the replica counts, HPA behaviour, resources and load balancing of every environment as
// Markdown tables, optionally with what changed against a git ref. Paste the output into the pull request.
// Every environment is rendered as `npm run synth` renders it; one that synth refuses fails the plan.

import { parseArgs } from 'node:util';

import { environmentNamed, environments, environmentWarnings } from '../../config/index.ts';
import type { EnvironmentConfig } from '../../config/types.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { environmentsAtRef } from './environments-at-ref.ts';
import { renderPlan } from './plan-table.ts';
import { refusalLines, synthRefusal } from './synth-check.ts';

const HELP = `Usage: npm run plan [-- --base <git-ref>] [--env <name>]

Prints one table per environment (section, min/max replicas, CPU target, HPA scale-up and scale-down
behaviour, cpu/memory requests and limits, image tag, load balancing). With --base, changed cells read
"old → new" and a list of every changed field follows.

Each environment is rendered in memory exactly as \`npm run synth\` renders it: when synth would refuse
one, its problems are listed under its table and on stderr, and the plan exits 1. An environment the
base ref's own synth refused is listed too, without failing the plan.

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
  const current = only(environments);
  const refusals = Object.entries(current).flatMap(([name, environment]) => {
    const error = synthRefusal(environment as EnvironmentConfig);
    return error === undefined ? [] : [{ name, error }];
  });
  const refused = Object.fromEntries(refusals.map(({ name, error }) => [name, refusalLines(error)]));
  const atBase = values.base === undefined ? undefined : await environmentsAtRef(REPO_ROOT, values.base);
  process.stdout.write(
    renderPlan(current, {
      base: atBase && only(atBase.environments),
      baseLabel: values.base,
      refused,
      baseRefused: atBase?.refused,
      baseUnchecked: atBase?.unchecked,
    }),
  );
  // Synth's warnings too, once per environment (a retired controller still renders).
  for (const environment of Object.values(current)) {
    for (const warning of environmentWarnings(environment as EnvironmentConfig)) console.error(warning);
  }
  // The same words synth prints ("synth failed: environment 'x' is invalid (n problems): ...").
  for (const { error } of refusals) console.error(`plan failed: ${error.message}`);
  if (refusals.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`plan failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
