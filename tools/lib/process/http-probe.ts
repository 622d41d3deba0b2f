import { get } from 'node:http';

/** GET a path on a loopback port; resolves the status code, or 0 when nothing answers. */
export async function probeStatus(port: number, path: string): Promise<number> {
  return (await probe(port, path))?.status ?? 0;
}

/** GET a path on a loopback port: the status and X-Served-By, or undefined when nothing answers. */
export function probe(port: number, path: string): Promise<{ status: number; servedBy: string | undefined } | undefined> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, timeout: 1_000 }, (response) => {
      response.resume();
      const servedBy = response.headers['x-served-by'];
      resolve({ status: response.statusCode ?? 0, servedBy: typeof servedBy === 'string' ? servedBy : undefined });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}
