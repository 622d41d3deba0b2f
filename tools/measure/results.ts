import { readFileSync } from 'node:fs';

import { isJsonObject } from '../lib/json-object.ts';

/**
 * The shape of `npm run bench --json FILE` output. The capacity planner and the report read it, so
 * the key names are a contract (docs/contracts.md, issue 5): top-level `synth`, `service`,
 * `balancing`, `memory`; ratios `synth.ratioCliVsStock`, `synth.ratioNpmSynthVsStock`,
 * `service.ratioVsExpressHello`, `service.ratioVsNodeHttp`.
 *
 * Every ratio is "ours / baseline" expressed so that > 1 means ours is better: req/s ratios divide
 * our req/s by the baseline's, synth ratios divide the stock median time by ours (a speed-up).
 */

/** One closed-loop autocannon run against one URL. Latencies in milliseconds. */
export interface LoadResult {
  /** Mean requests per second over the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Completed responses (any status). */
  requests: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses whose status was not 2xx. */
  non2xx: number;
  durationSec: number;
  connections: number;
  /** CPU used by the server process(es) during the run, in cores (1 = one core fully busy). */
  serverCpuCores?: number;
}

export interface LoadSettings {
  connections: number;
  durationSec: number;
  pipelining: 1;
  keepAlive: true;
  /** Where the load generator runs relative to the servers. */
  generator: string;
}

export interface Timing {
  label: string;
  command: string;
  cwd: string;
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface SynthResults {
  runs: number;
  /** Whether one unmeasured round ran first. */
  warmupRound: boolean;
  env: Record<string, string>;
  /** What the stock layout was made of (versions installed from the registry). */
  stockLayout: { dir: string; app: string; packages: Record<string, string> };
  stock: Timing;
  projectCli: Timing;
  npmSynth: Timing;
  /**
   * The project's cdk8s CLI doing nothing but start (`cdk8s --version`), timed in the same rounds: the part
   * of `cdk8s synth` no project code runs in. Absent in results from before it was measured.
   */
  cliStartup?: Timing;
  /** The same start-up without the project's NODE_OPTIONS (no compile cache): a `cdk8s` run outside npm. */
  cliStartupWithoutPreload?: Timing;
  /**
   * NODE_OPTIONS of the project rows: what npm sets from the project's .npmrc (`node-options`) for `npx`
   * and npm scripts; the stock row runs without it. Absent in results from before it was set.
   */
  projectNodeOptions?: string;
  /** stock median / project `cdk8s synth` median (> 1: the project is faster). */
  ratioCliVsStock: number;
  /** stock median / `npm run synth` median (> 1: the project is faster). */
  ratioNpmSynthVsStock: number;
}

/** One point of the service's load curve: used by the capacity planner. */
export interface CurvePoint extends LoadResult {
  serverCpuCores: number;
}

/** The replica's CPU at an offered rate (open loop) below what it sustains: the rates a small CPU limit allows. */
export interface RatePoint {
  offeredRps: number;
  rps: number;
  p99Ms: number;
  serverCpuCores: number;
}

export interface ServiceTarget extends LoadResult {
  name: string;
  command: string;
  url: string;
  /** req/s of every interleaved round; the fields above are the best round's. */
  roundsRps: number[];
}

export interface ServiceResults {
  load: LoadSettings;
  section: string;
  path: string;
  service: ServiceTarget;
  /** Diagnostic, not as deployed: the same replica with LOG_LEVEL=warn (no request log line), to show what logging costs. */
  serviceWithoutRequestLog: ServiceTarget;
  expressHello: ServiceTarget;
  nodeHttpHello: ServiceTarget;
  /** service req/s / Express hello req/s (>= 1 meets the service's goal). */
  ratioVsExpressHello: number;
  /** service req/s / node:http hello req/s. */
  ratioVsNodeHttp: number;
  /** One replica behind nginx at increasing connection counts (req/s, latency and CPU at each). */
  curve: CurvePoint[];
  /** The same replica at offered rates below the curve's best; absent in results written before them. */
  cpuByRate?: RatePoint[];
}

/** One runtime's side of the runtime comparison. */
export interface RuntimeSide {
  /** `process.version` of that node. */
  node: string;
  service: ServiceTarget;
  expressHello: ServiceTarget;
  /** The replica's RSS after start-up and a few requests. */
  idleRssMiB: number;
  /** The replica's RSS high-water mark (VmHWM) after every round. */
  peakRssMiB: number;
}

/** The project's runtime (Node 24) against the one it left (Node 20), side by side in one run. */
export interface RuntimeResults {
  load: LoadSettings;
  section: string;
  current: RuntimeSide;
  previous: RuntimeSide;
  /** service ÷ Express hello, both on the current runtime (>= 1 meets the service's goal). */
  ratioServiceVsExpressHelloSameRuntime: number;
  /** service on the current runtime ÷ Express hello on the previous one. */
  ratioServiceVsExpressHelloPrevious: number;
  /** service on the current runtime ÷ the same service on the previous one. */
  ratioServiceCurrentVsPrevious: number;
  /** Peak RSS on the current runtime ÷ on the previous one (> 1: Node 24 uses more memory). */
  ratioPeakRssCurrentVsPrevious: number;
}

export interface ReplicaShare {
  replicaId: string;
  slow: boolean;
  requests: number;
  /** Fraction of responses this replica served (0..1). */
  share: number;
}

export interface BalancedResult extends LoadResult {
  shares: ReplicaShare[];
}

/** A process role in the request path through a local shop; its CPU is summed over all its processes. */
export type ScaleOutRole = 'front' | 'balancer' | 'replicas' | 'supervisor';

/** One replica count through a local shop: medians of its interleaved rounds (errors summed over them). */
export interface ScaleOutPoint {
  replicas: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** CPU microseconds per response of every process in the path, by role, and their sum. */
  cpuUsPerRequest: Record<ScaleOutRole, number> & { total: number };
  /**
   * The replicas' read- and write-type system calls and context switches per response: with CPU per request, whether
   * a request costs more calls or more time on the CPU. Absent in results measured before it.
   */
  replicaCallsPerRequest?: { io: number; switches: number };
  /** Cores the section's replicas used. */
  replicaCores: number;
  /** Cores busy on the whole machine during the run, of `ScaleOut.cpus` (load generator and neighbours included). */
  machineBusyCores: number;
  /** rps ÷ the first count's rps (the median of each round's ratio). */
  rpsVsFirst: number;
  /** rps ÷ (replicas × the first count's rps per replica): 1 is linear scaling. */
  rpsVsLinear: number;
  /** cpuUsPerRequest.total ÷ the first count's (the median of each round's ratio). */
  cpuVsFirst: number;
}

/** 1, 2, 3 (or 4) replicas of one section through a local shop, all shops up at once, measured in interleaved rounds. */
export interface ScaleOut {
  /** nginx's algorithm: 'round-robin' or 'least-connections'. */
  balance: string;
  /** 'front + balancer' (local mode as people run it) or 'balancer only'. */
  hops: string;
  connections: number;
  durationSec: number;
  rounds: number;
  /** The machine's cores. */
  cpus: number;
  /** Each replica's CPU limit (a CFS quota); absent: unlimited. */
  cpuLimit?: string;
  /** Set when local mode could not write cgroups: the replicas ran unlimited, and this says why. */
  notHeld?: string;
  points: ScaleOutPoint[];
}

export interface BalancingResults {
  load: LoadSettings;
  section: string;
  path: string;
  slowDelayMs: number;
  roundRobin: BalancedResult;
  leastConnections: BalancedResult;
  /** least-connections p99 / round-robin p99 with one slow replica (< 1: least connections is better). */
  ratioP99LeastConnVsRoundRobin: number;
  /** Replica count 1, 2, 3 through local mode (round robin, no limits). */
  /** The algorithm local mode reads from the local environment's manifests: the scaling goals judge it. */
  localBalance: string;
  scaling: ScaleOut;
  /** req/s with 2 replicas / req/s with 1 replica. */
  ratio2vs1Replicas: number;
  /** req/s with 3 replicas / req/s with 1 replica. */
  ratio3vs1Replicas: number;
  /** CPU per request (all processes) with 2 replicas / with 1 (> 1: each request costs more). */
  cpuRatio2vs1Replicas: number;
  /** CPU per request (all processes) with 3 replicas / with 1. */
  cpuRatio3vs1Replicas: number;
  /** Replicas held to a CPU limit (cgroups), 1 to 4: one table per algorithm, measured in the same rounds, `localBalance`'s first. */
  limitedScaling: ScaleOut[];
}

export interface ResourceBudget {
  /** Kubernetes quantity as written in the environment config, e.g. '128Mi'. */
  quantity: string;
  mib: number;
}

/** One environment's memory request and limit for the measured section, and how the replica compares. */
export interface MemoryBudget {
  environment: string;
  request: ResourceBudget;
  limit: ResourceBudget;
  /** loadRssMiB / request MiB (> 1: the replica uses more than the scheduler reserves). */
  loadVsRequest: number;
  /** peakRssMiB / limit MiB (close to 1: near an OOM kill). */
  peakVsLimit: number;
}

export interface MemoryResults {
  section: string;
  /** The replica's V8 flags, as the chart writes them (absent in results from before it ran with them). */
  nodeOptions?: string;
  /** The replica's MALLOC_ARENA_MAX, as the chart writes it (absent: glibc's default, or results from before it). */
  mallocArenaMax?: number;
  idleRssMiB: number;
  /** Highest RSS sampled while under load. */
  loadRssMiB: number;
  /** Kernel's high-water mark (VmHWM) at the end of the run. */
  peakRssMiB: number;
  samplesUnderLoad: number;
  load: LoadResult;
  /** The section's memory request/limit in every environment's synthesized manifests. */
  budgets: MemoryBudget[];
  /** Young generation sizes side by side (absent in results from before they were compared). */
  youngGeneration?: YoungGenerationVariant[];
}

/** One replica setting of V8's young generation, measured in the same interleaved rounds as the others. */
export interface YoungGenerationVariant {
  /** The replica's NODE_OPTIONS: the chart's heap cap, and the semi-space size tried. */
  nodeOptions: string;
  /** MALLOC_ARENA_MAX tried; absent: glibc's default (8 arenas per core). */
  mallocArenaMax?: number;
  /** True for the setting the chart deploys today. */
  deployed: boolean;
  rps: number;
  /** VmHWM at the end of the median round. */
  peakRssMiB: number;
  /** rps ÷ the deployed setting's rps (same rounds). */
  ratioRpsVsDeployed: number;
}

export interface ModuleBuild {
  name: string;
  programs: string[];
  seconds: number;
}

/** Disk the control plane uses, in MiB (`du -sk`). */
export interface DiskUse {
  /** .control-plane/bin */
  programsMiB: number;
  /** .control-plane/openapi */
  openApiMiB: number;
  /** ~/.cache/sweetshop/control-plane: the built programs of every checkout, by source digest. */
  outerCacheMiB: number;
  /** `go env GOCACHE` and `go env GOMODCACHE`: shared with every other Go build of the machine. */
  goBuildCacheMiB: number;
  goModuleCacheMiB: number;
}

export interface ControlPlaneResults {
  measuredAt: string;
  /** Median of `npm run control-plane:build`'s check when everything is current. */
  noOpBuildMs: number;
  /** Every program from an empty Go build cache (`--cold-build`), or null when not measured. */
  coldBuild: { modules: ModuleBuild[]; buildCacheMiB: number } | null;
  disk: DiskUse;
  /** Per round: `cluster:up -- --provider kwok` (every environment's prerequisites), production's deploy, cluster:down. */
  upSeconds: number[];
  deploySeconds: number[];
  downSeconds: number[];
  /** VmRSS of each component with production deployed (last round), by program. */
  rssMiB: Record<string, number>;
  /** Each test file of test/control-plane run alone (full runs only). */
  testFiles: { file: string; seconds: number; passed: boolean }[];
}

export interface BenchMeta {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  only: BenchName[];
  node: string;
  cpus: number;
  cpuModel: string;
  loadAverageAtStart: number[];
  gitCommit: string;
  /** Benchmarks that failed in this run (their keys are null). */
  failures: Array<{ benchmark: BenchName; message: string }>;
  notes: string[];
}

export const BENCH_NAMES = ['synth', 'service', 'runtime', 'balancing', 'memory', 'spike', 'controlPlane'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export interface BenchResults {
  meta: BenchMeta;
  /** null when the benchmark was not run (`--only`). */
  synth: SynthResults | null;
  service: ServiceResults | null;
  runtime: RuntimeResults | null;
  balancing: BalancingResults | null;
  memory: MemoryResults | null;
  spike: SpikeResults | null;
  controlPlane: ControlPlaneResults | null;
}

/** Latency and count of the responses of one phase of a spike run. */
export interface SpikePhase {
  responses: number;
  p50Ms: number;
  p99Ms: number;
}

/** One spike run: 10% of the planned capacity, then 100% from `stepAtSec` on, with the HPA at one speed. */
export interface SpikeRun {
  /** 1: the environment's real HPA timings; n: every period and window divided by n (`--hpa-speed n`). */
  hpaSpeed: number;
  stepAtSec: number;
  /** The HPA's desired replicas at the step (its minimum, unless the 10% phase already scaled it). */
  replicasAtStep: number;
  /** From the step until the HPA's replicas were all ready; null when they were not within the run. */
  secondsUntilReady: number | null;
  /** Connection errors and timeouts over the whole run. */
  errors: number;
  non2xx: number;
  before: SpikePhase;
  /** From the step until the replicas were all ready. */
  during: SpikePhase;
  after: SpikePhase;
  replicasOverTime: { atSec: number; ready: number; desired: number }[];
}

export interface SpikeResults {
  environment: string;
  section: string;
  /** A replica's CPU per request and its fixed part (calibration at two rates), which turn the HPA's plan into a rate. */
  cpuUsPerRequest: number;
  idleMillicores: number;
  /** maxReplicas x the CPU target's share of the request, as a rate: what the HPA plans to serve at most. */
  plannedRps: number;
  lowRps: number;
  minReplicas: number;
  maxReplicas: number;
  runs: SpikeRun[];
}

/**
 * Checks that parsed JSON has the contract keys, so a stale or foreign file fails with a clear
 * message instead of `undefined` deep in the report or planner.
 */
export function assertBenchResults(value: unknown, source: string): BenchResults {
  const problems: string[] = [];
  if (!isJsonObject(value)) throw new Error(`${source}: expected a JSON object with keys meta, ${BENCH_NAMES.join(', ')}`);
  if (!isJsonObject(value.meta)) problems.push('meta is missing');
  // Results from before the control plane (or the spike) existed have no key for it: it was not run.
  if (!('controlPlane' in value)) value.controlPlane = null;
  if (!('spike' in value)) value.spike = null;
  for (const name of BENCH_NAMES) {
    if (!(name in value)) problems.push(`${name} is missing (null when not run)`);
    else if (value[name] !== null && !isJsonObject(value[name])) problems.push(`${name} must be an object or null`);
  }
  const requireNumbers = (name: BenchName, keys: string[]): void => {
    const part = value[name];
    if (!isJsonObject(part)) return;
    for (const key of keys) {
      if (typeof part[key] !== 'number' || !Number.isFinite(part[key])) problems.push(`${name}.${key} must be a finite number`);
    }
  };
  requireNumbers('synth', ['ratioCliVsStock', 'ratioNpmSynthVsStock', 'runs']);
  requireNumbers('service', ['ratioVsExpressHello', 'ratioVsNodeHttp']);
  requireNumbers('runtime', [
    'ratioServiceVsExpressHelloSameRuntime',
    'ratioServiceVsExpressHelloPrevious',
    'ratioServiceCurrentVsPrevious',
    'ratioPeakRssCurrentVsPrevious',
  ]);
  requireNumbers('balancing', [
    'ratioP99LeastConnVsRoundRobin',
    'ratio2vs1Replicas',
    'ratio3vs1Replicas',
    'cpuRatio2vs1Replicas',
    'cpuRatio3vs1Replicas',
    'slowDelayMs',
  ]);
  requireNumbers('memory', ['idleRssMiB', 'loadRssMiB', 'peakRssMiB']);
  if (isJsonObject(value.memory) && !Array.isArray(value.memory.budgets)) problems.push('memory.budgets must be an array');
  if (isJsonObject(value.service) && !Array.isArray(value.service.curve)) problems.push('service.curve must be an array');
  if (problems.length > 0) throw new Error(`${source}: not a bench result: ${problems.join('; ')}`);
  return value as unknown as BenchResults;
}

/** Reads and checks a results file; a missing file or bad JSON fails naming the file. */
export function readBenchResults(file: string): BenchResults {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read bench results ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (run \`npm run bench -- --json ${file}\`)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return assertBenchResults(parsed, file);
}
