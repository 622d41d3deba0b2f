import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { readRssMiB, type ServerProcess } from '../measure/processes.ts';
import { buildService, REPLICA_COMMAND, startReplica } from '../measure/replica.ts';
import type { RuntimeResults, RuntimeSide, ServiceTarget } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { ratio, round } from '../measure/stats.ts';
import type { BenchContext } from './context.ts';
import { loadSettings } from './profile.ts';
import { interleavedRounds, startBaseline, type Target } from './rounds.ts';
import { installOnce } from './scratch-install.ts';

/** The runtime the project left (end of life 2026-04-30), fetched from the registry for this comparison only. */
export const PREVIOUS_NODE = '20.20.2';

interface Runtime {
  binary: string;
  version: string;
  label: string;
}

/**
 * Why the project moved to Node 24, measured: the compiled replica and the bare Express 5 hello on
 * Node 24 and on Node 20, all four interleaved round by round under the same load, plus each replica's
 * RSS idle and its peak after the rounds.
 */
export async function benchRuntime(context: BenchContext, section = 'chocolates'): Promise<RuntimeResults> {
  const { profile, progress } = context;
  buildService(progress);
  const current: Runtime = { binary: process.execPath, version: process.version, label: 'node' };
  const previous = previousRuntime(progress);
  const started: Target[] = [];
  try {
    const replicas: { target: Target; idleRssMiB: number }[] = [];
    for (const runtime of [current, previous]) {
      const replica = await startRuntimeReplica(context, section, runtime);
      started.push(replica.target);
      replicas.push(replica);
      started.push(await startBaseline(context, `expressHello ${runtime.version}`, 'express-hello.mjs', runtime));
    }
    const [service24, express24, service20, express20] = (await interleavedRounds(context, 'runtime', started)) as [
      ServiceTarget,
      ServiceTarget,
      ServiceTarget,
      ServiceTarget,
    ];
    const side = (runtime: Runtime, service: ServiceTarget, expressHello: ServiceTarget, index: number): RuntimeSide => ({
      node: runtime.version,
      service,
      expressHello,
      idleRssMiB: replicas[index]!.idleRssMiB,
      peakRssMiB: round(readRssMiB(replicas[index]!.target.server.pid, 'VmHWM'), 1),
    });
    const node24 = side(current, service24, express24, 0);
    const node20 = side(previous, service20, express20, 1);
    return {
      load: loadSettings(profile),
      section,
      current: node24,
      previous: node20,
      ratioServiceVsExpressHelloSameRuntime: ratio(service24.rps, express24.rps, 'runtime.ratioServiceVsExpressHelloSameRuntime'),
      ratioServiceVsExpressHelloPrevious: ratio(service24.rps, express20.rps, 'runtime.ratioServiceVsExpressHelloPrevious'),
      ratioServiceCurrentVsPrevious: ratio(service24.rps, service20.rps, 'runtime.ratioServiceCurrentVsPrevious'),
      ratioPeakRssCurrentVsPrevious: ratio(node24.peakRssMiB, node20.peakRssMiB, 'runtime.ratioPeakRssCurrentVsPrevious'),
    };
  } finally {
    await Promise.all(started.map((t) => t.server.stop()));
  }
}

/** A compiled replica on `runtime`, settled after a few requests, with its idle RSS. */
async function startRuntimeReplica(
  context: BenchContext,
  section: string,
  runtime: Runtime,
): Promise<{ target: Target; idleRssMiB: number }> {
  const server: ServerProcess = await startReplica({
    section,
    node: runtime.binary,
    logFile: join(context.logDir, `runtime-replica-${runtime.version}.log`),
  });
  const target = { name: `service ${runtime.version}`, command: `${REPLICA_COMMAND} on ${runtime.version}`, server, path: `/${section}` };
  for (let i = 0; i < 10; i += 1) await (await fetch(`${server.url}/${section}`)).arrayBuffer();
  await sleep(1000);
  return { target, idleRssMiB: round(readRssMiB(server.pid), 1) };
}

/** Node 20's official binary from the registry (node-<os>-<arch>), in .bench/node-<version>/. */
function previousRuntime(progress: (message: string) => void): Runtime {
  const name = `node-${process.platform}-${process.arch}`;
  const dir = join(SCRATCH_DIR, `node-${PREVIOUS_NODE}`);
  const binary = join('node_modules', name, 'bin', 'node');
  installOnce(dir, { private: true, dependencies: { [name]: PREVIOUS_NODE } }, binary, progress, `runtime: Node ${PREVIOUS_NODE}`);
  return { binary: join(dir, binary), version: `v${PREVIOUS_NODE}`, label: `.bench/node-${PREVIOUS_NODE}/${binary}` };
}
