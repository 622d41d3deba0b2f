// One replica as a pod runs it: behind a proxy (local mode's nginx, one hop, like an ingress controller or an
// Envoy) and with its output read through a pipe (as the container runtime reads a container's). A request
// then costs the replica more CPU than a bare replica logging to a file pays: the proxy's headers to parse,
// each log batch written to a reader. The capacity plan divides a CPU limit by that cost, so it is measured here.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { type EnvironmentConfig, SECTION_NAMES } from '../../config/index.ts';
import { randomReplicaBasePort } from '../lib/process/ports.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { startLocalShop } from '../local/shop/shop.ts';
import type { ServiceCommand } from '../local/supervisor/service-command.ts';
import type { ServerProcess } from './processes.ts';

/** The replicas as deployed: the compiled service (`buildService`), started by node itself (no npm in between). */
export const COMPILED_SERVICE: ServiceCommand = {
  executable: process.execPath,
  args: [join('service', 'build', 'server.js')],
  cwd: REPO_ROOT,
};

export interface BehindNginxOptions {
  environment: EnvironmentConfig;
  section: string;
  /** Where the environment's manifests are synthesized for the shop (a scratch folder: dist/ stays as it is). */
  manifestsDir: string;
  onWarning: (message: string) => void;
}

/**
 * One replica of `section`, unlimited, behind local mode's nginx: its url is nginx's, its pid the replica's,
 * so a measurement loads it through the proxy and counts the replica's CPU. The other sections run one idle replica each.
 */
export async function startReplicaBehindNginx(options: BehindNginxOptions): Promise<ServerProcess> {
  mkdirSync(dirname(options.manifestsDir), { recursive: true });
  synthesizeInto(options.environment, options.manifestsDir);
  const shop = await startLocalShop({
    manifestsDir: options.manifestsDir,
    port: 0,
    stableFront: false,
    resourceLimits: false,
    balance: 'round-robin',
    replicas: Object.fromEntries(SECTION_NAMES.map((name) => [name, 1])),
    serviceCommand: COMPILED_SERVICE,
    // Below Linux's ephemeral range (32768+), where client sockets (the load generator, nginx upstreams) could take a freed port.
    basePort: randomReplicaBasePort(),
    onEvent: (event) => {
      if (event.type === 'message' && event.level === 'warn') options.onWarning(event.message);
    },
  });
  const replica = shop.replicas.find((r) => r.section === options.section);
  if (!replica) {
    await shop.stop();
    throw new Error(`behind nginx: the shop started no ${options.section} replica`);
  }
  return { pid: replica.pid, url: shop.url, port: shop.port, stop: () => shop.stop() };
}
