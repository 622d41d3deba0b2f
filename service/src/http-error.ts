/**
 * An error whose status and message are safe to show a client.
 * Domain code throws it; the single error handler turns it into `{ error: message }`.
 */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'HttpError';
  }
}
