import { join } from 'node:path';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environmentNamed } from '../../config/index.ts';
import type { LocalShop } from '../local/shop/shop.ts';
import type { LimitedScaling, ScalingPoint } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { median, round } from '../measure/stats.ts';
import { measureShop, SECTION, startShop, withCpuLimit } from './bench-shop.ts';
import type { BenchContext } from './context.ts';

/**
 * The CPU limit each replica is held to: a quarter core, the example, so that four replicas take one
 * of the machine's two cores and leave the other to nginx and the load generator.
 */
export const LIMITED_CPU = '250m';
const REPLICA_COUNTS = [1, 2, 3, 4];
const MANIFESTS_DIR = join(SCRATCH_DIR, 'manifests-limited');

/**
 * Horizontal scaling as the demo promises it: N replicas of the section, each held to LIMITED_CPU by a CFS
 * quota as the kubelet sets one, behind local mode's nginx. All shops run at once and are measured in
 * interleaved rounds (1, 2, 3, 4, 1, 2, ...); each count's median round is reported, next to N times one.
 */
export async function benchLimitedScaling(context: BenchContext): Promise<LimitedScaling> {
  const { profile, progress } = context;
  synthesizeInto(withCpuLimit(environmentNamed('local'), LIMITED_CPU), MANIFESTS_DIR);
  const warnings: string[] = [];
  const shops = new Map<number, LocalShop>();
  try {
    for (const replicas of REPLICA_COUNTS) {
      progress(`limited scaling: starting a local shop, ${replicas} ${SECTION} replica(s) held to ${LIMITED_CPU} CPU each`);
      const onWarning = (message: string) => warnings.push(message);
      shops.set(
        replicas,
        await startShop(context, { balance: 'round-robin', replicas, manifestsDir: MANIFESTS_DIR, resourceLimits: true, onWarning }),
      );
    }
    const rounds = new Map<number, ScalingPoint[]>(REPLICA_COUNTS.map((replicas) => [replicas, []]));
    for (let round = 1; round <= profile.serviceRounds; round += 1) {
      for (const replicas of REPLICA_COUNTS) {
        const point = await measureShop(
          context,
          shops.get(replicas)!,
          new Set(),
          `${replicas} replica(s) at ${LIMITED_CPU}, round ${round}`,
        );
        rounds.get(replicas)!.push({ replicas, ...point });
      }
    }
    return summarize(
      rounds,
      warnings.find((message) => message.includes('cgroups')),
    );
  } finally {
    await Promise.all([...shops.values()].map((shop) => shop.stop()));
  }
}

/** Each count's median round (by req/s), and how it compares with N times one replica. */
function summarize(rounds: ReadonlyMap<number, ScalingPoint[]>, limitProblem: string | undefined): LimitedScaling {
  const medianPoint = (points: ScalingPoint[]): ScalingPoint => {
    const middle = median(points.map((p) => p.rps));
    return points.reduce((best, p) => (Math.abs(p.rps - middle) < Math.abs(best.rps - middle) ? p : best));
  };
  const points = REPLICA_COUNTS.map((replicas) => medianPoint(rounds.get(replicas)!));
  const one = points[0]!.rps;
  return {
    cpuLimit: LIMITED_CPU,
    rounds: rounds.get(1)!.length,
    ...(limitProblem === undefined ? {} : { notHeld: limitProblem }),
    points: points.map((point) => ({ ...point, ratioVsLinear: one > 0 ? round(point.rps / (one * point.replicas), 3) : 0 })),
  };
}
