import type { ReplicaProcess } from '../supervisor/replica-process.ts';
import { scaleDownOrder } from './scale-down-order.ts';

/** What converging one section needs from the shop that runs it. */
export interface ScalingHost {
  /** True once the shop is stopping: nothing new starts then. */
  isStopping(): boolean;
  /** How long a new replica may take to answer 200 on /readyz. */
  readonly readyTimeoutMs: number;
  /** Starts a replica of the section on a new port (not in nginx). */
  spawn(index: number): Promise<ReplicaProcess>;
  /** Rewrites nginx's upstreams from `inNginx` and reloads gracefully; resolves once old workers are gone. */
  reloadBalancer(): Promise<void>;
  /** SIGTERM (it drains), SIGKILL after a timeout. */
  retire(replica: ReplicaProcess): Promise<void>;
  emit(level: 'info' | 'warn', message: string): void;
}

/** One section's replicas: the ones nginx routes to (upstream order) and a scale-out's not-ready ones. */
export interface SectionReplicas {
  readonly section: string;
  readonly inNginx: ReplicaProcess[];
  readonly starting: Set<ReplicaProcess>;
}

/**
 * Brings the section to `wanted()` replicas as a ReplicaSet would, re-reading the count after each step:
 * new replicas join nginx only once ready; removed ones leave nginx before they are told to stop.
 * Returns early, leaving the rest to the next call, when a new replica does not get ready.
 */
export async function convergeSection(host: ScalingHost, replicas: SectionReplicas, wanted: () => number): Promise<void> {
  for (;;) {
    const have = replicas.inNginx.length;
    if (host.isStopping() || have === wanted()) return;
    const done = have < wanted() ? await scaleOut(host, replicas, wanted() - have) : await scaleIn(host, replicas, have - wanted());
    if (!done) return;
  }
}

/** Starts `count` replicas; each joins nginx once it answers /readyz. False if one did not. */
async function scaleOut(host: ScalingHost, replicas: SectionReplicas, count: number): Promise<boolean> {
  const started: ReplicaProcess[] = [];
  for (let i = 0; i < count; i++) {
    const replica = await host.spawn(replicas.inNginx.length + replicas.starting.size);
    replicas.starting.add(replica);
    started.push(replica);
  }
  const names = started.map((r) => `${r.id} (port ${r.port})`).join(', ');
  host.emit('info', `scale ${replicas.section}: starting ${names}; each joins nginx when ready`);
  const joined = await Promise.all(started.map((replica) => join(host, replicas, replica)));
  return joined.every(Boolean);
}

async function join(host: ScalingHost, replicas: SectionReplicas, replica: ReplicaProcess): Promise<boolean> {
  const { inNginx, starting, section } = replicas;
  let count: number;
  try {
    await replica.waitReady(host.readyTimeoutMs);
    starting.delete(replica);
    count = inNginx.push(replica);
    await host.reloadBalancer();
  } catch (error) {
    starting.delete(replica);
    if (inNginx.includes(replica)) inNginx.splice(inNginx.indexOf(replica), 1);
    await host.retire(replica);
    if (!host.isStopping()) host.emit('warn', `scale ${section}: ${(error as Error).message}`);
    return false;
  }
  host.emit('info', `scale ${section}: ${replica.id} ready, in nginx (${count} replicas)`);
  return true;
}

/** Takes `count` replicas out of nginx (reload; the old workers finish first), then lets them drain. */
async function scaleIn(host: ScalingHost, replicas: SectionReplicas, count: number): Promise<boolean> {
  const { inNginx, section } = replicas;
  const victims = scaleDownOrder(inNginx).slice(0, count);
  for (const victim of victims) inNginx.splice(inNginx.indexOf(victim), 1);
  try {
    await host.reloadBalancer();
  } catch (error) {
    inNginx.push(...victims);
    host.emit('warn', `scale ${section}: ${(error as Error).message}`);
    return false;
  }
  host.emit('info', `scale ${section}: ${victims.map((v) => v.id).join(', ')} out of nginx, draining (${inNginx.length} replicas)`);
  // Nothing proxies to them any more; the shop's stop() waits for them like for every live replica.
  for (const victim of victims) void host.retire(victim);
  return true;
}
