import { hostname as osHostname } from 'node:os';

import { isSectionName, SECTION_NAMES, type SectionName } from './catalog.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the server reads from its environment, parsed once. */
export interface ServiceConfig {
  /** PORT: 1..65535, required. */
  readonly port: number;
  /** HOST: the address to bind; undefined = all interfaces (what a container needs). */
  readonly host: string | undefined;
  /** SHOP_SECTION: which catalog this replica serves, required. */
  readonly section: SectionName;
  /** REPLICA_ID, else POD_NAME, else `<hostname>:<port>`; sent as X-Served-By and logged. */
  readonly replicaId: string;
  /** LOG_LEVEL, default info. */
  readonly logLevel: LogLevel;
  /** DRAIN_TIMEOUT_MS, default 10000: hard cap on the graceful drain after SIGTERM/SIGINT. */
  readonly drainTimeoutMs: number;
  /** MAX_BODY_BYTES, default 16384: the largest request body accepted (the chart sets the environment's). */
  readonly maxBodyBytes: number;
  /** SWEETSHOP_TEST_DELAY_MS when SWEETSHOP_TEST_HOOKS=1, else 0: latency added to section requests. */
  readonly testDelayMs: number;
  /** Problems that do not stop the server (logged once the logger exists). */
  readonly warnings: readonly string[];
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;
/**
 * The bounds of MAX_BODY_BYTES, the same as config/'s for maxRequestBodyBytes (the service imports
 * nothing outside itself). Up to 1 MiB: body-parser holds a whole body in memory, per request.
 */
export const MAX_BODY_BYTES_RANGE = { min: 1024, max: 1024 * 1024 } as const;

/** Visible ASCII, inner spaces allowed: what an HTTP header value can carry without escaping. */
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** Thrown by loadConfig; its message is the one line the server prints before exiting 1. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the service's environment variables.
 * Throws ConfigError with one line naming the variable, the allowed values and what was given.
 */
export function loadConfig(env: NodeJS.ProcessEnv, hostname: string = osHostname()): ServiceConfig {
  const port = parseInteger(env, 'PORT', { min: 1, max: 65535 });
  if (port === undefined) throw new ConfigError('PORT is required: an integer from 1 to 65535');
  const rawSection = env.SHOP_SECTION;
  if (!rawSection) throw new ConfigError(`SHOP_SECTION is required: one of ${SECTION_NAMES.join(', ')}`);
  if (!isSectionName(rawSection)) {
    throw new ConfigError(`SHOP_SECTION must be one of ${SECTION_NAMES.join(', ')}, got ${JSON.stringify(rawSection)}`);
  }
  const rawLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(rawLevel)}`);
  }
  const drainTimeoutMs = parseInteger(env, 'DRAIN_TIMEOUT_MS', { min: 1, max: 600_000 }) ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const maxBodyBytes = parseInteger(env, 'MAX_BODY_BYTES', MAX_BODY_BYTES_RANGE) ?? DEFAULT_MAX_BODY_BYTES;

  const warnings: string[] = [];
  let testDelayMs = 0;
  if (env.SWEETSHOP_TEST_HOOKS === '1') {
    testDelayMs = parseInteger(env, 'SWEETSHOP_TEST_DELAY_MS', { min: 0, max: 60_000 }) ?? 0;
  } else if (nonEmpty(env.SWEETSHOP_TEST_DELAY_MS) !== undefined) {
    warnings.push('SWEETSHOP_TEST_DELAY_MS is ignored: test hooks are off (set SWEETSHOP_TEST_HOOKS=1 to enable them)');
  }

  const replicaId = nonEmpty(env.REPLICA_ID) ?? nonEmpty(env.POD_NAME) ?? `${hostname}:${port}`;
  if (!HEADER_SAFE.test(replicaId)) {
    const source =
      nonEmpty(env.REPLICA_ID) !== undefined ? 'REPLICA_ID' : nonEmpty(env.POD_NAME) !== undefined ? 'POD_NAME' : 'the hostname';
    throw new ConfigError(`${source} must be printable ASCII (it is sent as the X-Served-By header), got ${JSON.stringify(replicaId)}`);
  }
  return {
    port,
    host: nonEmpty(env.HOST),
    section: rawSection,
    replicaId,
    logLevel: rawLevel as LogLevel,
    drainTimeoutMs,
    maxBodyBytes,
    testDelayMs,
    warnings,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Digits only: a value with blanks around it (`PORT=" 80"`) is malformed, not "80"; only an empty value counts as unset. */
function parseInteger(env: NodeJS.ProcessEnv, name: string, { min, max }: { min: number; max: number }): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const allowed = `an integer from ${min} to ${max}`;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be ${allowed}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
