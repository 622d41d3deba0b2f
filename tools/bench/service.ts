import { join } from 'node:path';

import { environmentNamed } from '../../config/index.ts';
import { startReplicaBehindNginx } from '../measure/behind-nginx.ts';
import { buildService, REPLICA_COMMAND, startReplica } from '../measure/replica.ts';
import type { CurvePoint, ServiceResults, ServiceTarget } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { ratio } from '../measure/stats.ts';
import { measureCpuByRate, measureTarget } from '../measure/target.ts';
import type { BenchContext } from './context.ts';
import { loadSettings } from './profile.ts';
import { interleavedRounds, startBaseline, type Target } from './rounds.ts';

/**
 * One replica (compiled, logging and metrics on) against a bare Express 5 hello world and a bare
 * node:http hello world, under the same keep-alive load, in interleaved rounds so drift on this
 * shared machine hits all of them alike. A second replica with LOG_LEVEL=warn shows what the request
 * log costs (diagnostic only). Then the latency curve of one replica as a pod runs it (behind a proxy, its
 * output through a pipe) for the capacity planner.
 */
export async function benchService(context: BenchContext, section = 'chocolates'): Promise<ServiceResults> {
  const { profile, progress } = context;
  buildService(progress);
  const path = `/${section}`;
  const targets: Target[] = [];
  try {
    const replica = await startReplica({ section, logFile: join(context.logDir, 'service-replica.log') });
    targets.push({ name: 'service', command: `${REPLICA_COMMAND} (SHOP_SECTION=${section})`, server: replica, path });
    const quiet = await startReplica({
      section,
      logFile: join(context.logDir, 'service-replica-log-warn.log'),
      env: { LOG_LEVEL: 'warn' },
    });
    targets.push({
      name: 'serviceWithoutRequestLog',
      command: `${REPLICA_COMMAND} (SHOP_SECTION=${section} LOG_LEVEL=warn)`,
      server: quiet,
      path,
    });
    targets.push(await startBaseline(context, 'expressHello', 'express-hello.mjs'));
    targets.push(await startBaseline(context, 'nodeHttpHello', 'node-http-hello.mjs'));

    const [service, serviceWithoutRequestLog, expressHello, nodeHttpHello] = (await interleavedRounds(context, 'service', targets)) as [
      ServiceTarget,
      ServiceTarget,
      ServiceTarget,
      ServiceTarget,
    ];

    const behindNginx = await startReplicaBehindNginx({
      environment: environmentNamed('local'),
      section,
      manifestsDir: join(SCRATCH_DIR, 'manifests-service-curve'),
      onWarning: (message) => progress(`service: local shop: ${message}`),
    });
    targets.push({ name: 'replica behind nginx', command: '', server: behindNginx, path });
    const curve: CurvePoint[] = [];
    for (const connections of profile.curveConnections) {
      progress(`service: load curve behind nginx, ${connections} connection(s), ${profile.curveDurationSec} s`);
      curve.push(await measureTarget(targets.at(-1)!, connections, profile.curveDurationSec, 0.5));
    }
    const bestRps = Math.max(...curve.map((point) => point.rps));
    const cpuByRate = await measureCpuByRate(
      targets.at(-1)!,
      bestRps,
      { connections: profile.connections, durationSec: profile.curveDurationSec },
      (message) => progress(`service: ${message}`),
    );

    const load = loadSettings(profile);
    return {
      load,
      section,
      path,
      service,
      serviceWithoutRequestLog,
      expressHello,
      nodeHttpHello,
      ratioVsExpressHello: ratio(service.rps, expressHello.rps, 'service.ratioVsExpressHello'),
      ratioVsNodeHttp: ratio(service.rps, nodeHttpHello.rps, 'service.ratioVsNodeHttp'),
      curve,
      cpuByRate,
    };
  } finally {
    await Promise.all(targets.map((t) => t.server.stop()));
  }
}
