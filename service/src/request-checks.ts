import type { RequestHandler, Response } from 'express';

import { quoted } from './client-input.ts';
import { BODY_TOO_LARGE, MAX_BODY_BYTES } from './errors.ts';
import { HttpError } from './http-error.ts';
import { invalidTarget } from './request-target.ts';

/** Node's own test for a 100-continue expectation (lib/_http_server.js). */
const CONTINUE_EXPECTATION = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * Checks every request before any route, with a few property reads:
 * - a declared Content-Length over MAX_BODY_BYTES is refused before a byte of the body is read (body-parser
 *   would read it all first, and on other routes Node would read it to keep the connection alive);
 * - a request target that is not a URL (request-target.ts) is refused;
 * - a request with Upgrade is answered as an ordinary one, then the connection is closed;
 * - two Host headers (RFC 9112, section 3.2) or two Content-Type headers are refused;
 * - HTTP/1.1 rules Node would enforce itself with a bare, header-less answer: the server hands these
 *   requests to the app instead (requireHostHeader: false, 'checkContinue' and 'checkExpectation'
 *   listeners, see http-server.ts), so they get the JSON error shape and X-Served-By and are logged.
 */
export const checkRequest: RequestHandler = (req, res, next) => {
  const badTarget = invalidTarget(req);
  if (badTarget !== undefined) refuse(res, 400, badTarget);
  const declared = req.headers['content-length'];
  // llhttp has already checked it is digits; Number() of a huge one is still > the limit.
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) refuse(res, 413, BODY_TOO_LARGE);
  // llhttp stops parsing at a request with Upgrade (what follows it would be the new protocol), and with no
  // upgrade handler nothing reads on: a request pipelined behind it would wait unanswered. The close after
  // this answer tells the client to send those again.
  if (req.headers.upgrade !== undefined) res.setHeader('Connection', 'close');
  let hosts = 0;
  let contentType = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (isHeader(raw[i]!, 'host', 'Host')) hosts++;
    else if (isHeader(raw[i]!, 'content-type', 'Content-Type')) contentType++;
  }
  // Node keeps the first of two; a proxy in front may have routed on (or checked) the other.
  if (hosts > 1) refuse(res, 400, `a request must have one Host header, not ${hosts}`);
  if (contentType > 1) refuse(res, 400, `a request must have at most one Content-Type header, not ${contentType}`);
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
    const { expect } = req.headers;
    if (hosts === 0) refuse(res, 400, 'an HTTP/1.1 request must have a Host header');
    if (expect !== undefined) {
      if (!CONTINUE_EXPECTATION.test(expect)) refuse(res, 417, `Expect ${quoted(expect)} is not supported (only 100-continue)`);
      // What Node does without a 'checkContinue' listener: invite the body.
      res.writeContinue();
    }
  }
  next();
};

/** Whether a raw header name is `name` (given in lower case), without a lower-cased copy for the usual spellings. */
function isHeader(raw: string, name: string, canonical: string): boolean {
  return raw === canonical || raw === name || (raw.length === name.length && raw.toLowerCase() === name);
}

/**
 * Throws the error for the error handler, and closes the connection after the answer: a body the client
 * may still be sending is never read, so it cannot be taken for a next request either.
 */
function refuse(res: Response, status: number, message: string): never {
  res.setHeader('Connection', 'close');
  throw new HttpError(status, message);
}
