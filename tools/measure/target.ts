import { assertHealthyRun, runLoad } from './load.ts';
import { measureCpu, type ServerProcess } from './processes.ts';
import type { CurvePoint, RatePoint } from './results.ts';
import { round } from './stats.ts';

/** A running server and the path to load. */
export interface LoadTarget {
  name: string;
  server: ServerProcess;
  path: string;
}

/** Warm-up (discarded), then a measured run with the server's CPU use. */
export async function measureTarget(target: LoadTarget, connections: number, durationSec: number, warmupSec: number): Promise<CurvePoint> {
  const url = `${target.server.url}${target.path}`;
  if (warmupSec > 0) await runLoad({ url, connections, durationSec: warmupSec });
  const { value: run, cores } = await measureCpu([target.server.pid], () => runLoad({ url, connections, durationSec }));
  assertHealthyRun(run.result, `${target.name} at ${url}`);
  return { ...run.result, serverCpuCores: cores };
}

/**
 * Fractions of the best closed-loop rate offered open loop: low enough to reach the CPU a small limit allows
 * (a request costs more CPU at a low rate), so the capacity plan can find the rate at a limit between them.
 */
const RATE_FRACTIONS = [0.025, 0.05, 0.1, 0.2, 0.4] as const;

/** The server's CPU at offered rates below `bestRps`, each after a short warm-up at that rate. */
export async function measureCpuByRate(
  target: LoadTarget,
  bestRps: number,
  load: { connections: number; durationSec: number },
  progress: (message: string) => void,
): Promise<RatePoint[]> {
  const url = `${target.server.url}${target.path}`;
  const points: RatePoint[] = [];
  for (const fraction of RATE_FRACTIONS) {
    const offeredRps = Math.max(1, Math.round(bestRps * fraction));
    progress(`${target.name}: ${offeredRps} req/s offered (${fraction * 100}% of ${bestRps}), ${load.durationSec} s`);
    await runLoad({ url, connections: load.connections, durationSec: 1, rate: offeredRps });
    const { value: run, cores } = await measureCpu([target.server.pid], () => runLoad({ url, ...load, rate: offeredRps }));
    assertHealthyRun(run.result, `${target.name} at ${offeredRps} req/s`);
    points.push({ offeredRps, rps: run.result.rps, p99Ms: run.result.p99Ms, serverCpuCores: round(cores, 3) });
  }
  return points;
}
