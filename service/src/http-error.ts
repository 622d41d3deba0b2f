/**
 * An error whose status and message are safe to show a client.
 * Domain code throws it; the single error handler turns it into `{ error: message }`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
