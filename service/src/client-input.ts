/**
 * Most characters of client input (a path, an id, a header value) copied into a response or a log line:
 * a client must not be able to make the service write kilobytes for every request it sends.
 */
const ECHO_LIMIT = 128;

/** `text`, cut to ECHO_LIMIT characters; a cut one says how long the original was. */
export function clip(text: string): string {
  return text.length <= ECHO_LIMIT ? text : `${text.slice(0, ECHO_LIMIT)}… (${text.length} characters)`;
}

/** `value` as a JSON string, cut like clip() (the length note goes after the closing quote). */
export function quoted(value: string): string {
  return value.length <= ECHO_LIMIT ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, ECHO_LIMIT))}… (${value.length} characters)`;
}
