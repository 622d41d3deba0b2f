import { kind, minikube, type Provider } from './cluster.ts';
import { commandStep, type Runbook } from './runbook.ts';

/** Deletes the sweetshop cluster (only ours: it is addressed by name). */
export function downRunbook(provider: Provider): Runbook {
  return { steps: [commandStep(provider === 'kind' ? kind('delete', 'cluster') : minikube('delete'))] };
}
