import type { ServerResponse } from 'node:http';

const CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a JSON body with two header writes and no further processing.
 * Express's res.json/res.send would re-serialize, sniff the type and hash the body for an ETag on every
 * request; the catalog bodies are precomputed once instead, so the hot path only copies bytes.
 */
export function sendJson(res: ServerResponse, status: number, body: Buffer | string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', CONTENT_TYPE);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.end(body);
}

/** Serializes once, for responses that never change while the process lives. */
export function precomputed(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
