/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rounds to a fixed number of decimals, for JSON that people read. */
export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** a / b rounded, with a clear error instead of Infinity or NaN in the results. */
export function ratio(numerator: number, denominator: number, what: string): number {
  if (!(denominator > 0) || !Number.isFinite(numerator)) {
    throw new Error(`cannot compute ${what}: ${numerator} / ${denominator}`);
  }
  return round(numerator / denominator, 3);
}
