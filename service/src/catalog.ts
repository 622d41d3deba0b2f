/** One sweet on sale. Prices are integers in minor units (cents) so sums never round. */
export interface Sweet {
  readonly id: string;
  readonly name: string;
  /** Price in minor units of `currency`, e.g. 250 = 2.50 EUR. */
  readonly price: number;
  /** ISO 4217 code. */
  readonly currency: string;
}

/** The names of the three sections; one replica serves exactly one. */
export const SECTION_NAMES = ['chocolates', 'candies', 'cakes'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** A section of the shop: its name and its catalog (6-12 sweets, one currency). */
export interface Section {
  readonly name: SectionName;
  readonly currency: string;
  readonly sweets: readonly Sweet[];
}

export function isSectionName(value: string): value is SectionName {
  return (SECTION_NAMES as readonly string[]).includes(value);
}
