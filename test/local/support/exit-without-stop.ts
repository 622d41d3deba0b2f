/**
 * Starts a one-section shop, prints the pids it started as JSON, then exits WITHOUT calling stop():
 * the shop's exit hook must take every replica and nginx process with it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { randomReplicaBasePort } from '../../../tools/lib/process/ports.ts';
import { startLocalShop } from '../../../tools/local/shop/shop.ts';

const nginxPids: number[] = [];
const shop = await startLocalShop({
  port: 0,
  basePort: randomReplicaBasePort(),
  manifestsDir: join(fileURLToPath(new URL('../fixtures/', import.meta.url)), 'chocolates-only'),
  onEvent: (event) => {
    const match = event.type === 'message' ? /^nginx (?:balancer|front) (\d+)/.exec(event.message) : null;
    if (match) nginxPids.push(Number(match[1]));
  },
});
console.log(JSON.stringify({ replicas: shop.replicas.map((r) => r.pid), nginx: nginxPids }));
process.exit(3);
