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
    const [status, reason, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'request headers are too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'request headers were not received in time']
          : [400, 'Bad Request', 'malformed HTTP request'];
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Served-By: ${replicaId}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
