import { join } from 'node:path';

import { ephemeralPort } from '../lib/process/ports.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { startServer } from '../measure/processes.ts';
import type { LoadResult, ServiceTarget } from '../measure/results.ts';
import { type LoadTarget, measureTarget } from '../measure/target.ts';
import type { BenchContext } from './context.ts';

/** A running server to load, and the command line the report shows for it. */
export interface Target extends LoadTarget {
  command: string;
}

/**
 * Every target under the same load, in interleaved rounds so drift on a shared machine hits all of them
 * alike; per target, the best round (interference only ever slows a run down) and every round's req/s.
 */
export async function interleavedRounds(context: BenchContext, area: string, targets: readonly Target[]): Promise<ServiceTarget[]> {
  const { profile, progress } = context;
  const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= profile.serviceRounds; round += 1) {
    for (const target of targets) {
      progress(
        `${area}: round ${round}/${profile.serviceRounds}, ${target.name} (${profile.connections} connections, ${profile.durationSec} s)`,
      );
      rounds.get(target.name)!.push(await measureTarget(target, profile.connections, profile.durationSec, profile.warmupSec));
    }
  }
  return targets.map((target) => ({
    name: target.name,
    command: target.command,
    url: `${target.server.url}${target.path}`,
    ...bestRound(rounds.get(target.name)!),
    roundsRps: rounds.get(target.name)!.map((r) => r.rps),
  }));
}

/** A bare hello-world server from tools/bench/baselines, on `node` (default: this process's runtime). */
export async function startBaseline(
  context: BenchContext,
  name: string,
  file: string,
  node: { binary: string; label: string } = { binary: process.execPath, label: 'node' },
): Promise<Target> {
  const port = await ephemeralPort();
  const script = join('tools', 'bench', 'baselines', file);
  const server = await startServer({
    name,
    command: node.binary,
    args: [script],
    cwd: REPO_ROOT,
    env: { PORT: String(port) },
    port,
    readyPath: '/',
    logFile: join(context.logDir, `${name}.log`),
  });
  return { name, command: `${node.label} ${script}`, server, path: '/' };
}

/**
 * The round with the highest req/s (a whole round, so req/s and latencies stay consistent). On a
 * shared machine interference only ever slows a run down, so the best round is the closest to what
 * the server can do; every round's req/s stays in the results.
 */
function bestRound(runs: LoadResult[]): LoadResult {
  return runs.reduce((best, run) => (run.rps > best.rps ? run : best));
}
