/**
 * `npm run local`: the synthesized shop on this machine, behind a real nginx (`--autoscale`: with its HPAs).
 * `npm run local -- rollout restart [section]`: rolling restart of the running shop's replicas.
 * `npm run local -- status [--json]`: the running shop's replicas and HPAs.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { REPO_ROOT } from '../lib/repo-root.ts';
import {
  assertNoShopRunning,
  checkControlSocketPath,
  fetchStatus,
  requestRolloutRestart,
  startControlServer,
  stopControlServer,
} from './cli/control.ts';
import { formatAutoscalerTable, formatReplicaTable, formatShopEvent } from './cli/log-format.ts';
import { checkHpaSpeed } from './hpa/autoscaler.ts';
import { parseReplicaFlags } from './manifests/replica-counts.ts';
import { parseLocalAlgorithm } from './nginx/balance.ts';
import { DEFAULT_LOCAL_PORT, DEFAULT_REPLICA_BASE_PORT, type ShopEvent, startLocalShop } from './shop/shop.ts';

const HELP = `Usage:
  npm run local [-- options]                      run dist/ locally: replicas + nginx on 127.0.0.1
  npm run local -- rollout restart [section]      rolling restart of the running shop (all sections by default)
  npm run local -- status [--json]                replicas and HPAs of the running shop

Options:
  --balance <round-robin|least-connections>  override the Ingress annotations
  --replicas <section>=<n>                   override a replica count (repeatable, or a,b comma list)
  --autoscale                                run each section's HPA (min, max, cpu target, behavior) on its replicas
  --hpa-speed <n>                            with --autoscale: divide every HPA period and window by n (1-60, default 1)
  --port <n>                                 nginx port (default LOCAL_PORT, else ${DEFAULT_LOCAL_PORT}; 0 = any free port)
  --replica-port <n>                         first loopback port tried for replicas (default ${DEFAULT_REPLICA_BASE_PORT})
  --manifests <dir>                          manifests directory (default dist/)
  --state-dir <dir>                          where the control socket lives (default .local-run/)
  --no-resource-limits                       run replicas without their manifests' cpu/memory limits (default: cgroups
                                             enforce them as the kubelet does, where this machine lets us write cgroups)
  --quiet                                    hide per-request log lines
  -h, --help                                 this help

Stop with Ctrl-C: nginx stops, then every replica drains (SIGTERM), then the temp directory goes.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    allowNegative: true,
    options: {
      balance: { type: 'string' },
      replicas: { type: 'string', multiple: true },
      port: { type: 'string' },
      'replica-port': { type: 'string' },
      manifests: { type: 'string' },
      'state-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      autoscale: { type: 'boolean', default: false },
      'resource-limits': { type: 'boolean', default: true },
      'hpa-speed': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const stateDir = resolve(values['state-dir'] ?? resolve(REPO_ROOT, '.local-run'));
  checkControlSocketPath(stateDir);
  const [command, ...rest] = positionals;
  if (command === 'rollout') return rolloutRestart(stateDir, rest);
  if (command === 'status') return status(stateDir, values.json);
  if (command !== undefined) throw new Error(`unknown command ${command} (expected rollout restart or status; see --help)`);

  const portText = values.port ?? process.env.LOCAL_PORT;
  const port = portText === undefined ? DEFAULT_LOCAL_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port / LOCAL_PORT ${portText}: expected a port number 0..65535`);
  const replicaPortText = values['replica-port'];
  const replicaPort = replicaPortText === undefined ? DEFAULT_REPLICA_BASE_PORT : Number(replicaPortText);
  if (!Number.isInteger(replicaPort) || replicaPort < 1 || replicaPort > 65_535)
    throw new Error(`--replica-port ${replicaPortText}: expected a port number 1..65535`);
  const speedText = values['hpa-speed'];
  if (speedText !== undefined && !values.autoscale) throw new Error('--hpa-speed only applies with --autoscale');
  return run({
    port,
    replicaPort,
    stateDir,
    quiet: values.quiet,
    manifestsDir: values.manifests === undefined ? undefined : resolve(values.manifests),
    balance: values.balance === undefined ? undefined : parseLocalAlgorithm(values.balance),
    replicas: parseReplicaFlags(values.replicas ?? []),
    autoscale: values.autoscale ? { speed: speedText === undefined ? 1 : checkHpaSpeed(Number(speedText)) } : undefined,
    resourceLimits: values['resource-limits'],
  });
}

async function run(options: {
  port: number;
  replicaPort: number;
  stateDir: string;
  quiet: boolean;
  manifestsDir: string | undefined;
  balance: ReturnType<typeof parseLocalAlgorithm> | undefined;
  replicas: Record<string, number>;
  autoscale: { speed: number } | undefined;
  resourceLimits: boolean;
}): Promise<number> {
  const print = (event: ShopEvent): void => {
    if (options.quiet && event.type === 'replica-output' && event.line.includes('"msg":"request"')) return;
    console.log(formatShopEvent(event));
  };
  const armStop = handleStopSignals();

  // Checked again when the control socket is created; this only fails fast, before any replica starts.
  await assertNoShopRunning(options.stateDir);
  mkdirSync(options.stateDir, { recursive: true });

  console.log(`local: starting the shop from ${options.manifestsDir ?? 'dist/'}`);
  const shop = await startLocalShop({
    port: options.port,
    basePort: options.replicaPort,
    balance: options.balance,
    replicas: options.replicas,
    ...(options.manifestsDir ? { manifestsDir: options.manifestsDir } : {}),
    processFile: join(options.stateDir, 'processes.json'),
    onEvent: print,
    ...(options.autoscale ? { autoscale: options.autoscale } : {}),
    resourceLimits: options.resourceLimits,
  });
  const control = await startControlServer(shop, options.stateDir).catch(async (error: unknown) => {
    await shop.stop();
    throw error;
  });
  const stopSignal = armStop();

  console.log(`\n${formatReplicaTable(shop.replicas)}\n`);
  console.log(`nginx ${shop.url} (${shop.balance.algorithm}, from ${shop.balance.source})`);
  for (const section of new Set(shop.replicas.map((r) => r.section))) console.log(`  ${shop.url}/${section}`);
  if (options.autoscale) console.log(`\n${formatAutoscalerTable(shop.sections)}\nwatch it: npm run local -- status`);
  console.log(`rolling restart: npm run local -- rollout restart [section]    stop: Ctrl-C\n`);

  const signal = await Promise.race([stopSignal, shop.stopped.then(() => undefined)]);
  if (signal === undefined) {
    // The shop stopped itself (an nginx it could not start again); the events above say why.
    await stopControlServer(control, options.stateDir);
    console.error('local: the shop stopped itself (see the lines above)');
    return 1;
  }
  console.log(`local: ${signal}: stopping nginx, draining replicas (a second Ctrl-C kills them)`);
  await stopControlServer(control, options.stateDir);
  await shop.stop();
  console.log('local: stopped');
  return 0;
}

/**
 * SIGINT and SIGTERM get one listener each for the whole run: while a signal has none, its default
 * action applies (die at once, no exit hook), and users and tests send SIGTERM right after "stop: Ctrl-C".
 * Until armed, and on a second signal, the process exits (the shop's exit hook kills what it started);
 * once armed, the first signal resolves the promise arm() returned, for a graceful stop.
 */
function handleStopSignals(): () => Promise<NodeJS.Signals> {
  let onStop: ((signal: NodeJS.Signals) => void) | undefined;
  const handle = (signal: NodeJS.Signals): void => {
    const stop = onStop;
    onStop = undefined;
    if (stop) stop(signal);
    else process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handle).on('SIGTERM', handle);
  return () =>
    new Promise((resolve) => {
      onStop = resolve;
    });
}

async function rolloutRestart(stateDir: string, args: string[]): Promise<number> {
  const [verb, section, ...extra] = args;
  if (verb !== 'restart' || extra.length > 0) throw new Error('usage: npm run local -- rollout restart [section]');
  // Everything is checked before the banner: a refused rollout prints one error and nothing else.
  const sections = [...new Set((await fetchStatus(stateDir)).replicas.map((r) => r.section))];
  if (section !== undefined && !sections.includes(section))
    throw new Error(`rollout restart: unknown section ${section} (the running shop has ${sections.join(', ')})`);
  const started = Date.now();
  console.log(`rollout restart ${section ?? 'every section'}: one replica at a time (start new, wait ready, reload nginx, drain old)`);
  const count = await requestRolloutRestart(stateDir, section, (step) => {
    console.log(`  ${step.section}: ${step.from} -> ${step.to} (port ${step.port})`);
  });
  console.log(`rollout restart done: ${count} replicas replaced in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

async function status(stateDir: string, json: boolean): Promise<number> {
  const shop = await fetchStatus(stateDir);
  if (json) {
    console.log(JSON.stringify({ url: shop.url, pid: shop.pid, sections: shop.sections, replicas: shop.replicas }, null, 2));
    return 0;
  }
  console.log(`local shop pid ${shop.pid} at ${shop.url}\n${formatReplicaTable(shop.replicas)}`);
  if (Object.values(shop.sections).some((s) => s.hpa !== null)) console.log(`\n${formatAutoscalerTable(shop.sections)}`);
  const gone = shop.replicas.filter((r) => r.exit);
  if (gone.length > 0) {
    // A crashed pod is restarted by Kubernetes; here a rollout of its section replaces it.
    const sections = new Set(gone.map((r) => r.section));
    const command = `npm run local -- rollout restart${sections.size === 1 ? ` ${[...sections][0]}` : ''}`;
    const them = gone.length === 1 ? 'it' : 'them';
    console.log(`${gone.length} of ${shop.replicas.length} replicas gone: nginx routes around ${them}; \`${command}\` replaces ${them}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`local: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
