import type { DeploymentSpec } from '../manifests/types.ts';
import type { ReplicaProcess } from '../supervisor/replica-process.ts';

/** One replaced replica of a rollout. */
export interface RolloutStep {
  readonly section: string;
  readonly from: string;
  readonly to: string;
  readonly port: number;
}

/** What a rollout needs from the shop that runs it. */
export interface RolloutHost {
  /** True once the shop is stopping: the rollout ends at its next step. */
  isStopping(): boolean;
  /** The section's replicas in nginx, in upstream order; the rollout replaces them in place. */
  inNginx(section: string): ReplicaProcess[];
  /** A new pod template revision of the section: replicas started from now on carry its hash. */
  newRevision(section: string): void;
  /** Starts a replica of the section on a new port (not in nginx). */
  spawn(deployment: DeploymentSpec, index: number): Promise<ReplicaProcess>;
  /** Resolves with a ready replica (perhaps a restart of `replica` on another port); stops it on failure. */
  untilReady(deployment: DeploymentSpec, index: number, replica: ReplicaProcess): Promise<ReplicaProcess>;
  /** Rewrites nginx's upstreams from `inNginx` and reloads gracefully. */
  reloadBalancer(options?: { drain?: boolean }): Promise<void>;
  /** SIGTERM (it drains), SIGKILL after a timeout. */
  retire(replica: ReplicaProcess): Promise<void>;
  emit(level: 'info' | 'warn', message: string): void;
}

/**
 * Kubernetes' RollingUpdate with maxSurge 1 and maxUnavailable 0, one replica at a time: the new
 * replica must be ready before nginx switches to it (graceful reload, old workers finish first),
 * and only then does the old one get SIGTERM and drain. A replica that never gets ready stops the
 * rollout with the old one still serving, as a stuck Deployment would.
 */
export async function rollOut(
  host: RolloutHost,
  deployments: readonly DeploymentSpec[],
  onStep?: (step: RolloutStep) => void,
): Promise<RolloutStep[]> {
  const steps: RolloutStep[] = [];
  const draining: Promise<void>[] = [];
  try {
    for (const deployment of deployments) {
      host.newRevision(deployment.name);
      const replicas = host.inNginx(deployment.name);
      for (let index = 0; index < replicas.length; index++) {
        if (host.isStopping()) throw new Error('rollout interrupted: the local shop is stopping');
        const step = await replaceReplica(host, deployment, index);
        draining.push(host.retire(step.old));
        steps.push(step.done);
        host.emit(
          'info',
          `rollout ${deployment.name}: ${step.old.id} -> ${step.done.to} (port ${step.done.port}); ${step.old.id} draining`,
        );
        onStep?.(step.done);
      }
    }
  } finally {
    await Promise.all(draining);
  }
  return steps;
}

/** Puts a ready new replica in nginx in place of replica `index`, or throws with nginx as it was. */
async function replaceReplica(
  host: RolloutHost,
  deployment: DeploymentSpec,
  index: number,
): Promise<{ old: ReplicaProcess; done: RolloutStep }> {
  const replicas = host.inNginx(deployment.name);
  const old = replicas[index]!;
  const spawned = await host.spawn(deployment, index);
  let next: ReplicaProcess;
  try {
    next = await host.untilReady(deployment, index, spawned);
  } catch (error) {
    // untilReady has stopped it; nginx never saw it.
    throw new Error(`rollout ${deployment.name}: ${(error as Error).message}; rolled back: nginx unchanged, ${old.id} kept`);
  }
  replicas[index] = next;
  try {
    await host.reloadBalancer();
  } catch (error) {
    // A failed reload may have applied the new config anyway (a timeout comes after the SIGHUP):
    // nginx gets the last working set back before the new replica stops, or it would route to a dead port.
    replicas[index] = old;
    const restored = await host.reloadBalancer({ drain: false }).then(
      () => `rolled back: nginx routes to ${old.id} again`,
      (restore: Error) => `rollback of nginx failed too (${restore.message})`,
    );
    await host.retire(next);
    throw new Error(
      `rollout ${deployment.name}: replica ${next.id} (port ${next.port}) could not take ${old.id}'s place: ${(error as Error).message}; ${restored}, ${next.id} stopped`,
    );
  }
  return { old, done: { section: deployment.name, from: old.id, to: next.id, port: next.port } };
}
