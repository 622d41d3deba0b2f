import { fileURLToPath } from 'node:url';

import { type LocalShop, startLocalShop, type StartLocalShopOptions } from '../../../tools/local/shop.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A random first replica port in 20000-29999: away from the 8000/8080 a developer's own `npm run local`
 * uses, and below Linux's ephemeral range (32768+). Inside that range a client socket (autocannon,
 * nginx's upstream connections) can take a port between the check that it is free and the replica's
 * listen, and the replica then exits with EADDRINUSE (seen in a rollout under load).
 */
export function randomBasePort(): number {
  return 20_000 + Math.floor(Math.random() * 10_000);
}

/**
 * Starts a local shop for a test file on free ports (nginx on an OS-chosen port; replicas probed
 * upward from randomBasePort()).
 * Callers stop it in an `after()` of their describe block (an after() registered inside a before()
 * hook would run as soon as that hook ends).
 */
export function startTestShop(options: StartLocalShopOptions = {}): Promise<LocalShop> {
  return startLocalShop({ port: 0, basePort: randomBasePort(), ...options });
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

