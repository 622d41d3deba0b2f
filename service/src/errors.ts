import type { ErrorRequestHandler, Request, RequestHandler } from 'express';

import { clip } from './client-input.ts';
import { HttpError } from './http-error.ts';
import { sendJson } from './json-response.ts';
import type { Logger } from './logger.ts';

/**
 * The one message for a body over the limit, declared (request-checks.ts) or counted while read
 * (request-checks.ts for chunked bodies, body-parser for decompressed ones).
 */
export function bodyTooLarge(maxBodyBytes: number): string {
  const size = maxBodyBytes % 1024 === 0 ? `${maxBodyBytes / 1024} KiB` : `${maxBodyBytes} bytes`;
  return `request body is larger than ${size}`;
}
const NESTED_TOO_DEEPLY = 'request body is JSON nested too deeply to parse (a quote needs 3 levels)';

/** The last middleware: anything no route answered is a JSON 404. */
export const notFound: RequestHandler = (req, res) => {
  sendJson(res, 404, JSON.stringify({ error: `no route for ${req.method} ${requestPath(req)}` }));
};

/**
 * The one error path. Maps known errors to their status and a message safe for clients; anything
 * else is a 500 whose details (stack included) go to the log only, never to the client.
 */
export function errorHandler(log: Logger, maxBodyBytes: number): ErrorRequestHandler {
  const tooLarge = bodyTooLarge(maxBodyBytes);
  return (err: unknown, req, res, _next) => {
    const { status, message } = toClientError(err, req, tooLarge);
    if (status >= 500) log.error({ err, method: req.method, path: requestPath(req) }, 'request failed');
    if (res.headersSent) {
      // Too late for a clean error response: cut the connection so the client sees a failure, not a truncated 200.
      res.destroy();
      return;
    }
    sendJson(res, status, JSON.stringify({ error: message }));
  };
}

/** The fields body-parser (and Express's router) put on the errors they raise; zlib's carry an errno. */
interface FrameworkError {
  status?: unknown;
  type?: unknown;
  message?: unknown;
  errno?: unknown;
}

function toClientError(err: unknown, req: Request, tooLarge: string): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  const e = (typeof err === 'object' && err !== null ? err : {}) as FrameworkError;
  if (e.type === 'entity.parse.failed') {
    // Valid JSON can still fail: the quote route's reviver (quote.ts) makes JSON.parse recurse once per level,
    // and a 16 KiB body holds 8,000 of them; the stack runs out after ~2,500. Cheaper than counting the levels
    // of every body first, and a quote never comes near it.
    if (err instanceof RangeError) return { status: 400, message: NESTED_TOO_DEEPLY };
    return { status: 400, message: `request body is not valid JSON: ${clip(String(e.message))}` };
  }
  if (e.type === 'entity.too.large') return { status: 413, message: tooLarge };
  // body-parser passes a decompression stream's error on as a 400 with zlib's bare message ("incorrect header check").
  if (e.status === 400 && e.type === undefined && typeof e.errno === 'number') {
    const encoding = clip(String(req.headers['content-encoding']));
    return { status: 400, message: `request body could not be decompressed (Content-Encoding: ${encoding}): ${String(e.message)}` };
  }
  // Other client errors from body-parser and the router (unsupported charset, aborted upload, a path
  // parameter that is not valid percent-encoding) carry a 4xx status and a message written for clients,
  // which may quote a header (an unsupported charset): clipped like any other echo of client input.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, message: clip(String(e.message)) };
  }
  return { status: 500, message: 'internal server error' };
}

/** The request's path (its URL without the query, not parsed), clipped as every echo of client input is. */
export function requestPath(req: { readonly originalUrl: string }): string {
  const url = req.originalUrl;
  const query = url.indexOf('?');
  return clip(query === -1 ? url : url.slice(0, query));
}
