// `npm run bench:scale-out`: does adding replicas behind local mode's nginx add capacity? The bench's scaling
// tables, on their own and with knobs: replica counts, rounds, one hop or two, a CPU limit, an open-loop rate,
// extra replica environment, and every run's per-role CPU, system calls, context switches and connections.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { synthesizeInto } from '../../../app/synth-to-dir.ts';
import { environmentNamed } from '../../../config/index.ts';
import { parseQuantity } from '../../../config/quantity.ts';
import { parseLocalAlgorithm } from '../../local/nginx/balance.ts';
import { buildService } from '../../measure/replica.ts';
import type { ScaleOut } from '../../measure/results.ts';
import { SCRATCH_DIR } from '../../measure/scratch.ts';
import { manifestsBalance, SECTION, withCpuLimit } from '../bench-shop.ts';
import { HELD_WARMUP_SEC, measureScaleOut } from './rounds.ts';
import { SCALE_OUT_ROLES, type ScaleOutRun } from './run.ts';

const MANIFESTS_DIR = join(SCRATCH_DIR, 'manifests-scale-out');

const HELP = `Usage: npm run bench:scale-out [-- options]

  --replicas <list>   replica counts of ${SECTION}, compared with the first (default 1,2,3)
  --balance <list>    nginx's algorithms, each with every count in the same rounds (round-robin,
                      least-connections; default: the local environment's, as \`npm run local\` runs it)
  --rounds <n>        interleaved rounds (default 5); medians are reported
  --duration <s>      seconds per measured run (default 10), after a 2 s warm-up
  --connections <n>   autocannon connections (default 50)
  --rate <n>          offer at most n req/s in total (autocannon --overallRate) instead of a closed loop at full speed
  --replica-env K=V   extra env for the ${SECTION} replicas (repeatable), e.g. LOG_LEVEL=warn to take request logs out
  --one-hop           no stable front: the balancer listens on the shop's port
  --warmup <s>        load each shop this long before the first round (default: ${HELD_WARMUP_SEC} with --cpu-limit, else 0):
                      a replica held to a small limit compiles its hot paths slowly
  --cpu-limit <q>     run each ${SECTION} replica inside this CPU limit (a CFS quota, as the kubelet sets it), e.g.
                      250m, and compare N replicas with N times one; default: no limits, what one replica can do
  --json              print every run as JSON lines too`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      replicas: { type: 'string', default: '1,2,3' },
      balance: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      'one-hop': { type: 'boolean', default: false },
      'cpu-limit': { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      'replica-env': { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const cpuLimit = values['cpu-limit'];
  if (cpuLimit !== undefined && !(parseQuantity(cpuLimit)! > 0)) {
    throw new Error(`--cpu-limit ${JSON.stringify(cpuLimit)}: expected a CPU quantity such as 250m or 0.5`);
  }
  const progress = (message: string): void => console.error(`[scale-out] ${message}`);
  const rounds = positiveInteger(values.rounds, '--rounds');
  buildService(progress);
  mkdirSync(SCRATCH_DIR, { recursive: true });
  const local = environmentNamed('local');
  synthesizeInto(cpuLimit === undefined ? local : withCpuLimit(local, cpuLimit), MANIFESTS_DIR);
  const { results } = await measureScaleOut({
    counts: values.replicas.split(',').map((text) => positiveInteger(text, '--replicas')),
    balances:
      values.balance === undefined ? [manifestsBalance(MANIFESTS_DIR)] : values.balance.split(',').map((text) => parseLocalAlgorithm(text)),
    rounds,
    load: {
      connections: positiveInteger(values.connections, '--connections'),
      durationSec: positiveInteger(values.duration, '--duration'),
      ...(values.rate === undefined ? {} : { rate: positiveInteger(values.rate, '--rate') }),
    },
    stableFront: !values['one-hop'],
    warmupSec: values.warmup === undefined ? (cpuLimit === undefined ? 0 : HELD_WARMUP_SEC) : nonNegativeInteger(values.warmup, '--warmup'),
    manifestsDir: MANIFESTS_DIR,
    ...(cpuLimit === undefined ? {} : { cpuLimit }),
    replicaEnv: replicaEnvOf(values['replica-env']),
    progress,
    onRun: (run) => {
      progress(`round ${run.round}/${rounds}, ${run.balance}, ${run.replicas} replica(s): ${describeRun(run)}`);
      if (values.json) console.log(JSON.stringify(run));
    },
  });
  console.log(results.map(summaryTable).join('\n\n'));
}

function replicaEnvOf(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--replica-env ${JSON.stringify(pair)}: expected KEY=VALUE`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

function describeRun(r: ScaleOutRun): string {
  const cpu = SCALE_OUT_ROLES.map(
    (role) => `${role} ${r.cpuUsPerRequest[role]} (${r.ioCallsPerRequest[role]} io calls, ${r.switchesPerRequest[role]} switches)`,
  ).join(', ');
  return (
    `${r.rps} req/s, ${r.errors} errors, ${r.non2xx} non-2xx, machine busy ${r.machineBusyCores} cores; CPU µs/request: ${cpu}; ` +
    `connections opened per 1k requests: balancer ${r.connectsPer1k.balancer}, replicas ${r.connectsPer1k.replicas}`
  );
}

/**
 * The medians, and each count against the first: unlimited, the goal is >= 0.9x its req/s at <= 1.1x its CPU
 * per request; held to a limit, N replicas should serve >= 0.9 x N x one replica's rate while the machine has CPU to spare.
 */
function summaryTable(result: ScaleOut): string {
  const first = result.points[0]!.replicas;
  const limited = result.cpuLimit !== undefined;
  const rows = result.points.map((p) => {
    const goal = limited ? p.rpsVsLinear >= 0.9 : p.rpsVsFirst >= 0.9 && p.cpuVsFirst <= 1.1;
    const cpu = SCALE_OUT_ROLES.map((role) => p.cpuUsPerRequest[role]).join(' | ');
    return `| ${p.replicas} | ${p.rps} | ${limited ? p.rpsVsLinear : p.rpsVsFirst} | ${cpu} | ${p.cpuUsPerRequest.total} | ${p.cpuVsFirst} | ${p.machineBusyCores} of ${result.cpus} | ${p.replicas === first ? '-' : goal ? 'met' : 'NOT MET'} |`;
  });
  return [
    `scale-out through local mode's nginx (${result.hops}, ${result.balance}), GET /${SECTION}, ${result.connections} connections, ${result.durationSec} s runs, medians of ${result.rounds} interleaved rounds` +
      (limited ? `, each replica held to ${result.cpuLimit} CPU` : ', no limits'),
    `| Replicas | req/s | ÷ ${limited ? '(N × one)' : first} | CPU µs/request: ${SCALE_OUT_ROLES.join(' | ')} | total | × ${first} | machine busy | goal |`,
    `|${'---|'.repeat(5 + SCALE_OUT_ROLES.length + 2)}`,
    ...rows,
    ...(result.notHeld ? [`NOT HELD TO THE LIMIT: ${result.notHeld} (these figures are of unlimited replicas)`] : []),
  ].join('\n');
}

function nonNegativeInteger(text: string, flag: string): number {
  return text === '0' ? 0 : positiveInteger(text, flag);
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} ${JSON.stringify(text)}: expected a positive integer`);
  return value;
}

main().catch((error: unknown) => {
  console.error(`scale-out failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
