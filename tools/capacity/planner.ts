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

/** The replica's CPU at an offered rate below what it sustains (open loop, from the bench's `service.cpuByRate`). */
export interface RatePoint {
  rps: number;
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
  /** The HPA may not go below this: the environment's availability.minReplicasFloor (see policyFor). */
  minReplicasFloor: number;
  /** Memory request = highest RSS under load × this margin. */
  memoryMargin: number;
  /** Memory limit = memory request × this. */
  memoryLimitFactor: number;
  /** A Node replica runs JavaScript on one thread: a CPU limit under one core throttles it. */
  cpuLimitFloorMillicores: number;
  /** The smallest CPU request, whatever the rate: the runtime's timers, GC and metrics cost something at idle. */
  cpuRequestFloorMillicores: number;
}

/** Every rule but the replica floor: what sizing resources and CPU needs. */
export type RatePolicy = Omit<PlanPolicy, 'minReplicasFloor'>;

/** The planner's own rules; the replica floor is the environment's (policyFor). */
export const DEFAULT_POLICY: RatePolicy = {
  lostReplicas: 1,
  burstFactor: 2,
  memoryMargin: 1.25,
  memoryLimitFactor: 2,
  cpuLimitFloorMillicores: 1000,
  cpuRequestFloorMillicores: 100,
};

/** DEFAULT_POLICY with the environment's availability floor, and any overrides (e.g. --burst). */
export function policyFor(environment: { availability: { minReplicasFloor: number } }, overrides: Partial<RatePolicy> = {}): PlanPolicy {
  return { ...DEFAULT_POLICY, ...overrides, minReplicasFloor: environment.availability.minReplicasFloor };
}

export interface Sustainable {
  /** Highest measured req/s whose p99 met the target. */
  rps: number;
  p99Ms: number;
  connections: number;
  cpuCores: number;
  /** The CPU used at lower offered rates, for the rate at a CPU limit; empty in measurements made before them. */
  cpuByRate: readonly RatePoint[];
}

/** The best measured load level whose p99 is within the target, with the CPU measured at lower rates. */
export function sustainableRate(curve: readonly MeasuredPoint[], p99TargetMs: number, cpuByRate: readonly RatePoint[] = []): Sustainable {
  assertPositive(p99TargetMs, 'p99 target (ms)');
  if (curve.length === 0) throw new Error('no measured load levels: run `npm run bench` (service) or drop --from to measure');
  validateCurve(curve);
  const within = curve.filter((p) => p.p99Ms <= p99TargetMs && p.rps > 0);
  if (within.length === 0) {
    const best = curve.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    throw new Error(
      `no measured load level met p99 <= ${p99TargetMs} ms (lowest p99 was ${best.p99Ms} ms at ${best.connections} connection(s)): raise --p99 or make the service faster`,
    );
  }
  const best = within.reduce((a, b) => (b.rps > a.rps ? b : a));
  return { rps: best.rps, p99Ms: best.p99Ms, connections: best.connections, cpuCores: best.serverCpuCores, cpuByRate };
}

/**
 * What one replica serves inside a CPU limit, as a pod with that limit gets it: the rate at which its CPU use
 * reaches the limit, interpolated between the measured rates (the sustainable rate on top), and never more
 * than the sustainable rate (latency binds there). A request costs more CPU at a low rate than at full load
 * (fewer requests share each wake-up of the event loop), so the limit over the cost at the sustainable rate
 * alone, all older measurements have, promises a small limit about twice what it serves (docs/benchmarks.md, section 4).
 */
export function rateAtCpuLimit(limitCores: number, sustainable: Sustainable): number {
  assertPositive(limitCores, 'CPU limit (cores)');
  const points = [
    ...sustainable.cpuByRate.filter((p) => p.rps > 0 && p.rps < sustainable.rps && p.serverCpuCores > 0),
    { rps: sustainable.rps, serverCpuCores: sustainable.cpuCores },
  ].sort((a, b) => a.rps - b.rps);
  // Whole requests, rounded down; the epsilon keeps 0.25 / 0.00008 at 3125 rather than 3124.999...
  const whole = (rps: number) => Math.floor(Math.min(sustainable.rps, rps) + 1e-6);
  const first = points[0]!;
  if (first.serverCpuCores <= 0) return whole(sustainable.rps);
  if (limitCores <= first.serverCpuCores) return whole((first.rps * limitCores) / first.serverCpuCores);
  const above = points.findIndex((p) => p.serverCpuCores >= limitCores);
  if (above < 0) return whole(sustainable.rps);
  const [low, high] = [points[above - 1]!, points[above]!];
  return whole(low.rps + ((high.rps - low.rps) * (limitCores - low.serverCpuCores)) / (high.serverCpuCores - low.serverCpuCores));
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

export function planReplicas(targetRps: number, sustainableRps: number, policy: PlanPolicy): ReplicaPlan {
  assertPositive(targetRps, 'target rate (req/s)');
  assertPositive(sustainableRps, 'sustainable rate per replica (req/s)');
  validatePolicy(policy);
  const forLoad = Math.ceil(targetRps / sustainableRps);
  const minReplicas = Math.max(forLoad + policy.lostReplicas, policy.minReplicasFloor);
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

export interface PeakCpu {
  /** The most CPU one replica used at any measured load level, in cores. */
  cores: number;
  connections: number;
  rps: number;
}

/** The load level where the replica used the most CPU, whatever its latency: its ceiling when overloaded. */
export function peakCpu(curve: readonly MeasuredPoint[]): PeakCpu {
  if (curve.length === 0) throw new Error('no measured load levels: run `npm run bench` (service) or drop --from to measure');
  validateCurve(curve);
  const top = curve.reduce((a, b) => (b.serverCpuCores > a.serverCpuCores ? b : a));
  return { cores: top.serverCpuCores, connections: top.connections, rps: top.rps };
}

/** What every replica gets whatever its section's rate: the cost of a request, the CPU limit, memory. */
export interface ResourcePlan {
  /** CPU per req/s, in millicores: measured cores ÷ measured req/s at the sustainable point. */
  millicoresPerRps: number;
  cpuLimitMillicores: number;
  memoryRequestMiB: number;
  memoryLimitMiB: number;
  /** One line per number saying which measurement it comes from. */
  reasons: string[];
}

/**
 * CPU per request from the sustainable point (the CPU request depends on each section's rate and HPA
 * target: planSectionCpu); CPU limit = the most one replica used on the whole curve (about one core of
 * event loop plus GC and I/O threads), so a replica that takes over a lost peer's share or a burst is
 * not throttled; memory request = highest RSS under load with a margin.
 */
export function planResources(
  sustainable: Sustainable,
  peak: PeakCpu,
  memory: MemoryMeasurement,
  policy: RatePolicy = DEFAULT_POLICY,
): ResourcePlan {
  validatePolicy(policy);
  assertPositive(sustainable.cpuCores, 'measured CPU at the sustainable rate (cores)');
  assertPositive(sustainable.rps, 'sustainable rate per replica (req/s)');
  assertPositive(peak.cores, 'peak measured CPU (cores)');
  assertPositive(memory.loadRssMiB, 'RSS under load (MiB)');
  if (!(memory.idleRssMiB >= 0)) throw new Error(`RSS idle (MiB) must be >= 0, got ${memory.idleRssMiB}`);
  const millicoresPerRps = (sustainable.cpuCores * 1000) / sustainable.rps;
  const measuredLimit = roundUpTo(Math.max(peak.cores, sustainable.cpuCores) * 1000, 50);
  const cpuLimitMillicores = Math.max(measuredLimit, policy.cpuLimitFloorMillicores);
  const memoryRequestMiB = roundUpTo(memory.loadRssMiB * policy.memoryMargin, 16);
  const memoryLimitMiB = roundUpTo(memoryRequestMiB * policy.memoryLimitFactor, 64);
  return {
    millicoresPerRps,
    cpuLimitMillicores,
    memoryRequestMiB,
    memoryLimitMiB,
    reasons: [
      `cpu per request: ${sustainable.cpuCores} cores at ${sustainable.rps} req/s (p99 ${sustainable.p99Ms} ms) = ${round4(millicoresPerRps)}m per req/s ` +
        `(${round1(millicoresPerRps * 1000)} µs of CPU per request); the CPU requests below scale it to each section's planned rate`,
      cpuLimitMillicores > policy.cpuLimitFloorMillicores
        ? `cpu limit ${cpuLimitMillicores}m: the most one replica used on the load curve, ${peak.cores} cores (${peak.connections} connection(s), ${peak.rps} req/s), ` +
          'rounded up to a multiple of 50m: a replica runs about one core of event loop plus GC and I/O threads, so this is all it can use, and one that takes over ' +
          "a lost peer's share or a burst is not throttled (throttling adds latency)"
        : `cpu limit ${cpuLimitMillicores}m: at least one core (the most one replica used on the load curve was ${peak.cores} cores): the event loop can use ` +
          "a whole core, and one that takes over a lost peer's share or a burst is not throttled (throttling adds latency)",
      `memory request ${memoryRequestMiB}Mi: highest RSS under load ${round1(memory.loadRssMiB)} MiB × ${policy.memoryMargin}, rounded up to 16Mi (idle ${round1(memory.idleRssMiB)} MiB)`,
      `memory limit ${memoryLimitMiB}Mi: request × ${policy.memoryLimitFactor}, rounded up to 64Mi, room for heap growth before an OOM kill`,
    ],
  };
}

/** One section's CPU request and what its HPA then does. */
export interface SectionCpuPlan {
  cpuTargetPercent: number;
  /** Planned req/s per replica at HPA min (target ÷ minReplicas), and the CPU it needs. */
  plannedRpsPerReplica: number;
  neededMillicores: number;
  /** needed ÷ the HPA target fraction, before rounding. */
  sizedMillicores: number;
  /** needed ÷ the HPA target fraction, rounded up to a multiple of 50m, at least the floor, at most the limit. */
  requestMillicores: number;
  /** Which bound set the request, if one did. */
  bound: 'floor' | 'limit' | undefined;
  /** Percent of the request the planned load uses at HPA min. */
  utilisationAtMinPercent: number;
  /** Average req/s per replica above which the HPA adds replicas (usage over target × request). */
  scaleOutRpsPerReplica: number;
  scaleOutPercentOfSustainable: number;
  /** With the lost replicas gone at HPA min: req/s and CPU per remaining replica. */
  afterLoss: { rpsPerReplica: number; millicores: number; percentOfRequest: number };
  burst: {
    rps: number;
    /** Replicas the burst needs at the sustainable rate: ceil(burst ÷ sustainable). */
    atSustainable: number;
    /** Replicas the HPA asks for at its scale-out rate (more than max is fine: it scales early). */
    wantedByHpa: number;
    /** At maxReplicas: req/s and CPU per replica. */
    rpsPerReplicaAtMax: number;
    millicoresAtMax: number;
    percentOfRequestAtMax: number;
    percentOfSustainableAtMax: number;
    /** maxReplicas carry the burst within the sustainable rate (and so within the CPU limit). */
    covered: boolean;
  };
  reasons: string[];
}

/**
 * The CPU request is what the planned load needs, sized so that load sits at the HPA target rather than
 * over it: request = (target ÷ minReplicas) × CPU per req/s ÷ (cpuTargetPercent / 100). The HPA then
 * adds replicas once the average replica passes request × target ÷ CPU per req/s.
 */
export function planSectionCpu(input: {
  replicas: ReplicaPlan;
  sustainable: Sustainable;
  resources: ResourcePlan;
  cpuTargetPercent: number;
  policy?: RatePolicy;
}): SectionCpuPlan {
  const { replicas, sustainable, resources, cpuTargetPercent } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  validatePolicy(policy);
  if (!Number.isFinite(cpuTargetPercent) || cpuTargetPercent <= 0 || cpuTargetPercent > 100) {
    throw new Error(`HPA cpuTargetPercent must be a number in (0, 100], got ${cpuTargetPercent}`);
  }
  assertPositive(resources.millicoresPerRps, 'CPU per req/s (millicores)');
  const perRps = resources.millicoresPerRps;
  const limit = resources.cpuLimitMillicores;
  const fraction = cpuTargetPercent / 100;
  const plannedRpsPerReplica = replicas.targetRps / replicas.minReplicas;
  const neededMillicores = plannedRpsPerReplica * perRps;
  const sized = roundUpTo(neededMillicores / fraction, 50);
  const floored = Math.max(sized, policy.cpuRequestFloorMillicores);
  const requestMillicores = Math.min(floored, limit);
  const bound: SectionCpuPlan['bound'] =
    requestMillicores < floored ? 'limit' : sized < policy.cpuRequestFloorMillicores ? 'floor' : undefined;
  const percentOf = (millicores: number): number => Math.round((millicores / requestMillicores) * 100);
  const scaleOutRpsPerReplica = (requestMillicores * fraction) / perRps;

  const remaining = replicas.minReplicas - policy.lostReplicas;
  const afterLossRps = remaining > 0 ? replicas.targetRps / remaining : Number.POSITIVE_INFINITY;
  const burstRps = replicas.targetRps * policy.burstFactor;
  const rpsAtMax = burstRps / replicas.maxReplicas;
  const burst = {
    rps: round1(burstRps),
    atSustainable: Math.ceil(burstRps / sustainable.rps),
    wantedByHpa: Math.ceil(burstRps / scaleOutRpsPerReplica),
    rpsPerReplicaAtMax: Math.round(rpsAtMax),
    millicoresAtMax: Math.round(rpsAtMax * perRps),
    percentOfRequestAtMax: percentOf(rpsAtMax * perRps),
    percentOfSustainableAtMax: Math.round((rpsAtMax / sustainable.rps) * 100),
    covered: rpsAtMax <= sustainable.rps,
  };
  const plan: Omit<SectionCpuPlan, 'reasons'> = {
    cpuTargetPercent,
    plannedRpsPerReplica: round1(plannedRpsPerReplica),
    neededMillicores: round1(neededMillicores),
    sizedMillicores: round1(neededMillicores / fraction),
    requestMillicores,
    bound,
    utilisationAtMinPercent: percentOf(neededMillicores),
    scaleOutRpsPerReplica: Math.round(scaleOutRpsPerReplica),
    scaleOutPercentOfSustainable: Math.round((scaleOutRpsPerReplica / sustainable.rps) * 100),
    afterLoss: {
      rpsPerReplica: Math.round(afterLossRps),
      millicores: Math.round(afterLossRps * perRps),
      percentOfRequest: percentOf(afterLossRps * perRps),
    },
    burst,
  };
  return { ...plan, reasons: sectionCpuReasons(plan, replicas, sustainable, limit, policy) };
}

function sectionCpuReasons(
  plan: Omit<SectionCpuPlan, 'reasons'>,
  replicas: ReplicaPlan,
  sustainable: Sustainable,
  limit: number,
  policy: RatePolicy,
): string[] {
  const target = plan.cpuTargetPercent;
  const sizing =
    `cpu request ${plan.requestMillicores}m: at HPA min each of ${replicas.minReplicas} replicas serves ${plan.plannedRpsPerReplica} req/s, ` +
    `which needs ${plan.neededMillicores}m; ÷ ${target}% (the HPA CPU target) = ${plan.sizedMillicores}m, rounded up to a multiple of 50m`;
  const lines = [
    plan.bound === 'floor'
      ? `${sizing}, raised to the ${policy.cpuRequestFloorMillicores}m floor (the runtime's own timers, GC and metrics cost something at any rate); ` +
        `the planned load uses ${plan.utilisationAtMinPercent}% of it, under the HPA target`
      : plan.bound === 'limit'
        ? `${sizing}, capped at the ${limit}m limit: the planned load uses ${plan.utilisationAtMinPercent}% of it, above the HPA target ${target}%, ` +
          'so the HPA will hold more than minReplicas at this rate; raise minReplicas'
        : `${sizing}; the planned load then uses ${plan.utilisationAtMinPercent}% of the request, at or under the HPA target, so it does not by itself trigger scale-out`,
    `the HPA adds replicas once the average replica serves more than about ${plan.scaleOutRpsPerReplica} req/s (${target}% of ${plan.requestMillicores}m = ` +
      `${round1((plan.requestMillicores * target) / 100)}m; Kubernetes acts once the average is 10% past that, its default tolerance): ` +
      `${plan.scaleOutPercentOfSustainable}% of the sustainable ${sustainable.rps} req/s` +
      (plan.scaleOutPercentOfSustainable < 50 ? ', so it scales early, long before a replica is busy' : ''),
  ];
  if (policy.lostReplicas > 0) {
    lines.push(
      `after losing ${replicasWord(policy.lostReplicas)} at HPA min, each remaining one serves ${plan.afterLoss.rpsPerReplica} req/s with about ` +
        `${plan.afterLoss.millicores}m (${plan.afterLoss.percentOfRequest}% of the request, within the ${limit}m limit) until the Deployment replaces it`,
    );
  }
  const b = plan.burst;
  const hpaAtMax =
    b.wantedByHpa > replicas.maxReplicas
      ? `the HPA would ask for ${b.wantedByHpa} at its scale-out rate and stops at ${replicas.maxReplicas}, where each serves ${b.rpsPerReplicaAtMax} req/s ` +
        `(${b.percentOfSustainableAtMax}% of sustainable) with about ${b.millicoresAtMax}m, ${b.percentOfRequestAtMax}% of the request, within the ${limit}m limit ` +
        `(fine: the replicas have the capacity; a max of ${b.wantedByHpa} would reserve the burst's CPU instead of using CPU above the request)`
      : `the HPA reaches ${b.wantedByHpa} at its scale-out rate, within max; at ${replicas.maxReplicas} each would serve ${b.rpsPerReplicaAtMax} req/s ` +
        `(${b.percentOfSustainableAtMax}% of sustainable, about ${b.millicoresAtMax}m)`;
  lines.push(
    b.covered
      ? `HPA max ${replicas.maxReplicas} covers the x${policy.burstFactor} burst of ${b.rps} req/s: ceil(${b.rps} / ${sustainable.rps}) = ` +
          `${replicasWord(b.atSustainable)} at the sustainable rate, + ${policy.lostReplicas} lost, at least min ${replicas.minReplicas}; ${hpaAtMax}`
      : `HPA max ${replicas.maxReplicas} does NOT cover the x${policy.burstFactor} burst of ${b.rps} req/s: it needs ${b.atSustainable} at the sustainable rate, ` +
          `${b.rpsPerReplicaAtMax} req/s each at max is over the sustainable ${sustainable.rps}`,
  );
  return lines;
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
  if (text === '' || !Number.isFinite(rate) || rate <= 0)
    throw new Error(`${what}: "${text}" is not a positive number of requests per second`);
  return rate;
}

function validateCurve(curve: readonly MeasuredPoint[]): void {
  for (const [index, point] of curve.entries()) {
    for (const key of ['rps', 'p99Ms', 'serverCpuCores'] as const) {
      if (!Number.isFinite(point[key]) || point[key] < 0)
        throw new Error(`measured point ${index}: ${key} must be a number >= 0, got ${point[key]}`);
    }
  }
}

function validatePolicy(policy: RatePolicy & { minReplicasFloor?: number }): void {
  if (!Number.isInteger(policy.lostReplicas) || policy.lostReplicas < 0)
    throw new Error(`lostReplicas must be an integer >= 0, got ${policy.lostReplicas}`);
  if (policy.minReplicasFloor !== undefined && (!Number.isInteger(policy.minReplicasFloor) || policy.minReplicasFloor < 1))
    throw new Error(`minReplicasFloor must be an integer >= 1, got ${policy.minReplicasFloor}`);
  if (!(policy.burstFactor >= 1)) throw new Error(`burstFactor must be >= 1, got ${policy.burstFactor}`);
  if (!(policy.memoryMargin >= 1)) throw new Error(`memoryMargin must be >= 1, got ${policy.memoryMargin}`);
  if (!(policy.memoryLimitFactor >= 1)) throw new Error(`memoryLimitFactor must be >= 1, got ${policy.memoryLimitFactor}`);
  if (!(policy.cpuRequestFloorMillicores > 0) || !(policy.cpuRequestFloorMillicores <= policy.cpuLimitFloorMillicores)) {
    throw new Error(
      `cpuRequestFloorMillicores must be > 0 and <= cpuLimitFloorMillicores (${policy.cpuLimitFloorMillicores}), got ${policy.cpuRequestFloorMillicores}`,
    );
  }
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

function replicasWord(count: number): string {
  return `${count} replica${count === 1 ? '' : 's'}`;
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}
