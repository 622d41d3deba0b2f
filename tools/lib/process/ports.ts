import { connect, createServer } from 'node:net';

// Ports handed out by this process and not yet released: a replica may not have bound its port yet.
const reserved = new Set<number>();

/** True when nothing listens on 127.0.0.1:port right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when something accepts connections on 127.0.0.1:port. A connect, not a bind like isPortFree:
 * a bind probe would briefly hold the port a starting server (nginx) is about to take.
 */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The first free loopback port at or above `from` (contracts.md: replicas from 8000 upward). */
export async function reservePort(from: number): Promise<number> {
  for (let port = from; port <= 65_535; port++) {
    if (reserved.has(port)) continue;
    if (await isPortFree(port)) {
      reserved.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port at or above ${from}`);
}

/** Makes a port available to reservePort() again, once its replica has exited. */
export function releasePort(port: number): void {
  reserved.delete(port);
}

/** A port the operating system says is free (for `--port 0`). */
export function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A random first replica port in 20000-29999, for shops started next to others (tests, benchmarks):
 * away from the 8000/8080 a developer's own `npm run local` uses, and below Linux's ephemeral range
 * (32768+). Inside that range a client socket (a load generator, nginx's upstream connections) can take
 * a port between the check that it is free and the replica's listen, and the replica then exits with
 * EADDRINUSE (seen in a rollout under load).
 */
export function randomReplicaBasePort(): number {
  return 20_000 + Math.floor(Math.random() * 10_000);
}
