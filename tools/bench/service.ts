import { join } from 'node:path';

import type { BenchContext } from './context.ts';
import { REPO_ROOT } from './context.ts';
import { assertHealthyRun, runLoad } from './load.ts';
import { freePort, measureCpu, startServer, type ServerProcess } from './processes.ts';
import { buildService, REPLICA_COMMAND, startReplica } from './replica.ts';
import type { CurvePoint, LoadResult, LoadSettings, ServiceResults, ServiceTarget } from './results.ts';
import { median, ratio } from './stats.ts';

export const LOAD_GENERATOR = 'autocannon 9 (programmatic API) inside the bench process, on the same cores as the servers';

interface Target {
  name: string;
  command: string;
  server: ServerProcess;
  path: string;
}

/**
 * One replica (compiled, logging and metrics on) against a bare Express 5 hello world and a bare
 * node:http hello world, under the same keep-alive load, in interleaved rounds so drift on this
 * shared machine hits all three alike. Then the replica's latency curve for the capacity planner.
 */
export async function benchService(context: BenchContext, section = 'chocolates'): Promise<ServiceResults> {
  const { profile, progress } = context;
  buildService(progress);
  const path = `/${section}`;
  const targets: Target[] = [];
  try {
    const replica = await startReplica({ section, logFile: join(context.logDir, 'service-replica.log') });
    targets.push({ name: 'service', command: `${REPLICA_COMMAND} (SHOP_SECTION=${section})`, server: replica, path });
    targets.push(await startBaseline('expressHello', 'express-hello.ts', context));
    targets.push(await startBaseline('nodeHttpHello', 'node-http-hello.ts', context));

    const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 1; round <= profile.serviceRounds; round += 1) {
      for (const target of targets) {
        progress(`service: round ${round}/${profile.serviceRounds}, ${target.name} (${profile.connections} connections, ${profile.durationSec} s)`);
        rounds.get(target.name)!.push(await measureTarget(target, profile.connections, profile.durationSec, profile.warmupSec));
      }
    }
    const pick = (target: Target): ServiceTarget => ({
      name: target.name,
      command: target.command,
      url: `${target.server.url}${target.path}`,
      ...medianRound(rounds.get(target.name)!),
    });
    const [service, expressHello, nodeHttpHello] = targets.map(pick) as [ServiceTarget, ServiceTarget, ServiceTarget];

    const curve: CurvePoint[] = [];
    for (const connections of profile.curveConnections) {
      progress(`service: load curve, ${connections} connection(s), ${profile.curveDurationSec} s`);
      const point = await measureTarget(targets[0]!, connections, profile.curveDurationSec, 0.5);
      curve.push({ ...point, serverCpuCores: point.serverCpuCores ?? 0 });
    }

    const load: LoadSettings = {
      connections: profile.connections,
      durationSec: profile.durationSec,
      pipelining: 1,
      keepAlive: true,
      generator: LOAD_GENERATOR,
    };
    return {
      load,
      section,
      path,
      service,
      expressHello,
      nodeHttpHello,
      ratioVsExpressHello: ratio(service.rps, expressHello.rps, 'service.ratioVsExpressHello'),
      ratioVsNodeHttp: ratio(service.rps, nodeHttpHello.rps, 'service.ratioVsNodeHttp'),
      curve,
    };
  } finally {
    await Promise.all(targets.map((t) => t.server.stop()));
  }
}

async function startBaseline(name: string, file: string, context: BenchContext): Promise<Target> {
  const port = await freePort();
  const script = join('tools', 'bench', 'baselines', file);
  const server = await startServer({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', script],
    cwd: REPO_ROOT,
    env: { PORT: String(port) },
    port,
    readyPath: '/',
    logFile: join(context.logDir, `${name}.log`),
  });
  return { name, command: `node --import tsx ${script}`, server, path: '/' };
}

/** Warm-up (discarded), then a measured run with the server's CPU use. */
export async function measureTarget(target: Target | { server: ServerProcess; path: string; name: string }, connections: number, durationSec: number, warmupSec: number): Promise<LoadResult> {
  const url = `${target.server.url}${target.path}`;
  if (warmupSec > 0) await runLoad({ url, connections, durationSec: warmupSec });
  const { value: run, cores } = await measureCpu([target.server.pid], () => runLoad({ url, connections, durationSec }));
  assertHealthyRun(run.result, `${target.name} at ${url}`);
  return { ...run.result, serverCpuCores: cores };
}

/** The round with the median req/s (a whole round, so req/s and latencies stay consistent). */
function medianRound(runs: LoadResult[]): LoadResult {
  const middle = median(runs.map((r) => r.rps));
  return runs.reduce((best, run) => (Math.abs(run.rps - middle) < Math.abs(best.rps - middle) ? run : best));
}
