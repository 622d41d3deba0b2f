import { join } from 'node:path';

import { heapLimitMiB, nodeOptions } from '../../charts/sweetshop-service.ts';
import { environmentNamed, type SectionName } from '../../config/index.ts';
import { assertHealthyRun, runLoad } from '../measure/load.ts';
import { readRssMiB } from '../measure/processes.ts';
import { startReplica } from '../measure/replica.ts';
import type { YoungGenerationVariant } from '../measure/results.ts';
import { median, round } from '../measure/stats.ts';
import type { BenchContext } from './context.ts';

/**
 * V8's young generation (`--max-semi-space-size`, MiB per semi-space; V8 sizes it up to 16 on 64-bit by
 * itself) is most of what a replica's RSS gains under load: short-lived request objects live there. The
 * sizes compared, V8's own first, each beside the heap cap the chart sets (half the memory limit).
 */
const SEMI_SPACE_MIB = [undefined, 1, 2, 4] as const;

/**
 * One replica per setting, started fresh for each measured run and loaded as the memory benchmark loads
 * it, in interleaved rounds (as deployed, 1, 2, 4, as deployed, ...): the peak RSS (VmHWM) and req/s of each
 * setting's median round, and its req/s against the setting as deployed, measured in the same rounds.
 */
export async function compareYoungGenerations(context: BenchContext, section: SectionName): Promise<YoungGenerationVariant[]> {
  const { profile, progress } = context;
  const environment = environmentNamed('local');
  const limit = environment.sections[section].limits.memory;
  const deployed = nodeOptions(limit, environment.v8SemiSpaceMiB);
  const flagsFor = (semiSpace: number | undefined) =>
    semiSpace === undefined ? `--max-old-space-size=${heapLimitMiB(limit)}` : nodeOptions(limit, semiSpace);
  const runs = new Map<string, { rps: number; peakRssMiB: number }[]>();
  for (let round = 1; round <= profile.serviceRounds; round += 1) {
    for (const semiSpace of SEMI_SPACE_MIB) {
      const flags = flagsFor(semiSpace);
      progress(`memory: young generation ${flags}, round ${round}/${profile.serviceRounds}`);
      const run = await loadOnce(context, section, flags);
      runs.set(flags, [...(runs.get(flags) ?? []), run]);
    }
  }
  const deployedRuns = runs.get(deployed);
  if (!deployedRuns)
    throw new Error(`memory: the deployed ${deployed} is none of the young generation sizes compared (${SEMI_SPACE_MIB.join(', ')})`);
  const deployedRps = median(deployedRuns.map((run) => run.rps));
  return [...runs].map(([flags, measured]) => {
    const rps = median(measured.map((run) => run.rps));
    return {
      nodeOptions: flags,
      deployed: flags === deployed,
      rps: round(rps, 0),
      peakRssMiB: round(median(measured.map((run) => run.peakRssMiB)), 1),
      ratioRpsVsDeployed: round(rps / deployedRps, 3),
    };
  });
}

async function loadOnce(context: BenchContext, section: SectionName, nodeOptions: string): Promise<{ rps: number; peakRssMiB: number }> {
  const { profile } = context;
  const replica = await startReplica({
    section,
    logFile: join(context.logDir, 'young-generation-replica.log'),
    env: { NODE_OPTIONS: nodeOptions },
  });
  try {
    const url = `${replica.url}/${section}`;
    if (profile.warmupSec > 0) await runLoad({ url, connections: profile.connections, durationSec: profile.warmupSec });
    const { result } = await runLoad({ url, connections: profile.connections, durationSec: profile.durationSec });
    assertHealthyRun(result, `young generation ${nodeOptions}`);
    return { rps: result.rps, peakRssMiB: readRssMiB(replica.pid, 'VmHWM') };
  } finally {
    await replica.stop();
  }
}
