import { performance } from 'node:perf_hooks';

import type { RequestHandler, Response } from 'express';

import { requestPath } from './errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { DroppedRequests } from './pipelining.ts';

/** Route label for requests no route matched (404s): one value, so scanners cannot blow up cardinality. */
const UNMATCHED_ROUTE = 'unmatched';
/** Status recorded when the client went away before the response was sent (nginx's convention). */
const CLIENT_CLOSED_STATUS = 499;

/** The response as this middleware sees it: Express links it to its request, we add the start time. */
interface ObservedResponse extends Response {
  sweetshopStart?: number;
}

/**
 * The first middleware: stamps X-Served-By on every response (404s and errors included), tracks the
 * request as in flight, and once the response is closed logs one line and records the metrics. The
 * route label is the matched route's pattern (`req.route.path`, set by Express at no extra cost),
 * never the raw path.
 */
export function observeRequests(deps: { replicaId: string; log: Logger; metrics: ServiceMetrics; lifecycle: Lifecycle }): RequestHandler {
  const { replicaId, log, metrics, lifecycle } = deps;

  // One listener function shared by every response (it reads `this`), rather than a closure per request:
  // this runs on every request, so it should allocate as little as possible.
  function onClose(this: ObservedResponse): void {
    lifecycle.untrack(this);
    const req = this.req;
    const durationMs = performance.now() - (this.sweetshopStart as number);
    // 'close' (not 'finish') also fires when the client disconnects first, so nothing stays tracked.
    const status = this.writableFinished ? this.statusCode : CLIENT_CLOSED_STATUS;
    const route: string = req.route?.path ?? UNMATCHED_ROUTE;
    metrics.observe(req.method, route, status, durationMs / 1000);
    log.info({ method: req.method, path: requestPath(req), status, durationMs: Math.round(durationMs * 1000) / 1000 }, 'request');
  }

  return (_req, res: ObservedResponse, next) => {
    res.sweetshopStart = performance.now();
    res.setHeader('X-Served-By', replicaId);
    lifecycle.track(res);
    res.on('close', onClose);
    next();
  };
}

/**
 * Logs and counts, in aggregate, the requests a connection sent that never reached the app (pipelining.ts):
 * one line and one counter increment per method, status 499 like any request whose client is gone.
 */
export function reportDroppedRequests(deps: { log: Logger; metrics: ServiceMetrics }): (dropped: DroppedRequests) => void {
  const { log, metrics } = deps;
  return ({ byMethod, reason }) => {
    let requests = 0;
    for (const [method, count] of byMethod) {
      metrics.count(method, UNMATCHED_ROUTE, CLIENT_CLOSED_STATUS, count);
      requests += count;
    }
    log.warn({ status: CLIENT_CLOSED_STATUS, requests, methods: Object.fromEntries(byMethod), reason }, 'pipelined requests dropped');
  };
}
