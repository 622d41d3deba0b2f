/** What every cluster step agrees on: which cluster, reached how. */
import { BIN_FOLDER } from '../control-plane/build-state.ts';

export const PROVIDERS = ['kind', 'minikube', 'kwok'] as const;
export type Provider = (typeof PROVIDERS)[number];

export function isProvider(name: string): name is Provider {
  return (PROVIDERS as readonly string[]).includes(name);
}

/** kind cluster name, minikube profile and kwokctl cluster: a dedicated cluster, so `cluster:down` deletes only ours. */
export const CLUSTER_NAME = 'sweetshop';

/**
 * The kubeconfig context each provider creates for CLUSTER_NAME. Every kubectl call names it, so a
 * deploy never lands on whatever cluster happens to be the current context.
 */
export function kubeContext(provider: Provider): string {
  if (provider === 'kind') return `kind-${CLUSTER_NAME}`;
  return provider === 'kwok' ? `kwok-${CLUSTER_NAME}` : CLUSTER_NAME;
}

/**
 * The kubectl that talks to the provider's cluster: the one on PATH for kind and minikube, the one built
 * with the control plane for kwok (same version as its API server; a system kubectl may be several minors
 * older than Kubernetes' supported skew of one).
 */
export function kubectlProgram(provider: Provider): string {
  return provider === 'kwok' ? `${BIN_FOLDER}/kubectl` : 'kubectl';
}

export function kubectl(provider: Provider, ...args: string[]): string[] {
  return [kubectlProgram(provider), '--context', kubeContext(provider), ...args];
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

/** Waits until the Deployment's (or DaemonSet's) rollout has finished. */
export function rolloutStatus(
  provider: Provider,
  namespace: string,
  name: string,
  kind: 'deployment' | 'daemonset' = 'deployment',
): string[] {
  return kubectl(provider, '--namespace', namespace, 'rollout', 'status', `${kind}/${name}`, `--timeout=${ROLLOUT_TIMEOUT}`);
}
