import { fileURLToPath } from 'node:url';

import { randomReplicaBasePort } from '../../../tools/lib/process/ports.ts';
import { type LocalShop, type StartLocalShopOptions, startLocalShop } from '../../../tools/local/shop/shop.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * Starts a local shop for a test file on free ports (nginx on an OS-chosen port; replicas probed
 * upward from randomReplicaBasePort()).
 * Callers stop it in an `after()` of their describe block (an after() registered inside a before()
 * hook would run as soon as that hook ends).
 */
export function startTestShop(options: StartLocalShopOptions = {}): Promise<LocalShop> {
  return startLocalShop({ port: 0, basePort: randomReplicaBasePort(), ...options });
}

/** Sequential GETs through the shop; returns the X-Served-By count per replica. */
export async function countServedBy(url: string, requests: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < requests; i++) {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
    const replica = response.headers.get('x-served-by') ?? '(none)';
    counts[replica] = (counts[replica] ?? 0) + 1;
  }
  return counts;
}
