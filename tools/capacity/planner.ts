/**
 * Capacity arithmetic: pure functions from measured numbers to replica counts and resource requests.
 * No I/O, no clocks: tests pin every rule on fixed inputs.
 */

/** One measured load level of a single replica (from the bench's `service.curve`). */
export interface MeasuredPoint {
  connections: number;
  rps: number;
  p99Ms: number;
  /** CPU the replica used at this level, in cores. */
  serverCpuCores: number;
}

export interface MemoryMeasurement {
  idleRssMiB: number;
  /** Highest RSS under load. */
  loadRssMiB: number;
}

export interface PlanPolicy {
  /** Replicas that may be lost (node drain, crash) while the rest still carry the target rate. */
  lostReplicas: number;
  /** The HPA maximum leaves room for this multiple of the target rate. */
  burstFactor: number;
  /** The HPA may not go below this (a PodDisruptionBudget with one eviction needs 2). */
  minimumReplicas: number;
  /** Memory request = highest RSS under load × this margin. */
  memoryMargin: number;
  /** Memory limit = memory request × this. */
  memoryLimitFactor: number;
  /** A Node replica runs JavaScript on one thread: a CPU limit under one core throttles it. */
  cpuLimitFloorMillicores: number;
}

export const DEFAULT_POLICY: PlanPolicy = {
  lostReplicas: 1,
  burstFactor: 2,
  minimumReplicas: 2,
  memoryMargin: 1.25,
  memoryLimitFactor: 2,
  cpuLimitFloorMillicores: 1000,
};

export interface Sustainable {
  /** Highest measured req/s whose p99 met the target. */
  rps: number;
  p99Ms: number;
  connections: number;
  cpuCores: number;
}

/** The best measured load level whose p99 is within the target. */
export function sustainableRate(curve: readonly MeasuredPoint[], p99TargetMs: number): Sustainable {
  assertPositive(p99TargetMs, 'p99 target (ms)');
  if (curve.length === 0) throw new Error('no measured load levels: run `npm run bench` (service) or drop --from to measure');
  for (const [index, point] of curve.entries()) {
    for (const key of ['rps', 'p99Ms', 'serverCpuCores'] as const) {
      if (!Number.isFinite(point[key]) || point[key] < 0) throw new Error(`measured point ${index}: ${key} must be a number >= 0, got ${point[key]}`);
    }
  }
  const within = curve.filter((p) => p.p99Ms <= p99TargetMs && p.rps > 0);
  if (within.length === 0) {
    const best = curve.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    throw new Error(
      `no measured load level met p99 <= ${p99TargetMs} ms (lowest p99 was ${best.p99Ms} ms at ${best.connections} connection(s)): raise --p99 or make the service faster`,
    );
  }
  const best = within.reduce((a, b) => (b.rps > a.rps ? b : a));
  return { rps: best.rps, p99Ms: best.p99Ms, connections: best.connections, cpuCores: best.serverCpuCores };
}

export interface ReplicaPlan {
  targetRps: number;
  /** Replicas that carry the target rate at the sustainable per-replica rate. */
  forLoad: number;
  /** forLoad + lost replicas, at least the minimum: the HPA floor. */
  minReplicas: number;
  /** Room for burstFactor × the target rate, plus the lost replicas. */
  maxReplicas: number;
  /** Per-replica req/s at minReplicas, and with the lost replicas gone. */
  perReplicaRpsAtMin: number;
  perReplicaRpsAfterLoss: number;
}

export function planReplicas(targetRps: number, sustainableRps: number, policy: PlanPolicy = DEFAULT_POLICY): ReplicaPlan {
  assertPositive(targetRps, 'target rate (req/s)');
  assertPositive(sustainableRps, 'sustainable rate per replica (req/s)');
  validatePolicy(policy);
  const forLoad = Math.ceil(targetRps / sustainableRps);
  const minReplicas = Math.max(forLoad + policy.lostReplicas, policy.minimumReplicas);
  const maxReplicas = Math.max(Math.ceil((targetRps * policy.burstFactor) / sustainableRps) + policy.lostReplicas, minReplicas);
  return {
    targetRps,
    forLoad,
    minReplicas,
    maxReplicas,
    perReplicaRpsAtMin: Math.round(targetRps / minReplicas),
    perReplicaRpsAfterLoss: Math.round(targetRps / (minReplicas - policy.lostReplicas)),
  };
}

export interface ResourcePlan {
  cpuRequestMillicores: number;
  cpuLimitMillicores: number;
  memoryRequestMiB: number;
  memoryLimitMiB: number;
  /** One line per number saying which measurement it comes from. */
  reasons: string[];
}

/**
 * CPU request = the CPU one replica used at its sustainable rate, so an HPA utilisation target is a
 * fraction of that rate; memory request = highest RSS under load with a margin.
 */
export function planResources(sustainable: Sustainable, memory: MemoryMeasurement, policy: PlanPolicy = DEFAULT_POLICY): ResourcePlan {
  validatePolicy(policy);
  assertPositive(sustainable.cpuCores, 'measured CPU at the sustainable rate (cores)');
  assertPositive(memory.loadRssMiB, 'RSS under load (MiB)');
  if (!(memory.idleRssMiB >= 0)) throw new Error(`RSS idle (MiB) must be >= 0, got ${memory.idleRssMiB}`);
  const cpuRequestMillicores = roundUpTo(sustainable.cpuCores * 1000, 50);
  const cpuLimitMillicores = Math.max(cpuRequestMillicores, policy.cpuLimitFloorMillicores);
  const memoryRequestMiB = roundUpTo(memory.loadRssMiB * policy.memoryMargin, 16);
  const memoryLimitMiB = roundUpTo(memoryRequestMiB * policy.memoryLimitFactor, 64);
  return {
    cpuRequestMillicores,
    cpuLimitMillicores,
    memoryRequestMiB,
    memoryLimitMiB,
    reasons: [
      `cpu request ${cpuRequestMillicores}m: one replica used ${sustainable.cpuCores} cores at ${sustainable.rps} req/s (p99 ${sustainable.p99Ms} ms), rounded up to 50m`,
      cpuLimitMillicores > policy.cpuLimitFloorMillicores
        ? `cpu limit ${cpuLimitMillicores}m: the request, since the replica used more than ${policy.cpuLimitFloorMillicores}m (event loop plus GC and I/O threads) and throttling adds latency`
        : `cpu limit ${cpuLimitMillicores}m: at least one core, since the event loop is single-threaded and throttling below a core adds latency`,
      `memory request ${memoryRequestMiB}Mi: highest RSS under load ${round1(memory.loadRssMiB)} MiB × ${policy.memoryMargin}, rounded up to 16Mi (idle ${round1(memory.idleRssMiB)} MiB)`,
      `memory limit ${memoryLimitMiB}Mi: request × ${policy.memoryLimitFactor}, rounded up to 64Mi, room for heap growth before an OOM kill`,
    ],
  };
}

/**
 * Parses `--rps`: one number for every section, or `section=rate` pairs (`chocolates=3000,cakes=500`);
 * sections not named get no plan.
 */
export function parseTargetRates(text: string, sections: readonly string[]): Record<string, number> {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('--rps is empty: give a rate like 3000 or chocolates=3000,cakes=500');
  if (!trimmed.includes('=')) {
    const rate = parseRate(trimmed, '--rps');
    return Object.fromEntries(sections.map((s) => [s, rate]));
  }
  const rates: Record<string, number> = {};
  for (const pair of trimmed.split(',')) {
    const [name, value, extra] = pair.split('=').map((part) => part.trim());
    if (!name || value === undefined || extra !== undefined) throw new Error(`--rps: "${pair}" is not section=rate`);
    if (!sections.includes(name)) throw new Error(`--rps: unknown section "${name}" (known: ${sections.join(', ')})`);
    if (name in rates) throw new Error(`--rps: section "${name}" given twice`);
    rates[name] = parseRate(value, `--rps ${name}`);
  }
  return rates;
}

function parseRate(text: string, what: string): number {
  const rate = Number(text);
  if (text === '' || !Number.isFinite(rate) || rate <= 0) throw new Error(`${what}: "${text}" is not a positive number of requests per second`);
  return rate;
}

function validatePolicy(policy: PlanPolicy): void {
  if (!Number.isInteger(policy.lostReplicas) || policy.lostReplicas < 0) throw new Error(`lostReplicas must be an integer >= 0, got ${policy.lostReplicas}`);
  if (!Number.isInteger(policy.minimumReplicas) || policy.minimumReplicas < 1) throw new Error(`minimumReplicas must be an integer >= 1, got ${policy.minimumReplicas}`);
  if (!(policy.burstFactor >= 1)) throw new Error(`burstFactor must be >= 1, got ${policy.burstFactor}`);
  if (!(policy.memoryMargin >= 1)) throw new Error(`memoryMargin must be >= 1, got ${policy.memoryMargin}`);
  if (!(policy.memoryLimitFactor >= 1)) throw new Error(`memoryLimitFactor must be >= 1, got ${policy.memoryLimitFactor}`);
}

function assertPositive(value: number, what: string): void {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${what} must be a positive number, got ${value}`);
}

function roundUpTo(value: number, step: number): number {
  return Math.max(step, Math.ceil(value / step) * step);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
