import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics, in their own registry (no global state, one per app). */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Counts one finished request. `route` must be a route pattern (bounded), never the raw path. */
  observe(method: string, route: string, status: number, durationSeconds: number): void;
}

/** Seconds; spans a cached catalog hit (sub-millisecond) up to a request stuck behind a slow replica. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests handled, by method, route pattern and status code',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency in seconds (first byte in to last byte out), by method, route pattern and status code',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  // One label object per (method, route, status), built once: the label set is small and bounded,
  // and reusing it keeps the per-request cost to a map lookup plus prom-client's own hashing.
  const labelCache = new Map<string, { method: string; route: string; status: string }>();
  return {
    registry,
    observe(method, route, status, durationSeconds) {
      const key = `${method} ${route} ${status}`;
      let labels = labelCache.get(key);
      if (labels === undefined) {
        labels = { method, route, status: String(status) };
        labelCache.set(key, labels);
      }
      requests.inc(labels);
      duration.observe(labels, durationSeconds);
    },
  };
}
