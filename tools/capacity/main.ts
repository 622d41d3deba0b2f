// `npm run capacity -- --rps 3000 [--p99 50] [--from FILE] [--env production]`: replica counts and
// resource requests from measurements. Prints the plan and a diff; never edits the environment files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { environmentNamed, environments, SECTION_NAMES } from '../../config/index.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { readBenchResults } from '../measure/results.ts';
import { buildCapacityPlan, formatCapacityPlan } from './capacity-plan.ts';
import { DEFAULT_POLICY, parseTargetRates, policyFor } from './planner.ts';
import { measurementFromResults, measureReplica } from './replica-measurement.ts';

const HELP = `Usage: npm run capacity -- --rps <rate> [--p99 <ms>] [--from <bench.json>] [--burst <x>] [--env <name>]

Finds one replica's sustainable req/s at the p99 target (measured now in about 20 s, or read from a
\`npm run bench\` results file), then prints per section: replicas for the target rate plus one lost
replica (HPA min), the HPA max for a burst (twice the rate by default), the CPU request the planned load needs at
the section's HPA CPU target (and the rate at which the HPA then scales out), a CPU limit that covers the measured peak,
memory from RSS under load, and the diff to apply to config/environments/<env>.ts. It never edits files.

  --rps <rate>     peak req/s for every section (3000), or per section (chocolates=3000,cakes=500)
  --p99 <ms>       latency target for the 99th percentile (default 50)
  --from <file>    read the measurement from a bench results file (e.g. docs/benchmarks.json, .bench/last.json)
  --burst <x>      the HPA max carries x times the --rps rate, plus the lost replica (default ${DEFAULT_POLICY.burstFactor})
  --env <name>     environment to size (default production); known: ${Object.keys(environments).join(', ')}
  -h, --help       show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rps: { type: 'string' },
      p99: { type: 'string', default: '50' },
      from: { type: 'string' },
      env: { type: 'string', default: 'production' },
      burst: { type: 'string', default: String(DEFAULT_POLICY.burstFactor) },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.rps === undefined) throw new Error('--rps is required (e.g. --rps 3000); see --help');
  const p99TargetMs = Number(values.p99);
  if (!Number.isFinite(p99TargetMs) || p99TargetMs <= 0) throw new Error(`--p99: "${values.p99}" is not a positive number of milliseconds`);
  const burstFactor = Number(values.burst);
  if (!Number.isFinite(burstFactor) || burstFactor < 1)
    throw new Error(`--burst: "${values.burst}" must be a number >= 1 (the multiple of --rps the HPA max must carry)`);
  const environment = environmentNamed(values.env, '--env');
  const rates = parseTargetRates(values.rps, SECTION_NAMES);
  const file = join('config', 'environments', `${environment.name}.ts`);
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');

  const measurement =
    values.from !== undefined
      ? measurementFromResults(readBenchResults(values.from), values.from)
      : await measureReplica(environment, Object.keys(rates)[0]!, (message) => console.error(`[capacity] ${message}`));

  process.stdout.write(
    formatCapacityPlan(
      buildCapacityPlan({ environment, file, source, rates, p99TargetMs, measurement, policy: policyFor(environment, { burstFactor }) }),
    ),
  );
}

main().catch((error: unknown) => {
  console.error(`capacity failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
