import { kind, minikube, type Provider } from './cluster.ts';
import { commandStep, type Plan } from './plan.ts';

/** Deletes the sweetshop cluster (only ours: it is addressed by name). */
export function downPlan(provider: Provider): Plan {
  return { steps: [commandStep(provider === 'kind' ? kind('delete', 'cluster') : minikube('delete'))] };
}
