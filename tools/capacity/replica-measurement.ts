import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { readRssMiB, sampleRss } from '../measure/processes.ts';
import { buildService, startReplica } from '../measure/replica.ts';
import type { BenchResults, CurvePoint } from '../measure/results.ts';
import { createLogDir } from '../measure/scratch.ts';
import { measureTarget } from '../measure/target.ts';
import type { MemoryMeasurement } from './planner.ts';

export interface ReplicaMeasurement {
  curve: CurvePoint[];
  memory: MemoryMeasurement;
  /** Where the numbers came from, for the printed plan. */
  source: string;
}

const CONNECTIONS = [1, 4, 16, 32, 64];
const SECONDS_PER_LEVEL = 3;

/** A short measurement (about 20 s): one compiled replica at increasing load, its CPU and RSS. */
export async function measureReplica(section: string, progress: (message: string) => void): Promise<ReplicaMeasurement> {
  buildService(progress);
  const logDir = createLogDir('capacity-logs');
  const replica = await startReplica({ section, logFile: join(logDir, 'capacity-replica.log') });
  try {
    await sleep(1000);
    const idleRssMiB = readRssMiB(replica.pid);
    const curve: CurvePoint[] = [];
    const { samplesMiB } = await sampleRss(replica.pid, async () => {
      for (const connections of CONNECTIONS) {
        progress(`measuring one ${section} replica: ${connections} connection(s) for ${SECONDS_PER_LEVEL} s`);
        curve.push(
          await measureTarget({ name: `${section} replica`, server: replica, path: `/${section}` }, connections, SECONDS_PER_LEVEL, 0.5),
        );
      }
    });
    return {
      curve,
      memory: { idleRssMiB, loadRssMiB: Math.max(...samplesMiB) },
      source: `measured now: one compiled ${section} replica, ${SECONDS_PER_LEVEL} s per load level (${CONNECTIONS.join(', ')} connections)`,
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
    memory: { idleRssMiB: results.memory.idleRssMiB, loadRssMiB: results.memory.loadRssMiB },
    source: `${file} (${results.meta.mode} bench run of ${results.meta.startedAt}, commit ${results.meta.gitCommit}, ${results.service.section} replica)`,
  };
}
