import type { Section, SectionName } from '../catalog.ts';
import { cakes } from './cakes.ts';
import { candies } from './candies.ts';
import { chocolates } from './chocolates.ts';

/** Every section's catalog, by name. */
export const sections: Readonly<Record<SectionName, Section>> = { chocolates, candies, cakes };
