import { readFileSync } from 'node:fs';

const ESTABLISHED = '01';

/**
 * Established IPv4 TCP connections whose local end is 127.0.0.1:<port>, for each port: the server side
 * of connections to a replica, as the kernel lists them in /proc/net/tcp.
 */
export function establishedConnectionsTo(ports: readonly number[]): number {
  const wanted = new Set(ports.map((port) => `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`));
  let count = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (local !== undefined && wanted.has(local) && state === ESTABLISHED) count++;
  }
  return count;
}
