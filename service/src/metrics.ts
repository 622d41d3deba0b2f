import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics, in their own registry (no global state, one per app). */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Counts one finished request. `route` must be a route pattern (bounded), never the raw path. */
  observe(method: string, route: string, status: number, durationSeconds: number): void;
  /** Counts requests that were never served (no latency to observe): only http_requests_total grows. */
  count(method: string, route: string, status: number, requests: number): void;
  /** Counts one log line dropped because the reader of stdout fell behind (logger.ts). */
  countDroppedLogLine(): void;
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
  const droppedLogLines = new Counter({
    name: 'log_lines_dropped_total',
    help: 'Log lines dropped because the reader of stdout fell behind and the log buffer was full',
    registers: [registry],
  });

  // One label object per (route, method, status), built once and found again with nested map lookups
  // (no key string built per request): the label set is small and bounded, so this cache is too.
  type Labels = { method: string; route: string; status: string };
  const labelCache = new Map<string, Map<string, Map<number, Labels>>>();
  const labelsFor = (method: string, route: string, status: number): Labels => {
    let byMethod = labelCache.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      labelCache.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let labels = byStatus.get(status);
    if (labels === undefined) {
      labels = { method, route, status: String(status) };
      byStatus.set(status, labels);
    }
    return labels;
  };
  return {
    registry,
    observe(method, route, status, durationSeconds) {
      const labels = labelsFor(method, route, status);
      requests.inc(labels);
      duration.observe(labels, durationSeconds);
    },
    count(method, route, status, requestCount) {
      requests.inc(labelsFor(method, route, status), requestCount);
    },
    countDroppedLogLine() {
      droppedLogLines.inc();
    },
  };
}
