import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { EnvironmentConfig } from '../../config/index.ts';
import { startReplicaBehindNginx } from '../measure/behind-nginx.ts';
import { readRssMiB, sampleRss } from '../measure/processes.ts';
import { buildService } from '../measure/replica.ts';
import type { BenchResults, CurvePoint, RatePoint } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { measureCpuByRate, measureTarget } from '../measure/target.ts';
import type { MemoryMeasurement } from './planner.ts';

export interface ReplicaMeasurement {
  curve: CurvePoint[];
  /** CPU at offered rates below the curve's best (empty from results written before them). */
  cpuByRate: RatePoint[];
  memory: MemoryMeasurement;
  /** Where the numbers came from, for the printed plan. */
  source: string;
}

const CONNECTIONS = [1, 4, 16, 32, 64];
const SECONDS_PER_LEVEL = 3;

/**
 * A short measurement (about 40 s): one compiled replica of the environment behind local mode's nginx (the CPU a
 * request costs a pod, proxy and log pipe included) at increasing load, its CPU and RSS.
 */
export async function measureReplica(
  environment: EnvironmentConfig,
  section: string,
  progress: (message: string) => void,
): Promise<ReplicaMeasurement> {
  buildService(progress);
  const replica = await startReplicaBehindNginx({
    environment,
    section,
    manifestsDir: join(SCRATCH_DIR, 'capacity-manifests'),
    onWarning: (message) => progress(`local shop: ${message}`),
  });
  try {
    await sleep(1000);
    const idleRssMiB = readRssMiB(replica.pid);
    const target = { name: `one ${section} replica`, server: replica, path: `/${section}` };
    const curve: CurvePoint[] = [];
    const { samplesMiB } = await sampleRss(replica.pid, async () => {
      for (const connections of CONNECTIONS) {
        progress(`measuring one ${section} replica: ${connections} connection(s) for ${SECONDS_PER_LEVEL} s`);
        curve.push(await measureTarget(target, connections, SECONDS_PER_LEVEL, 0.5));
      }
    });
    const bestRps = Math.max(...curve.map((point) => point.rps));
    const load = { connections: Math.max(...CONNECTIONS), durationSec: SECONDS_PER_LEVEL };
    const cpuByRate = await measureCpuByRate(target, bestRps, load, (message) => progress(`measuring ${message}`));
    return {
      curve,
      cpuByRate,
      memory: { idleRssMiB, loadRssMiB: Math.max(...samplesMiB) },
      source: `measured now: one compiled ${section} replica of ${environment.name} behind local mode's nginx, ${SECONDS_PER_LEVEL} s per load level (${CONNECTIONS.join(', ')} connections, then offered rates below the best)`,
    };
  } finally {
    await replica.stop();
  }
}

/** The same inputs from a `npm run bench` results file. */
export function measurementFromResults(results: BenchResults, file: string): ReplicaMeasurement {
  if (!results.service) throw new Error(`${file} has no service results: run \`npm run bench -- --only service,memory --json ${file}\``);
  if (!results.memory) throw new Error(`${file} has no memory results: run \`npm run bench -- --only service,memory --json ${file}\``);
  return {
    curve: results.service.curve,
    cpuByRate: results.service.cpuByRate ?? [],
    memory: { idleRssMiB: results.memory.idleRssMiB, loadRssMiB: results.memory.loadRssMiB },
    source: `${file} (${results.meta.mode} bench run of ${results.meta.startedAt}, commit ${results.meta.gitCommit}, ${results.service.section} replica)`,
  };
}
