import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environmentNamed } from '../../config/index.ts';
import type { LocalAlgorithm } from '../local/nginx/balance.ts';
import type { LocalReplica } from '../local/shop/shop.ts';
import { buildService } from '../measure/replica.ts';
import type { BalancedResult, BalancingResults, ScalingPoint } from '../measure/results.ts';
import { ratio } from '../measure/stats.ts';
import { LOCAL_MANIFESTS_DIR, measureShop, SECTION, startShop } from './bench-shop.ts';
import type { BenchContext } from './context.ts';
import { benchLimitedScaling } from './limited-scaling.ts';
import { loadSettings } from './profile.ts';

const SLOW_DELAY_MS = 20;
/** Which of the section's two replicas gets the delay (startLocalShop lists a section's replicas in start order). */
const SLOW_INDEX = 1;

/**
 * Through the real local nginx (startLocalShop, one nginx hop): round robin against least connections over two
 * replicas of which one is 20 ms slower (the service's test hook), then 1, 2 and 3 equal replicas.
 * Replicas run compiled, as deployed; the other sections run one replica each and stay idle.
 */
export async function benchBalancing(context: BenchContext): Promise<BalancingResults> {
  const { profile, progress } = context;
  buildService(progress);
  synthesizeInto(environmentNamed('local'), LOCAL_MANIFESTS_DIR);
  const roundRobin = await withSlowReplica(context, 'round-robin');
  const leastConnections = await withSlowReplica(context, 'least-connections');
  const scaling: ScalingPoint[] = [];
  for (const replicas of [1, 2, 3]) {
    progress(`balancing: starting local shop, round-robin, ${replicas} ${SECTION} replica(s)`);
    const shop = await startShop(context, { balance: 'round-robin', replicas });
    try {
      scaling.push({ replicas, ...(await measureShop(context, shop, new Set(), `${replicas} replica(s)`)) });
    } finally {
      await shop.stop();
    }
  }
  const limitedScaling = await benchLimitedScaling(context);
  const rpsOf = (replicas: number): number => scaling.find((s) => s.replicas === replicas)!.rps;
  return {
    load: loadSettings(profile, '; through nginx (local mode)'),
    section: SECTION,
    path: `/${SECTION}`,
    slowDelayMs: SLOW_DELAY_MS,
    roundRobin,
    leastConnections,
    ratioP99LeastConnVsRoundRobin: ratio(leastConnections.p99Ms, roundRobin.p99Ms, 'balancing.ratioP99LeastConnVsRoundRobin'),
    scaling,
    ratio2vs1Replicas: ratio(rpsOf(2), rpsOf(1), 'balancing.ratio2vs1Replicas'),
    ratio3vs1Replicas: ratio(rpsOf(3), rpsOf(1), 'balancing.ratio3vs1Replicas'),
    limitedScaling,
  };
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
