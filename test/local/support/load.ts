import type { IncomingHttpHeaders } from 'node:http';

import autocannon from 'autocannon';

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

export interface LoadResult {
  /** Responses received, any status. */
  readonly responses: number;
  /** Connection errors and timeouts (no response at all). */
  readonly errors: number;
  readonly non2xx: number;
  /** Responses per X-Served-By value. */
  readonly byReplica: Readonly<Record<string, number>>;
  /** `GET 200` -> count. */
  readonly byMethodAndStatus: Readonly<Record<string, number>>;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

export interface RunningLoad {
  /** Responses so far. */
  responses(): number;
  /** Ends the load early (autocannon finishes its in-flight requests first). */
  stop(): void;
  readonly finished: Promise<LoadResult>;
}

/** A JSON body the quote endpoint accepts. */
export const QUOTE_BODY = JSON.stringify({ lines: [{ id: 'dark-70', quantity: 2 }] });

/**
 * Keep-alive load with autocannon against the shop's nginx; counts X-Served-By and status per method.
 * Each connection cycles through `requests`.
 */
export function startLoad(options: {
  url: string;
  connections: number;
  durationSeconds: number;
  requests: readonly LoadRequest[];
  /** Requests per second over all connections; default: as fast as the shop answers. */
  overallRate?: number;
}): RunningLoad {
  const byReplica: Record<string, number> = {};
  const byMethodAndStatus: Record<string, number> = {};
  let responses = 0;
  const count =
    (method: string) =>
    (status: number, _body: string, _context: object, headers: IncomingHttpHeaders | undefined): void => {
      const served = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'x-served-by')?.[1];
      const replica = Array.isArray(served) ? served[0]! : (served ?? '(none)');
      byReplica[replica] = (byReplica[replica] ?? 0) + 1;
      const key = `${method} ${status}`;
      byMethodAndStatus[key] = (byMethodAndStatus[key] ?? 0) + 1;
    };
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<LoadResult>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
        // autocannon's default 10 s timeout; a request slower than that is a failure anyway.
        requests: options.requests.map((r) => ({
          method: r.method,
          path: r.path,
          ...(r.body === undefined ? {} : { body: r.body, headers: { 'content-type': 'application/json' } }),
          onResponse: count(r.method),
        })),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          responses,
          errors: result.errors,
          non2xx: result.non2xx,
          byReplica,
          byMethodAndStatus,
          latencyP50Ms: result.latency.p50,
          latencyP99Ms: result.latency.p99,
        });
      },
    );
    instance.on('response', () => {
      responses++;
    });
  });
  return { responses: () => responses, stop: () => instance?.stop(), finished };
}

/** Sums counts whose key (e.g. `POST 502`) matches. */
export function countWhere(counts: Readonly<Record<string, number>>, match: (key: string) => boolean): number {
  return Object.entries(counts)
    .filter(([key]) => match(key))
    .reduce((sum, [, n]) => sum + n, 0);
}
