import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers requests Node's HTTP parser rejects before Express sees them (garbage, oversized headers,
 * header timeout). Node's default reply is a bare `400 Bad Request` without our header; this keeps the
 * promise that every response is JSON and carries X-Served-By.
 */
export function clientErrorHandler(replicaId: string): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return (err, socket) => {
    // Nothing useful can be sent on a reset connection or after a response already started.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'request headers are too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request headers were not received in time']
          : [400, 'malformed HTTP request'];
    answerAndClose(socket, status, message, replicaId);
  };
}

/**
 * Answers CONNECT, which Node hands over as a raw socket (and destroys without a word when nobody listens):
 * the service is not a proxy.
 */
export function connectHandler(replicaId: string): (req: unknown, socket: Duplex) => void {
  return (_req, socket) => {
    // A CONNECT pipelined behind requests still being answered: an answer now would overtake theirs.
    if ((socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    answerAndClose(socket, 405, 'CONNECT is not supported: this is not a proxy', replicaId, 'Allow: GET, HEAD, POST\r\n');
  };
}

/** Writes a JSON error straight to the socket and closes it once written (nothing more is read from it). */
function answerAndClose(socket: Duplex, status: number, message: string, replicaId: string, extraHeaders = ''): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Served-By: ${replicaId}\r\n${extraHeaders}Connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
