import type { RequestListener } from 'node:http';

import express, { type RequestHandler } from 'express';

import type { Section, Sweet } from './catalog.ts';
import { quoted } from './client-input.ts';
import { DEFAULT_MAX_BODY_BYTES } from './config.ts';
import { errorHandler, notFound } from './errors.ts';
import { HttpError } from './http-error.ts';
import { precomputed, sendJson } from './json-response.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import { observeRequests, reportDroppedRequests } from './observe-requests.ts';
import { capPipelining } from './pipelining.ts';
import { keepInexactNumbers, quote } from './quote.ts';
import { checkRequest } from './request-checks.ts';
import { normalizeTarget } from './request-target.ts';

export interface AppDeps {
  /** The one section this replica serves. */
  readonly section: Section;
  /** Sent as X-Served-By and in `GET /<section>`. */
  readonly replicaId: string;
  /** The port the server listens on, reported by `GET /<section>`. */
  readonly port: number;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** Readiness (reported on /readyz) and in-flight requests; the server starts the drain on it. */
  readonly lifecycle: Lifecycle;
  /**
   * The largest request body accepted (MAX_BODY_BYTES), declared or counted; larger ones are a 413.
   * @default 16384
   */
  readonly maxBodyBytes?: number;
  /**
   * Latency added to every section request (test hook for load-balancing tests and benchmarks).
   * @default 0
   */
  readonly testDelayMs?: number;
}

/**
 * Builds the request listener for one section: the Express app behind the pipelining cap (pipelining.ts),
 * on origin-form targets (request-target.ts).
 * No I/O: the caller decides where it listens.
 */
export function createApp(deps: AppDeps): RequestListener {
  const { section, replicaId, port, log, metrics, lifecycle } = deps;
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const base = `/${section.name}`;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.use(observeRequests({ replicaId, log, metrics, lifecycle }));
  app.use(checkRequest(maxBodyBytes));
  if (deps.testDelayMs) app.use(base, delay(deps.testDelayMs));

  // Section routes first: they are the hot path, and Express tries routes in order.
  const sweetsById = new Map<string, Sweet>(section.sweets.map((sweet) => [sweet.id, sweet]));
  const rootBody = precomputed({
    section: section.name,
    message: `I am the ${section.name} section of the sweet shop API`,
    replica: replicaId,
    port,
  });
  const itemsBody = precomputed({ items: section.sweets });
  const itemBodies = new Map(section.sweets.map((sweet) => [sweet.id, precomputed(sweet)]));

  app.get(base, (_req, res) => sendJson(res, 200, rootBody));
  app.get(`${base}/items`, (_req, res) => sendJson(res, 200, itemsBody));
  app.get(`${base}/items/:id`, (req, res) => {
    const id = req.params.id as string;
    const body = itemBodies.get(id);
    if (body === undefined) throw new HttpError(404, `no sweet ${quoted(id)} in the ${section.name} section`);
    sendJson(res, 200, body);
  });
  // Only this route parses a body, so GETs never pay for a body parser.
  app.post(`${base}/quote`, requireJson, express.json({ limit: maxBodyBytes, reviver: keepInexactNumbers }), (req, res) => {
    sendJson(res, 200, JSON.stringify(quote(section, sweetsById, req.body)));
  });

  const alive = precomputed({ status: 'alive' });
  const ready = precomputed({ status: 'ready' });
  const draining = precomputed({ status: 'draining' });
  app.get('/livez', (_req, res) => sendJson(res, 200, alive));
  app.get('/readyz', (_req, res) => (lifecycle.ready ? sendJson(res, 200, ready) : sendJson(res, 503, draining)));
  app.get('/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.statusCode = 200;
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.end(text);
  });

  app.use(notFound);
  app.use(errorHandler(log, maxBodyBytes));
  const listener = capPipelining(app, reportDroppedRequests({ log, metrics }));
  return (req, res) => {
    normalizeTarget(req);
    listener(req, res);
  };
}

const requireJson: RequestHandler = (req, _res, next) => {
  // req.is() is null when there is no body at all: let that through, the quote then fails with "lines is required" (400).
  if (req.is('application/json') === false) {
    throw new HttpError(415, `Content-Type must be application/json, got ${quoted(req.get('content-type') ?? '(none)')}`);
  }
  next();
};

function delay(ms: number): RequestHandler {
  return (_req, _res, next) => {
    setTimeout(next, ms);
  };
}
