import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Most responses one connection may have waiting behind the one being sent (HTTP pipelining). nginx and
 * browsers never pipeline. Node parses a whole read (64 KiB, up to ~1,600 small requests) before it can
 * pause a connection, so without a cap a client that pipelines and reads nothing made the service hold
 * every one of them (measured: 20 connections, 12,714 requests in flight at once).
 */
export const MAX_QUEUED_RESPONSES = 32;

const QUEUED = Symbol('sweetshop.queuedResponses');

interface PipeliningSocket extends Socket {
  [QUEUED]?: Set<ServerResponse>;
}

/**
 * Registers a response Node has queued behind an unfinished one on the same connection. Returns false if
 * it must not be served: its connection is gone, or already has MAX_QUEUED_RESPONSES waiting (the
 * connection is then cut). When the connection closes, its queued responses are destroyed, which emits
 * their 'close': Node does that itself only on some paths (not once a pipelined CONNECT has taken the
 * socket over, not before Node 24), and a response never closed stays tracked as in flight forever.
 */
export function queueResponse(socket: Socket, res: ServerResponse): boolean {
  const pipelining = socket as PipeliningSocket;
  if (pipelining.destroyed) return false;
  let queued = pipelining[QUEUED];
  if (queued === undefined) {
    queued = new Set();
    pipelining[QUEUED] = queued;
    pipelining.once('close', destroyQueued);
  }
  if (queued.size >= MAX_QUEUED_RESPONSES) {
    pipelining.destroy();
    return false;
  }
  queued.add(res);
  res.once('close', unqueue);
  return true;
}

// Shared listeners (they read `this`): no closure per queued response.
function unqueue(this: ServerResponse): void {
  (this.req.socket as PipeliningSocket)[QUEUED]?.delete(this);
}

function destroyQueued(this: PipeliningSocket): void {
  // destroy() emits 'close' on the next tick, so the set does not change while iterating.
  for (const res of this[QUEUED] ?? []) res.destroy();
}
