import type { ServerResponse } from 'node:http';

/**
 * Readiness and the requests in flight, shared by the app (which reports and tracks them) and the
 * server (which starts the drain).
 */
export class Lifecycle {
  readonly #inFlight = new Set<ServerResponse>();
  #ready = true;
  #lastRequestAt = 0;

  /** What /readyz reports: true until the drain starts. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Responses started but not yet closed. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * In-flight requests that have fully arrived: what a drain waits for. A request whose body is still
   * arriving once nothing else has been served for the drain's quiet period is a stalled client, not work.
   * Counted on demand (the drain asks every 100 ms), so the request path pays nothing for it.
   */
  get serving(): number {
    let count = 0;
    for (const res of this.#inFlight) if (res.req.complete) count++;
    return count;
  }

  /** performance.now() when the drain started or, if later, when the last request during the drain arrived. */
  get lastRequestAt(): number {
    return this.#lastRequestAt;
  }

  track(res: ServerResponse): void {
    this.#inFlight.add(res);
    if (!this.#ready) {
      // While draining, tell keep-alive clients not to reuse this socket so it closes after the response.
      res.setHeader('Connection', 'close');
      this.#lastRequestAt = performance.now();
    }
  }

  untrack(res: ServerResponse): void {
    this.#inFlight.delete(res);
  }

  /**
   * Flips readiness to false and asks every in-flight response to close its keep-alive socket once
   * sent (`Connection: close`), so a drained socket closes right after its last response instead of
   * idling until the keep-alive timeout. Responses arriving later get the same header from track().
   */
  startDraining(): void {
    this.#ready = false;
    this.#lastRequestAt = performance.now();
    for (const res of this.#inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
  }
}
