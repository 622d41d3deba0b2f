import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import { sendJson } from './json-response.ts';

/** What Node keeps on a server socket: the request being parsed, the response being sent. */
interface HttpSocket extends Duplex {
  parser?: { incoming?: IncomingMessage | null } | null;
  _httpMessage?: ServerResponse | null;
}

const BODY_TIMEOUT = 'request body was not received in time';
const BODY_TIMEOUT_BODY = JSON.stringify({ error: BODY_TIMEOUT });
const SHUTTING_DOWN = 'the replica is shutting down and this request was not complete: send it again';
const SHUTTING_DOWN_BODY = JSON.stringify({ error: SHUTTING_DOWN });

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
    // Bad bytes, or a request that timed out, pipelined behind a complete request whose answer is not sent yet:
    // an answer now would be read as that request's. Let that answer go out last on this connection; Node
    // reads nothing more from it. (Bad bytes or a stalled body of the request being answered are its own.)
    if (current?.req.complete) {
      current.setHeader('Connection', 'close');
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
  // No response in progress for a request whose body is still arriving: it was answered already (Node reads
  // and discards the rest of its body). A second answer would be one nobody asked for: just close.
  if (!current) {
    socket.destroy();
    return;
  }
  answerAndClose(socket, 408, BODY_TIMEOUT, replicaId);
}

/**
 * Closes a connection the drain would otherwise wait for although no request on it is being served (called
 * once nothing has been served for the quiet period, after Node closed the idle keep-alive ones). Node counts
 * a connection as busy from a request's first byte, and a new connection as busy before its first byte, so
 * neither a TCP health check nor a client that stalled mid-request is ever idle to it. Nothing received: just
 * closed. Half a request: a JSON 408 saying so, then closed. A body that stalled behind headers the app has
 * received is answered through the app's response (logged and counted with its route), like the body timeout.
 */
export function closeUnanswered(socket: HttpSocket & Socket, replicaId: string): void {
  if (socket.destroyed || socket.writableEnded) return;
  const current = socket._httpMessage;
  const incoming = socket.parser?.incoming;
  if (current) {
    // Headers sent: an answer is on its way, with Connection: close (the drain sets it), after which Node closes.
    if (current.headersSent || current.req !== incoming || !incoming || incoming.complete) return;
    // Connection: close makes Node destroy the socket once this is sent, even if the client keeps it open.
    current.setHeader('Connection', 'close');
    sendJson(current, 408, SHUTTING_DOWN_BODY);
    return;
  }
  // A request already answered whose body is still being read and discarded, or nothing ever sent.
  if ((incoming && !incoming.complete) || socket.bytesRead === 0) {
    socket.destroy();
    return;
  }
  answerAndClose(socket, 408, SHUTTING_DOWN, replicaId);
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
  // A socket Node has handed over (CONNECT) has no error listener left: a client that resets it while this
  // is written would otherwise raise an uncaught ECONNRESET and take the whole replica down.
  socket.on('error', () => socket.destroy());
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Served-By: ${replicaId}\r\n${extraHeaders}Connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
