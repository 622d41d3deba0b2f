/** Kubernetes quantity strings as the environment files write them ('128Mi', '250m', '1'). */

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** A memory quantity in MiB ('192Mi' -> 192, '1Gi' -> 1024, '128M' -> 122.07). */
export function memoryToMiB(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  if (!match) throw new Error(`"${quantity}" is not a memory quantity (e.g. 128Mi, 1Gi)`);
  return (Number(match[1]) * MEMORY_UNITS[match[2] ?? '']!) / 1024 ** 2;
}

/** A CPU quantity in millicores ('250m' -> 250, '1' -> 1000, '1.5' -> 1500). */
export function cpuToMillicores(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity.trim());
  if (!match) throw new Error(`"${quantity}" is not a CPU quantity (e.g. 250m, 1)`);
  return match[2] === 'm' ? Number(match[1]) : Number(match[1]) * 1000;
}

/** Millicores as the environment files write them: whole cores as '1', else '250m'. */
export function formatMillicores(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** MiB as a quantity: whole GiB as '1Gi', else '192Mi'. */
export function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}
