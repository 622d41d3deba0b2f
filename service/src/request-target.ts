import type { IncomingMessage } from 'node:http';

import { quoted } from './client-input.ts';

const SLASH = 0x2f;
const INVALID_TARGET = Symbol('invalid request target');

type MarkedRequest = IncomingMessage & { [INVALID_TARGET]?: string };

/**
 * Rewrites an absolute-form request target (`GET http://host/path`, which an HTTP/1.1 server must accept)
 * to the origin form Express routes on. A target Express cannot parse would make its router skip every
 * middleware and hand the request to finalhandler, which reads the whole body and answers in HTML: such a
 * target is escaped into a path instead and marked, and checkRequest refuses it like any other bad request
 * (logged and counted). Origin-form targets, the hot path, cost one character comparison.
 */
export function normalizeTarget(req: IncomingMessage): void {
  const target = req.url ?? '';
  if (target.charCodeAt(0) === SLASH || target === '*') return;
  const url = URL.parse(target);
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:')) {
    req.url = `${url.pathname}${url.search}`;
    return;
  }
  (req as MarkedRequest)[INVALID_TARGET] = `request target ${quoted(target)} is neither a path nor an http(s) URL`;
  req.url = `/${encodeURIComponent(target)}`;
}

/** Why normalizeTarget refused the request's target, if it did. */
export function invalidTarget(req: IncomingMessage): string | undefined {
  return (req as MarkedRequest)[INVALID_TARGET];
}
