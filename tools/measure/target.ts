import { assertHealthyRun, runLoad } from './load.ts';
import { measureCpu, type ServerProcess } from './processes.ts';
import type { CurvePoint } from './results.ts';

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
