/** Kubernetes quantity strings as the environment files write them ('128Mi', '250m', '1'). */
import { parseQuantity } from '../../config/quantity.ts';

/** A memory quantity in MiB ('192Mi' -> 192, '1Gi' -> 1024, '128M' -> 122.07). */
export function memoryToMiB(quantity: string): number {
  const bytes = parseQuantity(quantity.trim());
  if (bytes === undefined) throw new Error(`"${quantity}" is not a memory quantity (e.g. 128Mi, 1Gi)`);
  return bytes / 2 ** 20;
}

/** Millicores as the environment files write them: whole cores as '1', else '250m'. */
export function formatMillicores(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** MiB as a quantity: whole GiB as '1Gi', else '192Mi'. */
export function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}
