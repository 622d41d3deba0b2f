import type { RequestHandler, Response } from 'express';

import { quoted } from './client-input.ts';
import { HttpError } from './http-error.ts';

/** Node's own test for a 100-continue expectation (lib/_http_server.js). */
const CONTINUE_EXPECTATION = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * HTTP/1.1 rules Node would enforce itself with a bare, header-less answer: the server hands these requests
 * to the app instead (requireHostHeader: false, 'checkContinue' and 'checkExpectation' listeners, see
 * http-server.ts), so they get the JSON error shape and X-Served-By and are logged and counted.
 * Runs right after observeRequests, on every request: a few property reads.
 */
export const checkRequest: RequestHandler = (req, res, next) => {
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
    const { host, expect } = req.headers;
    if (host === undefined) refuse(res, 400, 'an HTTP/1.1 request must have a Host header');
    if (expect !== undefined) {
      if (!CONTINUE_EXPECTATION.test(expect)) refuse(res, 417, `Expect ${quoted(expect)} is not supported (only 100-continue)`);
      // What Node does without a 'checkContinue' listener: invite the body.
      res.writeContinue();
    }
  }
  next();
};

/** Throws the error for the error handler, closing the connection: a body the client may still send is never read. */
function refuse(res: Response, status: number, message: string): never {
  res.setHeader('Connection', 'close');
  throw new HttpError(status, message);
}
