/** What a ReplicaSet needs to know to pick the replicas it removes on a scale-down. */
export interface RankedReplica {
  /** Set once the process has ended (a crashed pod: not ready). */
  readonly exit?: unknown;
  /** When it became ready. */
  readonly readyAt: number | undefined;
}

/**
 * The order a ReplicaSet deletes pods in on a scale-down (kubernetes pkg/controller ActivePodsWithRanks),
 * for what applies on one machine: not ready before ready (a replica that is gone first), then the one
 * ready for the shortest time. Returns a sorted copy.
 */
export function scaleDownOrder<T extends RankedReplica>(replicas: readonly T[]): T[] {
  const notReady = (r: T): boolean => r.exit !== undefined || r.readyAt === undefined;
  return [...replicas].sort((a, b) => {
    if (notReady(a) !== notReady(b)) return notReady(a) ? -1 : 1;
    return notReady(a) ? 0 : b.readyAt! - a.readyAt!;
  });
}
