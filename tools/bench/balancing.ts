import { join } from 'node:path';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environmentNamed } from '../../config/index.ts';
import { randomReplicaBasePort } from '../lib/process/ports.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import type { LocalAlgorithm } from '../local/nginx/balance.ts';
import { type LocalReplica, type LocalShop, startLocalShop } from '../local/shop/shop.ts';
import { assertHealthyRun, runLoad } from '../measure/load.ts';
import { measureCpu } from '../measure/processes.ts';
import { buildService } from '../measure/replica.ts';
import type { BalancedResult, BalancingResults, LoadResult, ReplicaShare, ScalingPoint } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { ratio, round } from '../measure/stats.ts';
import type { BenchContext } from './context.ts';
import { loadSettings } from './profile.ts';

const SECTION = 'chocolates';
const SLOW_DELAY_MS = 20;
/** Which of the section's two replicas gets the delay (startLocalShop lists a section's replicas in start order). */
const SLOW_INDEX = 1;
const SERVED_BY = 'x-served-by';
const MANIFESTS_DIR = join(SCRATCH_DIR, 'manifests-local');

/**
 * Through the real local nginx (startLocalShop, one nginx hop): round robin against least connections over two
 * replicas of which one is 20 ms slower (the service's test hook), then 1, 2 and 3 equal replicas.
 * Replicas run compiled, as deployed; the other sections run one replica each and stay idle.
 */
export async function benchBalancing(context: BenchContext): Promise<BalancingResults> {
  const { profile, progress } = context;
  buildService(progress);
  // Own copy of the local manifests: dist/ may be mid-rewrite by someone's `cdk8s synth`.
  synthesizeInto(environmentNamed('local'), MANIFESTS_DIR);
  const roundRobin = await withSlowReplica(context, 'round-robin');
  const leastConnections = await withSlowReplica(context, 'least-connections');
  const scaling: ScalingPoint[] = [];
  for (const replicas of [1, 2, 3]) {
    progress(`balancing: starting local shop, round-robin, ${replicas} ${SECTION} replica(s)`);
    const shop = await startShop(context, 'round-robin', replicas, () => undefined);
    try {
      scaling.push({ replicas, ...(await measureShop(context, shop, new Set(), `${replicas} replica(s)`)) });
    } finally {
      await shop.stop();
    }
  }
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
  };
}

/** Two replicas, the second one slow, behind nginx with `balance`. */
async function withSlowReplica(context: BenchContext, balance: LocalAlgorithm): Promise<BalancedResult> {
  context.progress(`balancing: starting local shop, ${balance}, 2 ${SECTION} replicas, one +${SLOW_DELAY_MS} ms`);
  const shop = await startShop(context, balance, 2, (index) =>
    index === SLOW_INDEX ? { SWEETSHOP_TEST_DELAY_MS: String(SLOW_DELAY_MS) } : undefined,
  );
  try {
    return await measureShop(context, shop, new Set([slowReplicaId(shop.replicas)]), `${balance} with one slow replica`);
  } finally {
    await shop.stop();
  }
}

/** A warm-up, then one measured run through the shop's nginx, with the replicas' CPU and their shares of responses. */
async function measureShop(
  context: BenchContext,
  shop: LocalShop,
  slowIds: ReadonlySet<string>,
  what: string,
): Promise<LoadResult & { shares: ReplicaShare[] }> {
  const { profile, progress } = context;
  const url = `${shop.url}/${SECTION}`;
  if (profile.warmupSec > 0) await runLoad({ url, connections: profile.connections, durationSec: profile.warmupSec });
  progress(`balancing: ${what} (${profile.connections} connections, ${profile.durationSec} s)`);
  const pids = shop.replicas.filter((r) => r.section === SECTION).map((r) => r.pid);
  const { value: run, cores } = await measureCpu(pids, () =>
    runLoad({ url, connections: profile.connections, durationSec: profile.durationSec, countHeader: SERVED_BY }),
  );
  assertHealthyRun(run.result, `balancing ${what}`);
  return { ...run.result, serverCpuCores: cores, shares: sharesOf(shop, run.headerCounts, slowIds) };
}

async function startShop(
  context: BenchContext,
  balance: LocalAlgorithm,
  replicas: number,
  envFor: (index: number) => Record<string, string> | undefined,
): Promise<LocalShop> {
  return startLocalShop({
    manifestsDir: MANIFESTS_DIR,
    port: 0,
    // One nginx hop, like an ingress controller: the extra front nginx only matters during rollouts.
    stableFront: false,
    balance,
    replicas: { chocolates: replicas, candies: 1, cakes: 1 },
    serviceCommand: { executable: process.execPath, args: [join('service', 'build', 'server.js')], cwd: REPO_ROOT },
    replicaEnv: { SWEETSHOP_TEST_HOOKS: '1' },
    replicaEnvFor: (section, index) => (section === SECTION ? envFor(index) : undefined),
    // Below Linux's ephemeral range (32768+), where client sockets (autocannon, nginx upstreams) could take a freed port.
    basePort: randomReplicaBasePort(),
    onEvent: (event) => {
      if (event.type === 'message' && event.level === 'warn') context.progress(`local shop: ${event.message}`);
    },
  });
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

function sharesOf(shop: LocalShop, counts: Map<string, number>, slowIds: ReadonlySet<string>): ReplicaShare[] {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const ids = new Set([...shop.replicas.filter((r) => r.section === SECTION).map((r) => r.id), ...counts.keys()]);
  return [...ids].sort().map((replicaId) => {
    const requests = counts.get(replicaId) ?? 0;
    return { replicaId, slow: slowIds.has(replicaId), requests, share: total > 0 ? round(requests / total, 3) : 0 };
  });
}
