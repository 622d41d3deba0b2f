import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Most responses one connection may have waiting behind the one being sent (HTTP pipelining). nginx and
 * browsers never pipeline. Node parses a whole read (64 KiB, up to ~1,900 small requests) before it can
 * pause a connection, so without a cap a client that pipelines and reads nothing made the service hold
 * every one of them: a handful of connections put thousands of requests in flight at once.
 */
export const MAX_QUEUED_RESPONSES = 32;

/** Requests a connection sent that the app never saw, reported once when the connection has closed. */
export interface DroppedRequests {
  /** How many, by method (Node's parser only accepts known methods: a bounded set). */
  readonly byMethod: ReadonlyMap<string, number>;
  /** Why they were dropped. */
  readonly reason: string;
}

const OVER_CAP = `more than ${MAX_QUEUED_RESPONSES} responses queued: connection cut, the rest of its data left unparsed`;
const CLOSED = 'connection closed while they were being parsed';

interface Pipelined {
  /** Responses queued behind the one being sent, handed to the app. */
  readonly queued: Set<ServerResponse>;
  /** Set once the connection is dropped: the requests it still sent, by method. */
  dropped: Map<string, number> | undefined;
  reason: string;
  readonly report: (dropped: DroppedRequests) => void;
}

const PIPELINED = Symbol('sweetshop.pipelined');

/** What Node keeps on a server socket (lib/_http_server.js): its HTTP parser, with the per-request callback. */
interface PipeliningSocket extends Socket {
  [PIPELINED]?: Pipelined;
  parser?: { onIncoming?: unknown } | null;
}

/**
 * Wraps the app's request listener with the pipelining cap, in front of Express. A response Node queued
 * behind an unfinished one on the same connection is handed to the app only while the connection has fewer
 * than MAX_QUEUED_RESPONSES waiting; the next one cuts the connection and stops its parser (stopParsing).
 * A request Node still hands over from a dropped connection returns here at once: no Express, no tracking,
 * no log line and no metric each; `report` receives them in aggregate once the connection has closed.
 * A request that is not pipelined pays one null check.
 */
export function capPipelining(app: RequestListener, report: (dropped: DroppedRequests) => void): RequestListener {
  return (req, res) => {
    // No socket yet: Node queued this response behind an unfinished one on the same connection.
    if (res.socket === null && !admit(req, res, report)) return;
    app(req, res);
  };
}

/**
 * Registers a queued response, or counts it as dropped. When the connection closes, the queued responses
 * are destroyed, which emits their 'close' (logged as 499): Node does that itself only on some paths (not
 * once a pipelined CONNECT has taken the socket over, not before Node 24), and a response never closed
 * stays tracked as in flight forever.
 */
function admit(req: IncomingMessage, res: ServerResponse, report: (dropped: DroppedRequests) => void): boolean {
  const socket = req.socket as PipeliningSocket;
  let pipelined = socket[PIPELINED];
  if (pipelined === undefined) {
    pipelined = { queued: new Set(), dropped: undefined, reason: OVER_CAP, report };
    socket[PIPELINED] = pipelined;
    socket.once('close', onClose);
  }
  if (pipelined.dropped === undefined) {
    if (!socket.destroyed && pipelined.queued.size < MAX_QUEUED_RESPONSES) {
      pipelined.queued.add(res);
      res.once('close', unqueue);
      return true;
    }
    pipelined.dropped = new Map();
    if (socket.destroyed) pipelined.reason = CLOSED;
    socket.destroy();
    if (socket.parser?.onIncoming) socket.parser.onIncoming = stopParsing;
  }
  const method = req.method as string;
  pipelined.dropped.set(method, (pipelined.dropped.get(method) ?? 0) + 1);
  return false;
}

/**
 * Put in place of Node's per-request callback on a dropped connection. Node parses a whole read before it
 * looks at the socket again, and destroying the socket does not stop that: it would still build a request
 * and a response object for each of the ~1,900 small requests in the 64 KiB read (enough connections doing so
 * exhausted a replica's heap). Node hands this callback's return value to llhttp as the
 * headers-complete result (lib/_http_common.js, parserOnHeadersComplete), and 2 ("upgrade") makes llhttp stop
 * parsing the read there; the socket is already destroyed, so nothing reads the rest. Should a Node release
 * stop calling it, dropped requests still return at once in capPipelining, only more of them.
 */
function stopParsing(): number {
  return 2;
}

// Shared listeners (they read `this`): no closure per queued response.
function unqueue(this: ServerResponse): void {
  (this.req.socket as PipeliningSocket)[PIPELINED]?.queued.delete(this);
}

function onClose(this: PipeliningSocket): void {
  const pipelined = this[PIPELINED] as Pipelined;
  // destroy() emits 'close' on the next tick, so the set does not change while iterating.
  for (const res of pipelined.queued) res.destroy();
  if (pipelined.dropped !== undefined) pipelined.report({ byMethod: pipelined.dropped, reason: pipelined.reason });
}
