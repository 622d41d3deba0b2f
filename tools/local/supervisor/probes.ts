import { get } from 'node:http';

import { isJsonObject, type JsonObject } from '../../lib/json-object.ts';

function asObject(value: unknown, where: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${where} is missing or not a mapping`);
  return value;
}

/** A container's httpGet probe as local mode runs it (on the replica's own port). */
export interface ProbeSpec {
  readonly path: string;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly initialDelaySeconds: number;
}

// Kubernetes' defaults (core/v1 Probe) for a field the manifest leaves out.
const DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 0 };

/**
 * The container's readinessProbe or livenessProbe; undefined when it has none (Kubernetes then counts the
 * pod ready, and alive, while it runs). Only httpGet probes: a probe local mode cannot run is an error.
 */
export function readProbe(
  container: Readonly<Record<string, unknown>>,
  field: 'readinessProbe' | 'livenessProbe',
  where: string,
): ProbeSpec | undefined {
  if (container[field] === undefined) return undefined;
  const source = `${where}: ${field}`;
  const probe = asObject(container[field], source);
  if (probe.httpGet === undefined)
    throw new Error(`${source}: local mode runs httpGet probes only (it has ${Object.keys(probe).join(', ')})`);
  const httpGet = asObject(probe.httpGet, `${source}.httpGet`);
  const path = httpGet.path ?? '/';
  if (typeof path !== 'string' || !/^\/[\x21-\x7e]*$/.test(path))
    throw new Error(`${source}.httpGet.path ${JSON.stringify(path)}: expected a URL path of printable ASCII starting with /`);
  const number = (name: keyof typeof DEFAULTS, min: number): number => {
    const value = probe[name] ?? DEFAULTS[name];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > 3_600)
      throw new Error(`${source}.${name} ${JSON.stringify(value)}: expected an integer ${min}..3600`);
    return value as number;
  };
  const spec = {
    path,
    periodSeconds: number('periodSeconds', 1),
    timeoutSeconds: number('timeoutSeconds', 1),
    failureThreshold: number('failureThreshold', 1),
    successThreshold: number('successThreshold', 1),
    initialDelaySeconds: number('initialDelaySeconds', 0),
  };
  // The API server's rule: a liveness probe passes again after one success.
  if (field === 'livenessProbe' && spec.successThreshold !== 1)
    throw new Error(
      `${source}.successThreshold ${spec.successThreshold}: must be 1 for a livenessProbe (the API server refuses anything else)`,
    );
  return spec;
}

/**
 * The kubelet's bookkeeping for one probe: the state flips after `failureThreshold` failures in a row,
 * and back after `successThreshold` successes in a row. record() returns the new state on a flip.
 */
export class ProbeCounter {
  private passing: boolean;
  private streak = 0;
  private readonly spec: Pick<ProbeSpec, 'failureThreshold' | 'successThreshold'>;

  constructor(spec: Pick<ProbeSpec, 'failureThreshold' | 'successThreshold'>, passing: boolean) {
    this.spec = spec;
    this.passing = passing;
  }

  get isPassing(): boolean {
    return this.passing;
  }

  record(success: boolean): boolean | undefined {
    if (success === this.passing) {
      this.streak = 0;
      return undefined;
    }
    this.streak++;
    if (this.streak < (success ? this.spec.successThreshold : this.spec.failureThreshold)) return undefined;
    this.passing = success;
    this.streak = 0;
    return success;
  }
}

/** One probe: GET on the loopback port; success is a status 200..399 within timeoutSeconds, as the kubelet counts it. */
export function probeOnce(port: number, spec: Pick<ProbeSpec, 'path' | 'timeoutSeconds'>): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: spec.path, agent: false, timeout: spec.timeoutSeconds * 1_000 }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * Runs a probe every periodSeconds (after initialDelaySeconds) until stop(); a probe still waiting for
 * its answer when the next is due is not doubled. `onChange` hears each flip of the state.
 */
export class PeriodicProbe {
  private readonly counter: ProbeCounter;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = false;
  private readonly spec: ProbeSpec;
  private readonly port: number;
  private readonly onChange: (passing: boolean) => void;

  constructor(spec: ProbeSpec, port: number, onChange: (passing: boolean) => void) {
    this.spec = spec;
    this.port = port;
    this.onChange = onChange;
    this.counter = new ProbeCounter(spec, true);
    this.timer = setTimeout(() => this.tick(), spec.initialDelaySeconds * 1_000);
    this.timer.unref();
  }

  get isPassing(): boolean {
    return this.counter.isPassing;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.spec.periodSeconds * 1_000);
    this.timer.unref();
    if (this.inFlight) return;
    this.inFlight = true;
    void probeOnce(this.port, this.spec).then((success) => {
      this.inFlight = false;
      if (this.stopped) return;
      const flip = this.counter.record(success);
      if (flip !== undefined) this.onChange(flip);
    });
  }
}
