// `npm run bench`: measures synth speed, the service against bare hello worlds, load balancing through
// nginx and replica memory, then writes the JSON results and (with --report) docs/benchmarks.md + SVGs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { BENCH_NAMES, type BenchName, type BenchResults, readBenchResults } from '../measure/results.ts';
import { createLogDir, SCRATCH_DIR } from '../measure/scratch.ts';
import { median } from '../measure/stats.ts';
import { benchBalancing } from './balancing.ts';
import type { BenchContext } from './context.ts';
import { benchControlPlane } from './control-plane.ts';
import { benchMemory } from './memory.ts';
import { PROFILES } from './profile.ts';
import { goalLines } from './report/goals.ts';
import { writeReport } from './report/write-report.ts';
import { benchRuntime } from './runtime.ts';
import { benchService } from './service.ts';
import { benchSpike } from './spike.ts';
import { benchSynth } from './synth.ts';

/** Where every run also leaves its results, for `npm run capacity -- --from .bench/last.json`. */
const LAST_RESULTS = join(SCRATCH_DIR, 'last.json');

const HELP = `Usage: npm run bench [-- options]

Runs the benchmarks side by side on this machine and prints progress to stderr.
  synth      stock cdk8s layout (ts-node) vs this project's cdk8s synth vs npm run synth
  service    one replica (compiled, logging + metrics on) vs bare Express 5 and node:http hello worlds
  runtime    the replica and Express 5 hello on Node 24 vs Node 20 (fetched from the registry once), req/s and RSS
  balancing  round robin vs least connections through local nginx with one slow replica; 1/2/3 replicas
             through local mode, and 1 to 4 held to a CPU limit (cgroups) against N x one
  memory     a replica's RSS idle and under load vs the memory request/limit in the environment config, and V8's
             young generation sizes and glibc's malloc arenas side by side
  spike      local mode with --autoscale: load steps from 10% to 100% of the planned capacity; errors, latency,
             replicas over time, with the real HPA timings and with --hpa-speed 5
  controlPlane  the kwok provider's control plane: build check, disk, cluster up/deploy/down, memory per
             component, control-plane test files (needs \`npm run control-plane:build\` first)

Options:
  --quick           short runs (whole suite under 3 minutes); numbers are noisier
  --only <list>     comma-separated subset of: ${BENCH_NAMES.join(', ')}
  --cold-build      controlPlane also builds every program from an empty Go build cache (tens of minutes)
  --json <file>     also write the results there (always written to .bench/last.json)
  --report          write docs/benchmarks.md and docs/img/*.svg from the results
  --into <file>     keep <file>'s results and replace only what --only measured (the report notes when)
  --from <file>     measure nothing: render the report from an earlier results file (implies --report)
  --docs <dir>      where the report goes (default: docs); charts go to <dir>/img
  -h, --help        show this help`;

type Options = ReturnType<typeof parseOptions>;

function parseOptions() {
  return parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      json: { type: 'string' },
      report: { type: 'boolean', default: false },
      'cold-build': { type: 'boolean', default: false },
      from: { type: 'string' },
      into: { type: 'string' },
      docs: { type: 'string', default: join(REPO_ROOT, 'docs') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (options.help) {
    console.log(HELP);
    return;
  }
  if (options.from !== undefined) {
    const results = readBenchResults(options.from);
    for (const file of writeReport(results, resolve(options.docs), resolve(options.from))) console.error(`wrote ${file}`);
    return;
  }
  const only = parseOnly(options.only);
  const profile = PROFILES[options.quick ? 'quick' : 'full'];
  const started = Date.now();
  const context: BenchContext = {
    profile,
    logDir: createLogDir(),
    progress: (message) => console.error(`[bench ${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s] ${message}`),
  };
  const results = emptyResults(new Date(started), profile.mode, only);
  await runBenchmarks(results, context, only, options['cold-build']);
  results.meta.finishedAt = new Date().toISOString();
  writeOutputs(options.into === undefined ? results : mergeInto(readBenchResults(options.into), results), options, context.progress);
  printSummary(results);
  if (results.meta.failures.length > 0) {
    throw new Error(results.meta.failures.map((f) => `${f.benchmark}: ${f.message}`).join('; '));
  }
}

function emptyResults(started: Date, mode: BenchResults['meta']['mode'], only: BenchName[]): BenchResults {
  return {
    meta: {
      startedAt: started.toISOString(),
      finishedAt: '',
      mode,
      only,
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
      gitCommit: gitCommit(),
      failures: [],
      notes: [
        'All figures come from one run on one shared machine; compare ratios, not absolute numbers.',
        'Load generator: autocannon inside the bench process, on the same cores as the servers and nginx.',
      ],
    },
    synth: null,
    service: null,
    runtime: null,
    balancing: null,
    memory: null,
    spike: null,
    controlPlane: null,
  };
}

/**
 * One failing benchmark (a port race, a missing nginx) must not throw away the others' minutes of
 * measurement: it is recorded, its key stays null, and the run exits non-zero at the end.
 */
async function runBenchmarks(results: BenchResults, context: BenchContext, only: readonly BenchName[], coldBuild: boolean): Promise<void> {
  const run = async <K extends BenchName>(name: K, bench: () => Promise<NonNullable<BenchResults[K]>>): Promise<void> => {
    if (!only.includes(name)) return;
    try {
      results[name] = (await bench()) as BenchResults[K];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.meta.failures.push({ benchmark: name, message });
      context.progress(`${name} FAILED: ${message}`);
    }
  };
  await run('synth', () => benchSynth(context));
  await run('service', () => benchService(context));
  await run('runtime', () => benchRuntime(context));
  await run('balancing', () => benchBalancing(context));
  await run('memory', () => benchMemory(context));
  await run('spike', () => benchSpike(context));
  await run('controlPlane', () => benchControlPlane(context, { coldBuild }));
}

function writeOutputs(results: BenchResults, options: Options, progress: (message: string) => void): void {
  const json = `${JSON.stringify(results, null, 2)}\n`;
  for (const file of [LAST_RESULTS, ...(options.json ? [resolve(options.json)] : [])]) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, json);
    progress(`wrote ${file}`);
  }
  if (!options.report) return;
  for (const file of writeReport(results, resolve(options.docs), options.json ? resolve(options.json) : LAST_RESULTS))
    progress(`wrote ${file}`);
}

/** An earlier run's results with this run's benchmarks in place of its own, and a note saying so. */
function mergeInto(earlier: BenchResults, run: BenchResults): BenchResults {
  const merged: BenchResults = { ...earlier, meta: { ...earlier.meta, notes: [...earlier.meta.notes] } };
  for (const name of run.meta.only) {
    (merged as unknown as Record<string, unknown>)[name] = run[name];
    merged.meta.notes.push(
      `${name} was measured in a later ${run.meta.mode} run (${run.meta.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit \`${run.meta.gitCommit}\`).`,
    );
  }
  merged.meta.failures = [...earlier.meta.failures, ...run.meta.failures];
  return merged;
}

function parseOnly(text: string | undefined): BenchName[] {
  if (text === undefined) return [...BENCH_NAMES];
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(BENCH_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `--only: unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ') || '(empty list)'} (choose from ${BENCH_NAMES.join(', ')})`,
    );
  }
  return BENCH_NAMES.filter((name) => names.includes(name));
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function printSummary(results: BenchResults): void {
  const lines: string[] = [];
  const { synth, service, runtime, balancing, memory, spike, controlPlane } = results;
  if (synth) {
    lines.push(
      `synth   stock ${synth.stock.medianMs} ms | project cdk8s synth ${synth.projectCli.medianMs} ms (x${synth.ratioCliVsStock}) | npm run synth ${synth.npmSynth.medianMs} ms (x${synth.ratioNpmSynthVsStock})`,
    );
  }
  if (service) {
    lines.push(
      `service ${service.service.rps} req/s p99 ${service.service.p99Ms} ms | express hello ${service.expressHello.rps} (ratio ${service.ratioVsExpressHello}) | node:http ${service.nodeHttpHello.rps} (ratio ${service.ratioVsNodeHttp})`,
    );
  }
  if (runtime) {
    lines.push(
      `runtime service ${runtime.current.node} ${runtime.current.service.rps} req/s vs ${runtime.previous.node} ${runtime.previous.service.rps} ` +
        `(x${runtime.ratioServiceCurrentVsPrevious}) | vs Express hello on ${runtime.previous.node} x${runtime.ratioServiceVsExpressHelloPrevious} ` +
        `| peak RSS ${runtime.current.peakRssMiB} vs ${runtime.previous.peakRssMiB} MiB`,
    );
  }
  if (balancing) {
    lines.push(
      `balance round robin p99 ${balancing.roundRobin.p99Ms} ms | least connections p99 ${balancing.leastConnections.p99Ms} ms | 1/2/3 replicas ${balancing.scaling.points.map((s) => s.rps).join(' / ')} req/s`,
    );
  }
  if (memory) {
    const budgets = memory.budgets.map((b) => `${b.environment} ${b.request.quantity}/${b.limit.quantity}`).join(', ');
    lines.push(`memory  idle ${memory.idleRssMiB} MiB | under load ${memory.loadRssMiB} MiB | request/limit: ${budgets}`);
  }
  if (spike) {
    const runs = spike.runs.map((r) => `speed ${r.hpaSpeed}: ${r.errors + r.non2xx} errors, ready after ${r.secondsUntilReady ?? '-'} s`);
    lines.push(`spike   ${spike.lowRps} -> ${spike.plannedRps} req/s | ${runs.join(' | ')}`);
  }
  if (controlPlane) {
    const rss = Object.values(controlPlane.rssMiB).reduce((sum, each) => sum + each, 0);
    lines.push(
      `kwok    up ${median(controlPlane.upSeconds)} s | production deploy ${median(controlPlane.deploySeconds)} s | components ${rss} MiB RSS | no-op build ${controlPlane.noOpBuildMs} ms`,
    );
  }
  console.log([...lines, '', 'Goals:', ...goalLines(results)].join('\n'));
}

// Node's default for these signals ends the process without running 'exit' listeners, and those are
// what stop the servers, replicas and nginx a benchmark started (detached ones miss a terminal Ctrl-C).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping the processes it started`);
    process.exit(code);
  });
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
