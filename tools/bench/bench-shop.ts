// The local shops the balancing benchmarks run, and one measured run through a shop's nginx.
import { join } from 'node:path';

import type { EnvironmentConfig } from '../../config/index.ts';
import { randomReplicaBasePort } from '../lib/process/ports.ts';
import { readShopManifests } from '../local/manifests/read-manifests.ts';
import { type LocalAlgorithm, NGINX_DEFAULT_BALANCE } from '../local/nginx/balance.ts';
import { type LocalShop, startLocalShop } from '../local/shop/shop.ts';
import { COMPILED_SERVICE } from '../measure/behind-nginx.ts';
import { assertHealthyRun, runLoad } from '../measure/load.ts';
import { measureCpu } from '../measure/processes.ts';
import type { LoadResult, ReplicaShare } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { round } from '../measure/stats.ts';
import type { BenchContext } from './context.ts';

/** The section under load; the others run one replica each and stay idle. */
export const SECTION = 'chocolates';

/** The environment with SECTION's CPU limit replaced: a copy, the reviewed data stays as it is. */
export function withCpuLimit(environment: EnvironmentConfig, cpu: string): EnvironmentConfig {
  const section = environment.sections[SECTION];
  return { ...environment, sections: { ...environment.sections, [SECTION]: { ...section, limits: { ...section.limits, cpu } } } };
}
const SERVED_BY = 'x-served-by';
/** The local environment's manifests, synthesized by the balancing bench (dist/ may be mid-rewrite by someone's `cdk8s synth`). */
export const LOCAL_MANIFESTS_DIR = join(SCRATCH_DIR, 'manifests-local');

/** The algorithm local mode runs for these manifests when no --balance is given, as `npm run local` reads it. */
export function manifestsBalance(manifestsDir: string): LocalAlgorithm {
  return (readShopManifests(manifestsDir).balance ?? NGINX_DEFAULT_BALANCE).algorithm;
}

/** A warm-up, then one measured run through the shop's nginx, with the replicas' CPU and their shares of responses. */
export async function measureShop(
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

/** How one bench shop runs: its algorithm, the section's replicas, and extra environment for some of them. */
export interface BenchShop {
  balance: LocalAlgorithm;
  replicas: number;
  envFor?: (index: number) => Record<string, string> | undefined;
}

export async function startShop(context: BenchContext, shop: BenchShop): Promise<LocalShop> {
  const { balance, replicas, envFor = () => undefined } = shop;
  return startLocalShop({
    manifestsDir: LOCAL_MANIFESTS_DIR,
    // These rounds measure nginx and its algorithms; the scaling tables (scale-out/) hold replicas to a limit.
    resourceLimits: false,
    port: 0,
    // One nginx hop, like an ingress controller: the extra front nginx only matters during rollouts.
    stableFront: false,
    balance,
    replicas: { chocolates: replicas, candies: 1, cakes: 1 },
    serviceCommand: COMPILED_SERVICE,
    replicaEnv: { SWEETSHOP_TEST_HOOKS: '1' },
    replicaEnvFor: (section, index) => (section === SECTION ? envFor(index) : undefined),
    // Below Linux's ephemeral range (32768+), where client sockets (autocannon, nginx upstreams) could take a freed port.
    basePort: randomReplicaBasePort(),
    onEvent: (event) => {
      if (event.type !== 'message' || event.level !== 'warn') return;
      context.progress(`local shop: ${event.message}`);
    },
  });
}

function sharesOf(shop: LocalShop, counts: Map<string, number>, slowIds: ReadonlySet<string>): ReplicaShare[] {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const ids = new Set([...shop.replicas.filter((r) => r.section === SECTION).map((r) => r.id), ...counts.keys()]);
  return [...ids].sort().map((replicaId) => {
    const requests = counts.get(replicaId) ?? 0;
    return { replicaId, slow: slowIds.has(replicaId), requests, share: total > 0 ? round(requests / total, 3) : 0 };
  });
}
