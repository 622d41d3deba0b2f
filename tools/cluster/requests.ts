import { request } from 'node:http';

/** HTTP requests through the ingress, reporting which replicas answered (X-Served-By). */
export interface RequestsStep {
  readonly type: 'requests';
  readonly section: string;
  /** May contain `{name}` placeholders filled from captured command output. */
  readonly url: string;
  readonly count: number;
  /** Host header, when the Ingress matches a virtual host. */
  readonly host?: string;
}

/**
 * Sends the step's GETs through the ingress, each on a fresh connection, and logs which replicas
 * answered (X-Served-By); throws one line naming the URL and the causes when any request failed.
 */
export async function runRequests(step: RequestsStep, log: (line: string) => void): Promise<void> {
  const servedBy = new Map<string, number>();
  const failures: string[] = [];
  for (let i = 0; i < step.count; i++) {
    const reply = await get(step.url, step.host);
    if (reply.status === 200) {
      servedBy.set(reply.servedBy, (servedBy.get(reply.servedBy) ?? 0) + 1);
    } else {
      failures.push(reply.status === 0 ? reply.error : `HTTP ${reply.status}`);
    }
  }
  const replicas = [...servedBy].map(([id, n]) => `${id} x${n}`).join(', ') || 'none';
  log(`${step.section}: ${step.count - failures.length}/${step.count} OK from ${step.url}, X-Served-By: ${replicas}`);
  if (failures.length > 0) {
    throw new Error(
      `${step.section}: ${failures.length} of ${step.count} requests to ${step.url} failed (${[...new Set(failures)].join('; ')})`,
    );
  }
}

interface Reply {
  readonly status: number;
  readonly servedBy: string;
  readonly error: string;
}

/** One GET on a fresh connection, so the load balancer picks a replica per request. */
function get(url: string, host: string | undefined): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: host ? { host } : {}, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, servedBy: String(res.headers['x-served-by'] ?? '(no X-Served-By)'), error: '' }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', (error) => resolve({ status: 0, servedBy: '', error: error.message }));
    req.end();
  });
}
