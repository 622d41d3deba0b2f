/** Helpers of the control-plane tests: manifests on disk, status conditions, waiting for the controllers. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { stringify } from 'yaml';

import type { Manifest } from '../charts/render.ts';
import type { TestCluster } from '../support/control-plane.ts';

/** Writes `manifests` as dir/sweetshop.k8s.yaml (a folder deploy can apply); returns the folder. */
export function writeManifests(dir: string, manifests: readonly Manifest[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sweetshop.k8s.yaml'), manifests.map((manifest) => stringify(manifest)).join('---\n'));
  return dir;
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** `type=status reason` of each condition, for messages and equality. */
export function summary(conditions: readonly Condition[] | undefined): string[] {
  return (conditions ?? []).map((condition) => `${condition.type}=${condition.status} ${condition.reason ?? ''}`.trim());
}

/** Polls `read` every 250 ms until `done` holds for its value (resolves it), or throws after `timeoutMs` with the last value. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The conditions of a Gateway API route's or policy's first parent/ancestor. */
export async function parentConditions(cluster: TestCluster, namespace: string, resource: string): Promise<string[]> {
  const object = await cluster.json('--namespace', namespace, 'get', resource);
  const statuses = object.status?.parents ?? object.status?.ancestors ?? [];
  return summary(statuses[0]?.conditions);
}

/** Warnings the API server returned (kubectl prints them as `Warning: ...` on stderr). */
export function warnings(output: string): string[] {
  return output.split('\n').filter((line) => /^Warning:/.test(line.trim()));
}
