/** Helpers of the control-plane tests: manifests on disk, status conditions, waiting for the controllers. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseAllDocuments, stringify } from 'yaml';

import { CLUSTER_NAME } from '../../tools/cluster/cluster.ts';
import type { KwokComponent } from '../../tools/cluster/kwok-cluster.ts';
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

/** Server-side applies `objects` as one List; fails the test with kubectl's message if the API server refuses any. */
export async function apply(cluster: TestCluster, ...objects: object[]): Promise<void> {
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  const applied = await cluster.kubectl(['apply', '--server-side', '--filename', '-'], JSON.stringify(list));
  assert.equal(applied.status, 0, applied.stderr);
}

/** What kwok reports for every pod of `namespace` (kwok computes the cumulative counters metrics-server rates). */
export function cpuUsage(namespace: string, cpu: string): object {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterResourceUsage',
    metadata: { name: 'sweetshop-cpu' },
    spec: { selector: { matchNamespaces: [namespace] }, usages: [{ usage: { cpu: { value: cpu }, memory: { value: '100Mi' } } }] },
  };
}

/**
 * The HPA controller every second (default 15 s); metrics-server at its minimum resolution (default here 15 s),
 * which needs a scrape timeout below 90% of it (metrics-server refuses to start otherwise).
 */
export const FAST_AUTOSCALING_ARGS = {
  'kube-controller-manager': { 'horizontal-pod-autoscaler-sync-period': '1s' },
  'metrics-server': { 'metric-resolution': '10s', 'kubelet-request-timeout': '5s' },
} as const satisfies Partial<Record<KwokComponent, Record<string, string>>>;

/** The flags kwokctl really started a component with (its state file). */
function startedFlags(cluster: TestCluster, component: KwokComponent): string[] {
  const file = join(cluster.workdir, 'clusters', CLUSTER_NAME, 'kwok.yaml');
  const documents = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS());
  const components = documents.flatMap((document) => document?.components ?? []);
  return components.find((each: { name: string }) => each.name === component)?.args ?? [];
}

/** componentArgs must have reached the processes: kwokctl silently drops an `override` of a flag it does not set itself. */
export function assertStartedWith(cluster: TestCluster, componentArgs: Partial<Record<KwokComponent, Record<string, string>>>): void {
  for (const [component, args] of Object.entries(componentArgs)) {
    const flags = startedFlags(cluster, component as KwokComponent);
    for (const [key, value] of Object.entries(args ?? {})) {
      assert.ok(flags.includes(`--${key}=${value}`), `${component} was started without --${key}=${value}: ${flags.join(' ')}`);
    }
  }
}

/** The messages of the HPA controller's SuccessfulRescale events for HPA `name`. */
export async function rescales(cluster: TestCluster, namespace: string, name: string): Promise<string[]> {
  const selector = `involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=${name},reason=SuccessfulRescale`;
  const events = await cluster.json<{ items: { message: string }[] }>(
    '--namespace',
    namespace,
    'get',
    'events',
    '--field-selector',
    selector,
  );
  return events.items.map((event) => event.message);
}

export const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * A copy of a rendered Deployment under `name`, its selector, pod labels and spread constraints on that name,
 * so no Service, PDB or HPA of the original counts its pods.
 */
export function renamedDeployment(deployment: Manifest, name: string): Manifest {
  const copy = structuredClone(deployment);
  copy.metadata.name = name;
  for (const labels of [copy.metadata.labels, copy.spec.selector.matchLabels, copy.spec.template.metadata.labels])
    labels[NAME_LABEL] = name;
  for (const constraint of copy.spec.template.spec.topologySpreadConstraints ?? []) constraint.labelSelector.matchLabels[NAME_LABEL] = name;
  return copy;
}
