import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import type { RequestHandler, Response } from 'express';

import { quoted } from './client-input.ts';
import { MAX_BODY_BYTES_RANGE } from './config.ts';
import { bodyTooLarge } from './errors.ts';
import { HttpError } from './http-error.ts';
import { sendJson } from './json-response.ts';
import { invalidTarget } from './request-target.ts';

/** Node's own test for a 100-continue expectation (lib/_http_server.js). */
const CONTINUE_EXPECTATION = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * The most of a declared body over the limit that is read (and discarded) before its 413. A proxy in front
 * sends the whole body before it reads an answer (nginx buffers it, then writes it), and a replica that
 * answers and closes with the body unread makes the proxy's write fail (EPIPE): nginx then counts the
 * replica as failed, takes it out of the upstream and answers 502. The proxies in front refuse bodies over
 * the same limit themselves; this covers one that was not told (nginx's and ingress-nginx's default is
 * 1 MiB, the highest MAX_BODY_BYTES too). Above it, reading would be the attack itself: a 413 at once.
 */
const DISCARD_AT_MOST_BYTES = MAX_BODY_BYTES_RANGE.max;

/**
 * Checks every request before any route, with a few property reads:
 * - a declared Content-Length over `maxBodyBytes` is a 413: after the body is read and discarded, when it
 *   is at most DISCARD_AT_MOST_BYTES; else before a byte of it is read (body-parser would read it all
 *   first, and on other routes Node would read it to keep the connection alive);
 * - a chunked body stops being read once it passes `maxBodyBytes` (limitChunkedBody);
 * - a request target that is not a URL (request-target.ts) is refused;
 * - a request with Upgrade is answered as an ordinary one, then the connection is closed;
 * - two Host headers (RFC 9112, section 3.2) or two Content-Type headers are refused;
 * - HTTP/1.1 rules Node would enforce itself with a bare, header-less answer: the server hands these
 *   requests to the app instead (requireHostHeader: false, 'checkContinue' and 'checkExpectation'
 *   listeners, see http-server.ts), so they get the JSON error shape and X-Served-By and are logged.
 */
export function checkRequest(maxBodyBytes: number): RequestHandler {
  const tooLarge = bodyTooLarge(maxBodyBytes);
  const tooLargeBody = JSON.stringify({ error: tooLarge });
  return (req, res, next) => {
    const badTarget = invalidTarget(req);
    if (badTarget !== undefined) refuse(res, 400, badTarget);
    const declared = req.headers['content-length'];
    // llhttp has already checked it is digits; Number() of a huge one is still > the limit.
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      // A client that expects 100-continue sends nothing before it is invited: nothing to discard.
      if (Number(declared) > DISCARD_AT_MOST_BYTES || req.headers.expect !== undefined || req.complete) refuse(res, 413, tooLarge);
      // Node's parser stops at the declared length, so this reads no further than DISCARD_AT_MOST_BYTES.
      res.setHeader('Connection', 'close');
      req.once('end', () => next(new HttpError(413, tooLarge)));
      req.resume();
      return;
    }
    // llhttp refuses Transfer-Encoding with Content-Length, and any coding but chunked last: this is a chunked body.
    if (req.headers['transfer-encoding'] !== undefined) limitChunkedBody(req, res, maxBodyBytes, tooLargeBody);
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
}

/**
 * Counts a chunked body as Node's parser hands it to the request (IncomingMessage#push, which Node calls for
 * every piece of body it parses) and stops reading the connection once the count passes the limit: the piece
 * is dropped and push returns false, which makes Node's parser stop reading the socket. Then a JSON 413 and
 * Connection: close, or, when the route has answered already, the connection is closed after that answer.
 * Without it, body-parser reads an over-limit body to its end before reporting the 413 (its "dump"), and Node
 * reads the body of a request answered without reading it to its end to keep the connection: an endless
 * body was read until the 15 s request timeout, at line rate, hundreds of MiB of garbage buffers.
 * Memory stays bounded by the limit plus one socket read.
 */
function limitChunkedBody(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number, tooLargeBody: string): void {
  const socket = req.socket as Socket;
  const push = req.push;
  let received = 0;
  let over = false;
  req.push = function countedPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (over) return false;
    if (chunk !== null && chunk !== undefined) {
      received += (chunk as Buffer).length;
      if (received > maxBodyBytes) {
        over = true;
        if (!res.headersSent) {
          res.setHeader('Connection', 'close');
          // Node closes a Connection: close response's socket with destroySoon once it is sent.
          socket.destroySoon = () => closeLingering(socket);
          sendJson(res, 413, tooLargeBody);
        } else if (res.writableFinished) closeLingering(socket);
        else res.once('finish', () => closeLingering(socket));
        return false;
      }
    }
    return push.call(this, chunk, encoding);
  };
  // A route that answers without reading the body (all but the quote): Node would discard the rest itself
  // (IncomingMessage#_dump), out of sight of the count above. Resuming first (before Node's own 'finish'
  // listener runs) makes Node leave it to the stream, whose pieces go through the count and are dropped.
  res.prependListener('finish', () => {
    if (!req.complete && !over) req.resume();
  });
}

/**
 * How long a connection whose body is no longer read stays open after its answer, before it is destroyed.
 * Closing a socket with unread data makes the kernel send a reset, and a reset makes the client's kernel
 * drop what it has received and not yet read, the answer included. A FIN at once, then a short wait
 * without reading (the client's writes block meanwhile: nothing is buffered), lets the client read it.
 */
const LINGER_MS = 2_000;

function closeLingering(socket: Socket): void {
  socket.end();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** Whether a raw header name is `name` (given in lower case), without a lower-cased copy for the usual spellings. */
function isHeader(raw: string, name: string, canonical: string): boolean {
  return raw === canonical || raw === name || (raw.length === name.length && raw.toLowerCase() === name);
}

/**
 * Throws the error for the error handler, and closes the connection after the answer (with a FIN and a
 * linger, see closeLingering): a body the client may still be sending is never read, so it cannot be taken
 * for a next request either.
 */
function refuse(res: Response, status: number, message: string): never {
  res.setHeader('Connection', 'close');
  // A client still writing its body would otherwise get a reset, and with it lose this answer unread.
  if (!res.req.complete) {
    const socket = res.req.socket as Socket;
    socket.destroySoon = () => closeLingering(socket);
  }
  throw new HttpError(status, message);
}
