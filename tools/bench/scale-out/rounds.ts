// Does adding replicas behind local mode's nginx add capacity? One local shop per balancing algorithm and replica
// count, all running at once, measured in interleaved rounds (1, 2, 3, 1, 2, 3, ...) so the machine's drift hits
// every count alike.
import { cpus } from 'node:os';

import { randomReplicaBasePort } from '../../lib/process/ports.ts';
import type { LocalAlgorithm } from '../../local/nginx/balance.ts';
import { type LocalShop, startLocalShop } from '../../local/shop/shop.ts';
import { COMPILED_SERVICE } from '../../measure/behind-nginx.ts';
import type { ScaleOut, ScaleOutPoint } from '../../measure/results.ts';
import { median, round } from '../../measure/stats.ts';
import { SECTION } from '../bench-shop.ts';
import { measureScaleOutRun, type RunLoad, SCALE_OUT_ROLES, type ScaleOutRun, warmUp } from './run.ts';

/**
 * How long a shop whose replicas are held to a CPU limit is loaded before its first round: at 100m a replica's
 * rate still climbs for about 20 s, while V8 compiles its hot paths on threads that share the quota.
 */
export const HELD_WARMUP_SEC = 20;

export interface ScaleOutSetup {
  /** Replica counts of the section; the first is the one the others are compared with. */
  counts: readonly number[];
  /** nginx's algorithms, each measured with every count in the same rounds. */
  balances: readonly LocalAlgorithm[];
  rounds: number;
  load: RunLoad;
  /** Both nginx hops, as local mode runs (false: the balancer alone, like an ingress controller). */
  stableFront: boolean;
  manifestsDir: string;
  /** The CPU limit the manifests give each replica, to hold them to it (cgroups); absent: unlimited. */
  cpuLimit?: string;
  /** Seconds each shop is loaded once before the first round (a held replica's JIT warm-up); 0: none. */
  warmupSec: number;
  /** Extra environment of the section's replicas. */
  replicaEnv?: Record<string, string>;
  progress: (message: string) => void;
  /** Told every run as it ends. */
  onRun?: (run: ScaleOutRun) => void;
}

export interface ScaleOutMeasurement {
  runs: ScaleOutRun[];
  /** One per algorithm, in the order of `balances`. */
  results: ScaleOut[];
}

export async function measureScaleOut(setup: ScaleOutSetup): Promise<ScaleOutMeasurement> {
  const limitProblems: string[] = [];
  const shops: { balance: LocalAlgorithm; replicas: number; shop: LocalShop }[] = [];
  try {
    for (const balance of setup.balances) {
      for (const replicas of setup.counts) {
        const held = setup.cpuLimit ? ` held to ${setup.cpuLimit} CPU each` : '';
        setup.progress(`starting a local shop, ${balance}, ${replicas} ${SECTION} replica(s)${held}`);
        shops.push({ balance, replicas, shop: await startShop(setup, balance, replicas, limitProblems) });
      }
    }
    if (setup.warmupSec > 0) {
      for (const { balance, replicas, shop } of shops) {
        setup.progress(`warming ${replicas} replica(s) (${balance}) up for ${setup.warmupSec} s`);
        await warmUp(shop, setup.load, setup.warmupSec);
      }
    }
    const runs: ScaleOutRun[] = [];
    for (let round = 1; round <= setup.rounds; round += 1) {
      for (const { balance, replicas, shop } of shops) {
        const run = await measureScaleOutRun(shop, setup.load, { balance, replicas, round });
        runs.push(run);
        setup.onRun?.(run);
      }
    }
    const results = setup.balances.map((balance) =>
      summarizeScaleOut(
        runs.filter((run) => run.balance === balance),
        { ...setup, balance },
        limitProblems[0],
      ),
    );
    return { runs, results };
  } finally {
    await Promise.all(shops.map(({ shop }) => shop.stop()));
  }
}

function startShop(setup: ScaleOutSetup, balance: LocalAlgorithm, replicas: number, limitProblems: string[]): Promise<LocalShop> {
  return startLocalShop({
    manifestsDir: setup.manifestsDir,
    port: 0,
    stableFront: setup.stableFront,
    resourceLimits: setup.cpuLimit !== undefined,
    balance,
    replicas: { [SECTION]: replicas, candies: 1, cakes: 1 },
    serviceCommand: COMPILED_SERVICE,
    // Below Linux's ephemeral range (32768+), where client sockets (autocannon, nginx upstreams) could take a freed port.
    basePort: randomReplicaBasePort(),
    replicaEnvFor: (section) => (section === SECTION ? setup.replicaEnv : undefined),
    // Replica output still goes through this process's pipes and line reader, as in local mode; it is dropped here.
    onEvent: (event) => {
      if (event.type !== 'message' || event.level !== 'warn') return;
      if (event.message.includes('cgroups')) limitProblems.push(event.message);
      setup.progress(`local shop: ${event.message}`);
    },
  });
}

/**
 * Each count's medians over its rounds, errors summed, and how each compares with the first count: the median
 * of each round's ratio to the first count's run in the same round, so drift between rounds cancels out.
 */
export function summarizeScaleOut(
  runs: readonly ScaleOutRun[],
  setup: Pick<ScaleOutSetup, 'counts' | 'rounds' | 'load' | 'stableFront' | 'cpuLimit'> & { balance: LocalAlgorithm },
  notHeld?: string,
): ScaleOut {
  const summaries = setup.counts.map((replicas) => summarizeCount(runs.filter((r) => r.replicas === replicas)));
  const first = summaries[0]!.replicas;
  const vsFirst = (replicas: number, pick: (run: ScaleOutRun) => number) => pairedRatio(runs, replicas, first, pick);
  const points: ScaleOutPoint[] = summaries.map((point) => {
    const rpsRatio = vsFirst(point.replicas, (r) => r.rps);
    return {
      ...point,
      rpsVsFirst: round(rpsRatio, 3),
      rpsVsLinear: round((rpsRatio * first) / point.replicas, 3),
      cpuVsFirst: round(vsFirst(point.replicas, totalCpuUs), 3),
    };
  });
  return {
    balance: setup.balance,
    hops: setup.stableFront ? 'front + balancer' : 'balancer only',
    connections: setup.load.connections,
    durationSec: setup.load.durationSec,
    rounds: setup.rounds,
    cpus: cpus().length,
    ...(setup.cpuLimit === undefined ? {} : { cpuLimit: setup.cpuLimit }),
    ...(notHeld === undefined ? {} : { notHeld }),
    points,
  };
}

type CountSummary = Omit<ScaleOutPoint, 'rpsVsFirst' | 'rpsVsLinear' | 'cpuVsFirst'>;

const totalCpuUs = (run: ScaleOutRun): number => SCALE_OUT_ROLES.reduce((sum, role) => sum + run.cpuUsPerRequest[role], 0);

/** The median over rounds of pick(a run of `replicas`) ÷ pick(the run of `first` replicas in the same round). */
function pairedRatio(runs: readonly ScaleOutRun[], replicas: number, first: number, pick: (run: ScaleOutRun) => number): number {
  const ratios = runs
    .filter((run) => run.replicas === replicas)
    .flatMap((run) => {
      const base = runs.find((r) => r.replicas === first && r.round === run.round);
      return base && pick(base) > 0 ? [pick(run) / pick(base)] : [];
    });
  if (ratios.length === 0) {
    throw new Error(`scale-out: no round measured both ${first} and ${replicas} replica(s), the first with a figure above 0`);
  }
  return median(ratios);
}

function summarizeCount(runs: readonly ScaleOutRun[]): CountSummary {
  if (runs.length === 0) throw new Error('scale-out: a replica count has no measured run');
  const med = (pick: (run: ScaleOutRun) => number): number => round(median(runs.map(pick)), 3);
  const byRole = Object.fromEntries(SCALE_OUT_ROLES.map((role) => [role, med((r) => r.cpuUsPerRequest[role])]));
  return {
    replicas: runs[0]!.replicas,
    rps: med((r) => r.rps),
    p50Ms: med((r) => r.p50Ms),
    p99Ms: med((r) => r.p99Ms),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    cpuUsPerRequest: { ...(byRole as ScaleOutPoint['cpuUsPerRequest']), total: med(totalCpuUs) },
    replicaCallsPerRequest: { io: med((r) => r.ioCallsPerRequest.replicas), switches: med((r) => r.switchesPerRequest.replicas) },
    replicaCores: med((r) => r.replicaCores),
    machineBusyCores: med((r) => r.machineBusyCores),
  };
}
