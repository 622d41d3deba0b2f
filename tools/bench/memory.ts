import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { memoryEnv } from '../../charts/sweetshop-service.ts';
import { environmentNamed, type SectionName } from '../../config/index.ts';
import { assertHealthyRun, runLoad } from '../measure/load.ts';
import { readRssMiB, sampleRss } from '../measure/processes.ts';
import { memoryToMiB } from '../measure/quantity.ts';
import { buildService, startReplica } from '../measure/replica.ts';
import type { MemoryBudget, MemoryResults } from '../measure/results.ts';
import { round } from '../measure/stats.ts';
import type { BenchContext } from './context.ts';
import { memoryFromManifests } from './manifest-resources.ts';
import { compareYoungGenerations } from './young-generation.ts';

/**
 * RSS of one compiled replica: idle (started, a few requests served, settled), then sampled every
 * 200 ms under the standard load, then the kernel's high-water mark; compared with the section's
 * memory request and limit in every environment's synthesized manifests.
 */
export async function benchMemory(context: BenchContext, section: SectionName = 'chocolates'): Promise<MemoryResults> {
  const asDeployed = await measureOneReplica(context, section);
  return { ...asDeployed, youngGeneration: await compareYoungGenerations(context, section) };
}

async function measureOneReplica(context: BenchContext, section: SectionName): Promise<MemoryResults> {
  const { profile, progress } = context;
  buildService(progress);
  const environment = environmentNamed('local');
  // As deployed: the runtime's memory settings the chart writes for the local manifests' memory limit.
  const env = memoryEnv(environment.sections[section].limits.memory, environment.v8SemiSpaceMiB, environment.mallocArenaMax);
  const replica = await startReplica({ section, logFile: join(context.logDir, 'memory-replica.log'), env });
  try {
    const url = `${replica.url}/${section}`;
    for (let i = 0; i < 10; i += 1) await (await fetch(url)).arrayBuffer();
    await sleep(2000);
    const idleRssMiB = readRssMiB(replica.pid);
    progress(`memory: idle RSS ${round(idleRssMiB, 1)} MiB; loading (${profile.connections} connections, ${profile.durationSec} s)`);

    const { value: run, samplesMiB: samples } = await sampleRss(replica.pid, () =>
      runLoad({ url, connections: profile.connections, durationSec: profile.durationSec }),
    );
    assertHealthyRun(run.result, `memory load on ${url}`);
    const loadRssMiB = Math.max(...samples);
    const peakRssMiB = readRssMiB(replica.pid, 'VmHWM');
    return {
      section,
      nodeOptions: env.NODE_OPTIONS,
      mallocArenaMax: environment.mallocArenaMax,
      idleRssMiB: round(idleRssMiB, 1),
      loadRssMiB: round(loadRssMiB, 1),
      peakRssMiB: round(peakRssMiB, 1),
      samplesUnderLoad: samples.length,
      load: run.result,
      budgets: memoryBudgets(section, loadRssMiB, peakRssMiB),
    };
  } finally {
    await replica.stop();
  }
}

/** Each environment's request and limit, read from its synthesized manifests, against the measurement. */
function memoryBudgets(section: SectionName, loadRssMiB: number, peakRssMiB: number): MemoryBudget[] {
  return memoryFromManifests(section).map(({ environment, request, limit }) => {
    const requestMiB = memoryToMiB(request);
    const limitMiB = memoryToMiB(limit);
    return {
      environment,
      request: { quantity: request, mib: round(requestMiB, 1) },
      limit: { quantity: limit, mib: round(limitMiB, 1) },
      loadVsRequest: round(loadRssMiB / requestMiB, 3),
      peakVsLimit: round(peakRssMiB / limitMiB, 3),
    };
  });
}
