import type { ServerResponse } from 'node:http';

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** A JSON body serialized once, with its byte length. */
export interface PrecomputedJson {
  readonly text: string;
  readonly bytes: number;
}

/** Serializes once, for responses that never change while the process lives. */
export function precomputed(value: unknown): PrecomputedJson {
  const text = JSON.stringify(value);
  return { text, bytes: Buffer.byteLength(text) };
}

/**
 * Writes a JSON body with two header writes and no further processing.
 * Express's res.json/res.send would re-serialize, sniff the type and hash the body for an ETag on every
 * request; catalog bodies are precomputed instead. The body stays a string on purpose: Node then sends
 * headers and body in one write, where a Buffer body costs a separate chunk (writev).
 */
export function sendJson(res: ServerResponse, status: number, body: PrecomputedJson | string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', CONTENT_TYPE);
  if (typeof body === 'string') {
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  } else {
    res.setHeader('Content-Length', body.bytes);
    res.end(body.text);
  }
}
