/**
 * The process entry point: reads the config, listens, and handles SIGTERM/SIGINT.
 * Everything else (routes, logging, metrics) is built by createApp and receives its dependencies.
 */
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type ServiceConfig } from './config.ts';
import { gracefulShutdown } from './graceful-shutdown.ts';
import { createHttpServer } from './http-server.ts';
import { Lifecycle } from './lifecycle.ts';
import { createLogOutput, type LogOutput } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { sections } from './sections/index.ts';

/** How long exiting waits for the asynchronous log destination to flush (it only waits longer if stdout is stuck). */
const LOG_FLUSH_TIMEOUT_MS = 1_000;

function readConfig(): ServiceConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

let exiting = false;

function exitAfterFlush(output: LogOutput, code: number): void {
  // The first reason to exit decides the code (e.g. an uncaught exception during a drain that later completes).
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  setTimeout(() => process.exit(code), LOG_FLUSH_TIMEOUT_MS);
  // setImmediate: let lines queued for this tick (e.g. the last request's log line) reach the buffer first.
  setImmediate(() => {
    void output.close().then(() => process.exit(code));
  });
}

function main(): void {
  const config = readConfig();
  const metrics = createMetrics();
  const output = createLogOutput({
    level: config.logLevel,
    replica: config.replicaId,
    section: config.section,
    onDroppedLine: () => metrics.countDroppedLogLine(),
  });
  const { log } = output;
  for (const warning of config.warnings) log.warn(warning);
  const exit = (code: number) => exitAfterFlush(output, code);

  const lifecycle = new Lifecycle();
  const app = createApp({
    section: sections[config.section],
    replicaId: config.replicaId,
    port: config.port,
    log,
    metrics,
    lifecycle,
    maxBodyBytes: config.maxBodyBytes,
    testDelayMs: config.testDelayMs,
  });
  if (config.testDelayMs > 0) log.warn({ testDelayMs: config.testDelayMs }, 'test hook: every section request is delayed');

  const server = createHttpServer(app, { replicaId: config.replicaId });
  server.on('error', (err: NodeJS.ErrnoException) => {
    // Typically EADDRINUSE or EACCES: say it on stderr too, like a config error.
    process.stderr.write(`cannot listen on ${config.host ?? '*'}:${config.port}: ${err.code ?? err.message}\n`);
    log.fatal({ err }, 'server error');
    exit(1);
  });
  server.listen({ port: config.port, host: config.host }, () => {
    log.info(
      { port: config.port, host: config.host ?? '*', drainTimeoutMs: config.drainTimeoutMs, maxBodyBytes: config.maxBodyBytes },
      'listening',
    );
  });

  const onSignal = gracefulShutdown({ server, lifecycle, log, replicaId: config.replicaId, drainTimeoutMs: config.drainTimeoutMs, exit });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception, exiting');
    exit(1);
  });
}

main();
