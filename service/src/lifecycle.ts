import type { ServerResponse } from 'node:http';

/**
 * Readiness and the requests in flight, shared by the app (which reports and tracks them) and the
 * server (which starts the drain).
 */
export class Lifecycle {
  readonly #inFlight = new Set<ServerResponse>();
  #ready = true;

  /** What /readyz reports: true until the drain starts. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Responses started but not yet closed. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  track(res: ServerResponse): void {
    this.#inFlight.add(res);
  }

  untrack(res: ServerResponse): void {
    this.#inFlight.delete(res);
  }

  /**
   * Flips readiness to false and asks every in-flight response to close its keep-alive socket once
   * sent (`Connection: close`), so a drained socket closes right after its last response instead of
   * idling until the keep-alive timeout. Responses arriving later get the same header from the app.
   */
  startDraining(): void {
    this.#ready = false;
    for (const res of this.#inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
  }
}
