import { createServer, type RequestListener, type Server } from 'node:http';

import { clientErrorHandler, connectHandler } from './client-error.ts';

/** The server's timeouts, in milliseconds. */
export interface ServerTimeouts {
  /** Idle keep-alive connections are closed after this (Node adds its own 1 s buffer). */
  readonly keepAliveMs: number;
  /** From a request's first byte (or the connection's start) until its headers are complete. */
  readonly headersMs: number;
  /** From a request's first byte until its body is complete. */
  readonly requestMs: number;
  /** How often Node enforces headersMs and requestMs: each holds to within this. */
  readonly checkIntervalMs: number;
}

/**
 * The bounds a slow client meets (docs/service.md, "Timeouts"). The load balancer sends whole requests
 * (nginx buffers request bodies), and a section request is at most 16 KiB: seconds are plenty.
 */
export const SERVER_TIMEOUTS: ServerTimeouts = {
  // Above the load balancer's 60 s upstream keep-alive, so the LB never reuses a socket Node is closing.
  keepAliveMs: 65_000,
  // Counted from the request's first byte, not from when a keep-alive connection went idle (Node 18+),
  // so it can be far below keepAliveMs.
  headersMs: 10_000,
  // Explicit: Node's default lets a body trickle for 300 s.
  requestMs: 15_000,
  // Node's default checks every 30 s, which would stretch each bound above by up to 30 s.
  checkIntervalMs: 1_000,
};

/**
 * The node:http server the app runs in, with its timeouts and the answers Node gives outside Express.
 * It does not listen: server.ts does, and tests listen on port 0 (with short timeouts).
 */
export function createHttpServer(app: RequestListener, options: { replicaId: string; timeouts?: ServerTimeouts }): Server {
  const timeouts = options.timeouts ?? SERVER_TIMEOUTS;
  // requireHostHeader off, and the two listeners below: Node would answer a missing Host (400) and an
  // unsupported Expect (417) itself, without a body or X-Served-By; the app does it (request-checks.ts).
  const server = createServer(
    {
      keepAliveTimeout: timeouts.keepAliveMs,
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
      requireHostHeader: false,
    },
    app,
  );
  server.on('checkContinue', app);
  server.on('checkExpectation', app);
  server.on('clientError', clientErrorHandler(options.replicaId));
  server.on('connect', connectHandler(options.replicaId));
  return server;
}
