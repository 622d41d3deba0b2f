import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { childrenWithCommand } from './processes.ts';

/** A section's upstream ports in the balancer's live nginx.conf, sorted (the test process is nginx's parent). */
export function upstreamPorts(upstream: string): number[] {
  // nginx rewrites its command line into its process title: `nginx: master process ... -c <file> ...`.
  const configs = childrenWithCommand(process.pid, 'nginx').map(
    (pid) => /-c (\S+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '))?.[1],
  );
  const file = configs.find((path) => path?.endsWith('/balancer/nginx.conf'));
  assert.ok(file, `no balancer nginx found among ${JSON.stringify(configs)}`);
  const block = new RegExp(`upstream ${upstream} \\{([^}]*)\\}`).exec(readFileSync(file, 'utf8'))?.[1];
  assert.ok(block !== undefined, `no upstream ${upstream} in ${file}`);
  // A server marked `down` (the placeholder of an upstream with no replica) takes no traffic.
  return [...block.matchAll(/server 127\.0\.0\.1:(\d+)(?: max_fails=0)?;/g)].map((m) => Number(m[1])).sort();
}
