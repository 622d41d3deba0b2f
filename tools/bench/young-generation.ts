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
 * itself) is most of what a replica's RSS gains under load: short-lived request objects live there; glibc's
 * malloc arenas (MALLOC_ARENA_MAX, up to 8 per core) keep what other threads freed. The settings compared, each
 * beside the heap cap the chart sets (half the memory limit): V8's own sizing with glibc's arenas first (the
 * settings before v8SemiSpaceMiB and mallocArenaMax), then the deployed semi-space with glibc's arenas, then
 * semi-space sizes with the deployed arenas.
 */
interface Setting {
  semiSpaceMiB?: number;
  mallocArenaMax?: number;
}

function settingsCompared(deployed: Required<Setting>): Setting[] {
  return [
    {},
    { semiSpaceMiB: deployed.semiSpaceMiB },
    ...[1, 2, 4].map((semiSpaceMiB) => ({ semiSpaceMiB, mallocArenaMax: deployed.mallocArenaMax })),
  ];
}

/**
 * One replica per setting, started fresh for each measured run and loaded as the memory benchmark loads
 * it, in interleaved rounds: the peak RSS (VmHWM) and req/s of each setting's median round, and its req/s
 * against the setting as deployed, measured in the same rounds.
 */
export async function compareYoungGenerations(context: BenchContext, section: SectionName): Promise<YoungGenerationVariant[]> {
  const { profile, progress } = context;
  const environment = environmentNamed('local');
  const limit = environment.sections[section].limits.memory;
  const deployed = { semiSpaceMiB: environment.v8SemiSpaceMiB, mallocArenaMax: environment.mallocArenaMax };
  const settings = settingsCompared(deployed);
  const flagsFor = ({ semiSpaceMiB }: Setting) =>
    semiSpaceMiB === undefined ? `--max-old-space-size=${heapLimitMiB(limit)}` : nodeOptions(limit, semiSpaceMiB);
  const runs = settings.map(() => [] as { rps: number; peakRssMiB: number }[]);
  for (let round = 1; round <= profile.serviceRounds; round += 1) {
    for (const [index, setting] of settings.entries()) {
      const arenas = setting.mallocArenaMax === undefined ? "glibc's arenas" : `MALLOC_ARENA_MAX=${setting.mallocArenaMax}`;
      progress(`memory: young generation ${flagsFor(setting)}, ${arenas}, round ${round}/${profile.serviceRounds}`);
      runs[index]!.push(await loadOnce(context, section, flagsFor(setting), setting.mallocArenaMax));
    }
  }
  const isDeployed = (setting: Setting) =>
    setting.semiSpaceMiB === deployed.semiSpaceMiB && setting.mallocArenaMax === deployed.mallocArenaMax;
  const deployedIndex = settings.findIndex(isDeployed);
  if (deployedIndex < 0) throw new Error(`memory: the deployed ${JSON.stringify(deployed)} is none of the settings compared`);
  const deployedRps = median(runs[deployedIndex]!.map((run) => run.rps));
  return settings.map((setting, index) => {
    const rps = median(runs[index]!.map((run) => run.rps));
    return {
      nodeOptions: flagsFor(setting),
      ...(setting.mallocArenaMax === undefined ? {} : { mallocArenaMax: setting.mallocArenaMax }),
      deployed: isDeployed(setting),
      rps: round(rps, 0),
      peakRssMiB: round(median(runs[index]!.map((run) => run.peakRssMiB)), 1),
      ratioRpsVsDeployed: round(rps / deployedRps, 3),
    };
  });
}

async function loadOnce(
  context: BenchContext,
  section: SectionName,
  nodeOptions: string,
  mallocArenaMax: number | undefined,
): Promise<{ rps: number; peakRssMiB: number }> {
  const { profile } = context;
  const replica = await startReplica({
    section,
    logFile: join(context.logDir, 'young-generation-replica.log'),
    env: { NODE_OPTIONS: nodeOptions, ...(mallocArenaMax === undefined ? {} : { MALLOC_ARENA_MAX: String(mallocArenaMax) }) },
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
