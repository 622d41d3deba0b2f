import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

import { sendJson } from './json-response.ts';

/** What Node keeps on a server socket: the request being parsed, the response being sent. */
interface HttpSocket extends Duplex {
  parser?: { incoming?: IncomingMessage | null } | null;
  _httpMessage?: ServerResponse | null;
}

const BODY_TIMEOUT = 'request body was not received in time';
const BODY_TIMEOUT_BODY = JSON.stringify({ error: BODY_TIMEOUT });

/**
 * Answers requests Node's HTTP parser rejects before Express sees them (garbage, oversized headers,
 * headers or body not received in time). Node's default reply is a bare status line without our header;
 * this keeps the promise that every response is JSON and carries X-Served-By.
 */
export function clientErrorHandler(replicaId: string): (err: NodeJS.ErrnoException, socket: HttpSocket) => void {
  return (err, socket) => {
    const current = socket._httpMessage;
    // Nothing useful can be sent on a reset connection or once a response has started on it.
    if (err.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
      socket.destroy();
      return;
    }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      answerTimeout(socket, replicaId);
      return;
    }
    const [status, message] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'request headers are too large'] : [400, 'malformed HTTP request'];
    answerAndClose(socket, status, message, replicaId);
  };
}

/**
 * Node raises one error for both timeouts; the parser tells them apart. Headers incomplete: there is no
 * request yet, answer on the socket. Body incomplete: the request reached the app, so answer through its
 * response, which is then logged and counted as a 408 with its route.
 */
function answerTimeout(socket: HttpSocket, replicaId: string): void {
  const incoming = socket.parser?.incoming;
  if (!incoming || incoming.complete) {
    answerAndClose(socket, 408, 'request headers were not received in time', replicaId);
    return;
  }
  const current = socket._httpMessage;
  if (current?.req === incoming) {
    current.setHeader('Connection', 'close');
    sendJson(current, 408, BODY_TIMEOUT_BODY);
    return;
  }
  answerAndClose(socket, 408, BODY_TIMEOUT, replicaId);
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
