import { join } from 'node:path';

import { buildService, REPLICA_COMMAND, startReplica } from '../measure/replica.ts';
import type { CurvePoint, ServiceResults, ServiceTarget } from '../measure/results.ts';
import { ratio } from '../measure/stats.ts';
import { measureTarget } from '../measure/target.ts';
import type { BenchContext } from './context.ts';
import { loadSettings } from './profile.ts';
import { interleavedRounds, startBaseline, type Target } from './rounds.ts';

/**
 * One replica (compiled, logging and metrics on) against a bare Express 5 hello world and a bare
 * node:http hello world, under the same keep-alive load, in interleaved rounds so drift on this
 * shared machine hits all of them alike. A second replica with LOG_LEVEL=warn shows what the request
 * log costs (diagnostic only). Then the replica's latency curve for the capacity planner.
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

    const curve: CurvePoint[] = [];
    for (const connections of profile.curveConnections) {
      progress(`service: load curve, ${connections} connection(s), ${profile.curveDurationSec} s`);
      curve.push(await measureTarget(targets[0]!, connections, profile.curveDurationSec, 0.5));
    }

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
    };
  } finally {
    await Promise.all(targets.map((t) => t.server.stop()));
  }
}
