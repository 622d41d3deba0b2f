import type { DeploymentSpec } from './types.ts';

/** Upper bound for one section's local replicas: each is a Node process on a laptop. */
export const MAX_LOCAL_REPLICAS = 16;
/**
 * Upper bound for all sections together, whatever the manifests say: 64 idle replicas of the service
 * already hold more memory than a laptop spares for a demo (a replica's idle RSS: docs/benchmarks.md, section 5).
 */
export const MAX_LOCAL_REPLICAS_TOTAL = 64;

/**
 * Replica count per Deployment: the manifests' count unless overridden. Unknown section names and
 * counts outside 1..MAX_LOCAL_REPLICAS are errors naming the value.
 */
export function resolveReplicaCounts(
  deployments: readonly DeploymentSpec[],
  overrides: Readonly<Record<string, number>> = {},
): Map<string, number> {
  const counts = new Map(deployments.map((d) => [d.name, d.replicas]));
  for (const [section, count] of Object.entries(overrides)) {
    if (!counts.has(section)) throw new Error(`replicas: unknown section ${section} (the manifests have ${[...counts.keys()].join(', ')})`);
    if (!Number.isInteger(count) || count < 1 || count > MAX_LOCAL_REPLICAS) {
      throw new Error(`replicas: ${section}=${count} must be a whole number from 1 to ${MAX_LOCAL_REPLICAS}`);
    }
    counts.set(section, count);
  }
  // The manifests are input too: a count there starts that many processes on this machine.
  for (const [section, count] of counts) {
    if (count > MAX_LOCAL_REPLICAS)
      throw new Error(
        `replicas: ${section}=${count} (from the manifests) is above the local cap of ${MAX_LOCAL_REPLICAS}: pass --replicas ${section}=<1..${MAX_LOCAL_REPLICAS}>`,
      );
  }
  checkTotal(
    counts,
    (total, list) =>
      `replicas: ${total} replica processes in all (${list}) is above the local cap of ${MAX_LOCAL_REPLICAS_TOTAL} in total: lower some with --replicas <section>=<n>`,
  );
  return counts;
}

/**
 * Under --autoscale, what the sections can scale to (each HPA's maxReplicas, else the section's count)
 * must stay within MAX_LOCAL_REPLICAS_TOTAL too: checked before anything starts.
 */
export function checkAutoscaleTotal(
  counts: ReadonlyMap<string, number>,
  autoscalers: ReadonlyArray<{ readonly target: string; readonly maxReplicas: number }>,
): void {
  const most = new Map(counts);
  for (const hpa of autoscalers) most.set(hpa.target, hpa.maxReplicas);
  checkTotal(
    most,
    (total, list) =>
      `--autoscale: the sections can scale to ${total} replica processes in all (${list}), above the local cap of ${MAX_LOCAL_REPLICAS_TOTAL} in total: lower some HPA maxReplicas`,
  );
}

function checkTotal(counts: ReadonlyMap<string, number>, message: (total: number, list: string) => string): void {
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  if (total > MAX_LOCAL_REPLICAS_TOTAL) throw new Error(message(total, [...counts].map(([s, n]) => `${s}=${n}`).join(', ')));
}

/** Parses `--replicas chocolates=3` flags (repeatable, or comma-separated) into overrides. */
export function parseReplicaFlags(flags: readonly string[]): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const item of flags.flatMap((f) => f.split(',')).filter(Boolean)) {
    const match = /^([a-z0-9-]+)=(\d+)$/.exec(item.trim());
    if (!match) throw new Error(`--replicas ${item}: expected <section>=<count>, e.g. chocolates=3`);
    overrides[match[1]!] = Number(match[2]);
  }
  return overrides;
}
