import autocannon from 'autocannon';

import type { LoadResult } from './results.ts';
import { round } from './stats.ts';

/** Where the load comes from, as the reports state it. */
export const LOAD_GENERATOR = 'autocannon 9 (programmatic API) inside the bench process, on the same cores as the servers';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  /** Counts responses per value of this response header (e.g. x-served-by). */
  countHeader?: string;
  /** Offer at most this many req/s over all connections (autocannon's overallRate); absent: as fast as answered. */
  rate?: number;
}

export interface LoadRun {
  result: LoadResult;
  /** Responses per header value, when `countHeader` was given. */
  headerCounts: Map<string, number>;
}

/**
 * One closed-loop run with autocannon's programmatic API in this process: keep-alive connections,
 * no pipelining, so every connection waits for its response before sending the next request.
 */
export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const headerCounts = new Map<string, number>();
  const wanted = options.countHeader?.toLowerCase();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSec,
    pipelining: 1,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    // The raw header list alternates name, value; reading it here avoids buffering response bodies.
    setupClient: wanted
      ? (client) => {
          client.on('headers', (info: unknown) => {
            const raw = (info as { headers?: unknown[] }).headers ?? [];
            for (let i = 0; i + 1 < raw.length; i += 2) {
              if (String(raw[i]).toLowerCase() === wanted) {
                const value = String(raw[i + 1]);
                headerCounts.set(value, (headerCounts.get(value) ?? 0) + 1);
              }
            }
          });
        }
      : undefined,
  });
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    result: {
      rps: round(result.requests.average, 1),
      p50Ms: round(result.latency.p50, 2),
      p99Ms: round(result.latency.p99, 2),
      requests: responses,
      errors: result.errors,
      non2xx: result.non2xx,
      durationSec: round(result.duration, 2),
      connections: options.connections,
    },
    headerCounts,
  };
}

/** Throws when a run saw no successful responses: a broken server must not become a "slow" number. */
export function assertHealthyRun(run: LoadResult, what: string): void {
  if (run.requests === 0 || run.non2xx === run.requests) {
    throw new Error(`${what}: no successful responses (${run.requests} responses, ${run.non2xx} non-2xx, ${run.errors} errors)`);
  }
}
