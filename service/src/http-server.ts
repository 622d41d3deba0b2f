import { createServer, type RequestListener, type Server } from 'node:http';

import { clientErrorHandler, connectHandler } from './client-error.ts';

/** Above the load balancer's 60 s upstream keep-alive, so the LB never reuses a socket Node is closing. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Above keepAliveTimeout, so the headers timer never cuts a reused socket before the keep-alive timer would. */
const HEADERS_TIMEOUT_MS = 66_000;

/**
 * The node:http server the app runs in, with its timeouts and the answers Node gives outside Express.
 * It does not listen: server.ts does, and tests listen on port 0.
 */
export function createHttpServer(app: RequestListener, options: { replicaId: string }): Server {
  // requireHostHeader off, and the two listeners below: Node would answer a missing Host (400) and an
  // unsupported Expect (417) itself, without a body or X-Served-By; the app does it (request-checks.ts).
  const server = createServer({ requireHostHeader: false }, app);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.on('checkContinue', app);
  server.on('checkExpectation', app);
  server.on('clientError', clientErrorHandler(options.replicaId));
  server.on('connect', connectHandler(options.replicaId));
  return server;
}
