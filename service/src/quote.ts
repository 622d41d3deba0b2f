import type { Section, Sweet } from './catalog.ts';
import { clip, quoted } from './client-input.ts';
import { HttpError } from './http-error.ts';

const MAX_QUOTE_LINES = 50;
const MIN_QUANTITY = 1;
const MAX_QUOTE_QUANTITY = 100;

/**
 * A JSON number that a double cannot hold exactly (beyond 2^53, or out of range), kept as the client wrote
 * it. It can never be a valid quantity, and an error should quote it as given, not rounded.
 */
class InexactNumber {
  readonly source: string;

  constructor(source: string) {
    this.source = source;
  }
}

/**
 * JSON.parse reviver for quote bodies: replaces an inexact number by its source text (JSON.parse source
 * text access, V8 11.4+). Other values pass through unchanged.
 */
export function keepInexactNumbers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || Math.abs(value) <= Number.MAX_SAFE_INTEGER || context?.source === undefined) return value;
  return new InexactNumber(context.source);
}

export interface QuoteLine {
  readonly id: string;
  readonly name: string;
  readonly quantity: number;
  /** Minor units. */
  readonly unitPrice: number;
  /** unitPrice * quantity, minor units. */
  readonly lineTotal: number;
}

export interface Quote {
  readonly lines: readonly QuoteLine[];
  /** Sum of the line totals, minor units. */
  readonly total: number;
  readonly currency: string;
}

/**
 * Prices a basket against one section's catalog.
 * `body` is the parsed request body, untrusted: wrong shapes or types are 400, well-typed but
 * unacceptable values (unknown sweet, quantity out of range, line count) are 422. Every message
 * names the field, e.g. `lines[2].quantity`.
 */
export function quote(section: Section, sweetsById: ReadonlyMap<string, Sweet>, body: unknown): Quote {
  if (!isPlainObject(body)) throw new HttpError(400, 'body must be a JSON object like {"lines":[{"id":"...","quantity":1}]}');
  const rawLines = body.lines;
  if (rawLines === undefined) throw new HttpError(400, 'lines is required (an array of {id, quantity})');
  if (!Array.isArray(rawLines)) throw new HttpError(400, `lines must be an array, got ${typeName(rawLines)}`);
  if (rawLines.length === 0 || rawLines.length > MAX_QUOTE_LINES) {
    throw new HttpError(422, `lines must contain 1 to ${MAX_QUOTE_LINES} entries, got ${rawLines.length}`);
  }

  const lines: QuoteLine[] = [];
  let total = 0;
  for (let i = 0; i < rawLines.length; i++) {
    const raw: unknown = rawLines[i];
    const field = `lines[${i}]`;
    if (!isPlainObject(raw)) throw new HttpError(400, `${field} must be an object {id, quantity}, got ${typeName(raw)}`);
    const { id, quantity } = raw;
    if (typeof id !== 'string') throw new HttpError(400, `${field}.id must be a string, got ${typeName(id)}`);
    if (typeof quantity !== 'number' && !(quantity instanceof InexactNumber)) {
      throw new HttpError(400, `${field}.quantity must be a number, got ${typeName(quantity)}`);
    }
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < MIN_QUANTITY || quantity > MAX_QUOTE_QUANTITY) {
      const given = quantity instanceof InexactNumber ? clip(quantity.source) : quantity;
      throw new HttpError(422, `${field}.quantity must be an integer from ${MIN_QUANTITY} to ${MAX_QUOTE_QUANTITY}, got ${given}`);
    }
    const sweet = sweetsById.get(id);
    if (!sweet) throw new HttpError(422, `${field}.id: no sweet ${quoted(id)} in the ${section.name} section`);
    const lineTotal = sweet.price * quantity;
    total += lineTotal;
    lines.push({ id: sweet.id, name: sweet.name, quantity, unitPrice: sweet.price, lineTotal });
  }
  return { lines, total, currency: section.currency };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof InexactNumber) return `number ${clip(value.source)}`;
  if (typeof value === 'string') return `string ${quoted(value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
