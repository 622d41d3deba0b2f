/** What every cluster step agrees on: which cluster, reached how. */

export const PROVIDERS = ['kind', 'minikube'] as const;
export type Provider = (typeof PROVIDERS)[number];

export function isProvider(name: string): name is Provider {
  return (PROVIDERS as readonly string[]).includes(name);
}

/** kind cluster name and minikube profile: a dedicated cluster, so `cluster:down` deletes only ours. */
export const CLUSTER_NAME = 'sweetshop';

/**
 * The kubeconfig context each provider creates for CLUSTER_NAME. Every kubectl call names it, so a
 * deploy never lands on whatever cluster happens to be the current context.
 */
export function kubeContext(provider: Provider): string {
  return provider === 'kind' ? `kind-${CLUSTER_NAME}` : CLUSTER_NAME;
}

export function kubectl(provider: Provider, ...args: string[]): string[] {
  return ['kubectl', '--context', kubeContext(provider), ...args];
}

/** A kind command on CLUSTER_NAME: `kind <verb> <noun> --name sweetshop ...`. */
export function kind(verb: string, noun: string, ...args: string[]): string[] {
  return ['kind', verb, noun, '--name', CLUSTER_NAME, ...args];
}

export function minikube(...args: string[]): string[] {
  return ['minikube', '--profile', CLUSTER_NAME, ...args];
}

/** How long each `kubectl rollout status` may wait (image pulls on a cold laptop cluster are slow). */
const ROLLOUT_TIMEOUT = '180s';

/** Waits until the Deployment's rollout has finished. */
export function rolloutStatus(provider: Provider, namespace: string, deployment: string): string[] {
  return kubectl(provider, '--namespace', namespace, 'rollout', 'status', `deployment/${deployment}`, `--timeout=${ROLLOUT_TIMEOUT}`);
}
