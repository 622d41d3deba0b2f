import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import type { Request, RequestHandler } from 'express';

import { pathOf } from './errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';

/** Route label for requests no route matched (404s): one value, so scanners cannot blow up cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';
/** Status recorded when the client went away before the response was sent (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * The first middleware: stamps X-Served-By on every response (404s and errors included), tracks the
 * request as in flight, and once the response is closed logs one line and records the metrics. The
 * route label is the matched route's pattern (`req.route.path`, set by Express at no extra cost),
 * never the raw path.
 */
export function observeRequests(deps: { replicaId: string; log: Logger; metrics: ServiceMetrics; lifecycle: Lifecycle }): RequestHandler {
  const { replicaId, log, metrics, lifecycle } = deps;

  function onClose(req: Request, res: ServerResponse, start: number): void {
    lifecycle.untrack(res);
    const durationMs = performance.now() - start;
    const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_STATUS;
    const route: string = req.route?.path ?? UNMATCHED_ROUTE;
    metrics.observe(req.method, route, status, durationMs / 1000);
    log.info({ method: req.method, path: pathOf(req.originalUrl), status, durationMs: Math.round(durationMs * 1000) / 1000 }, 'request');
  }

  return (req, res, next) => {
    const start = performance.now();
    res.setHeader('X-Served-By', replicaId);
    // While draining, tell keep-alive clients not to reuse this socket so it closes after the response.
    if (!lifecycle.ready) res.setHeader('Connection', 'close');
    lifecycle.track(res);
    // 'close' (not 'finish') also fires when the client disconnects first, so nothing stays tracked.
    res.once('close', () => onClose(req, res, start));
    next();
  };
}
