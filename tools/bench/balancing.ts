import { join } from 'node:path';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environmentNamed } from '../../config/index.ts';
import { LOCAL_ALGORITHMS, type LocalAlgorithm } from '../local/nginx/balance.ts';
import type { LocalReplica } from '../local/shop/shop.ts';
import { buildService } from '../measure/replica.ts';
import type { BalancedResult, BalancingResults, ScaleOut } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { ratio } from '../measure/stats.ts';
import { LOCAL_MANIFESTS_DIR, manifestsBalance, measureShop, SECTION, startShop, withCpuLimit } from './bench-shop.ts';
import type { BenchContext } from './context.ts';
import { loadSettings } from './profile.ts';
import { HELD_WARMUP_SEC, measureScaleOut } from './scale-out/rounds.ts';

const SLOW_DELAY_MS = 20;
/** Which of the section's two replicas gets the delay (startLocalShop lists a section's replicas in start order). */
const SLOW_INDEX = 1;

/**
 * The CPU limit each replica is held to in the limited scaling table. Small enough that four replicas, both
 * nginx hops and the load generator leave this 2-core machine CPU to spare, which the promise of N x one needs:
 * at the example of 250m, four replicas would need more req/s than the whole machine serves unlimited.
 */
export const LIMITED_CPU = '100m';
const MANIFESTS_LIMITED_DIR = join(SCRATCH_DIR, 'manifests-limited');

/**
 * Through the real local nginx: round robin against least connections over two replicas of which one is 20 ms
 * slower (the service's test hook; one nginx hop), then 1, 2 and 3 equal replicas through local mode as people
 * run it (both hops, the algorithm the local environment's manifests name), unlimited, and 1 to 4 held to
 * LIMITED_CPU, with that algorithm and the other one beside it. Replicas run compiled, as deployed; the other
 * sections run one replica each and stay idle.
 */
export async function benchBalancing(context: BenchContext): Promise<BalancingResults> {
  const { profile, progress } = context;
  buildService(progress);
  const local = environmentNamed('local');
  synthesizeInto(local, LOCAL_MANIFESTS_DIR);
  synthesizeInto(withCpuLimit(local, LIMITED_CPU), MANIFESTS_LIMITED_DIR);
  const roundRobin = await withSlowReplica(context, 'round-robin');
  const leastConnections = await withSlowReplica(context, 'least-connections');
  const localBalance = manifestsBalance(LOCAL_MANIFESTS_DIR);
  const [scaling] = (await scaleOut(context, [1, 2, 3], [localBalance], LOCAL_MANIFESTS_DIR)) as [ScaleOut];
  // Both algorithms, the environment's first: the comparison shows why it was chosen (docs/benchmarks.md, section 4).
  const balances = [localBalance, ...LOCAL_ALGORITHMS.filter((algorithm) => algorithm !== localBalance)];
  const limitedScaling = await scaleOut(context, [1, 2, 3, 4], balances, MANIFESTS_LIMITED_DIR, LIMITED_CPU);
  const point = (replicas: number) => scaling.points.find((p) => p.replicas === replicas)!;
  return {
    load: loadSettings(profile, '; through nginx (local mode)'),
    section: SECTION,
    path: `/${SECTION}`,
    slowDelayMs: SLOW_DELAY_MS,
    roundRobin,
    leastConnections,
    ratioP99LeastConnVsRoundRobin: ratio(leastConnections.p99Ms, roundRobin.p99Ms, 'balancing.ratioP99LeastConnVsRoundRobin'),
    localBalance,
    scaling,
    ratio2vs1Replicas: point(2).rpsVsFirst,
    ratio3vs1Replicas: point(3).rpsVsFirst,
    cpuRatio2vs1Replicas: point(2).cpuVsFirst,
    cpuRatio3vs1Replicas: point(3).cpuVsFirst,
    limitedScaling,
  };
}

/** One shop per algorithm and replica count through both nginx hops, measured in interleaved rounds. */
async function scaleOut(
  context: BenchContext,
  counts: number[],
  balances: LocalAlgorithm[],
  manifestsDir: string,
  cpuLimit?: string,
): Promise<ScaleOut[]> {
  const { profile, progress } = context;
  const what = cpuLimit ? `held to ${cpuLimit}` : 'unlimited';
  const { results } = await measureScaleOut({
    counts,
    balances,
    rounds: profile.scaleOutRounds,
    load: { connections: profile.connections, durationSec: profile.durationSec },
    stableFront: true,
    manifestsDir,
    warmupSec: cpuLimit === undefined ? 0 : HELD_WARMUP_SEC,
    ...(cpuLimit === undefined ? {} : { cpuLimit }),
    progress: (message) => progress(`balancing: scaling ${what}: ${message}`),
    onRun: (run) =>
      progress(
        `balancing: scaling ${what}, ${run.balance}, round ${run.round}/${profile.scaleOutRounds}, ${run.replicas} replica(s): ${run.rps} req/s, machine busy ${run.machineBusyCores} cores`,
      ),
  });
  return results;
}

/** Two replicas, the second one slow, behind nginx with `balance`. */
async function withSlowReplica(context: BenchContext, balance: LocalAlgorithm): Promise<BalancedResult> {
  context.progress(`balancing: starting local shop, ${balance}, 2 ${SECTION} replicas, one +${SLOW_DELAY_MS} ms`);
  const shop = await startShop(context, {
    balance,
    replicas: 2,
    envFor: (index) => (index === SLOW_INDEX ? { SWEETSHOP_TEST_DELAY_MS: String(SLOW_DELAY_MS) } : undefined),
  });
  try {
    return await measureShop(context, shop, new Set([slowReplicaId(shop.replicas)]), `${balance} with one slow replica`);
  } finally {
    await shop.stop();
  }
}

/**
 * The replica the bench gave the delay. It started that replica itself, so it knows which one it is;
 * the earlier way, timing a few requests to each, saw two slow replicas on a busy machine.
 */
export function slowReplicaId(replicas: readonly LocalReplica[]): string {
  const replica = replicas.filter((r) => r.section === SECTION)[SLOW_INDEX];
  if (!replica) throw new Error(`balancing: the shop has no ${SECTION} replica number ${SLOW_INDEX + 1}`);
  return replica.id;
}
