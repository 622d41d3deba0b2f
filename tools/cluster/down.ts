import { CLUSTER_NAME, minikube, type Provider } from './cluster.ts';
import { commandStep, type Plan } from './plan.ts';

/** Deletes the sweetshop cluster (only ours: it is addressed by name). */
export function downPlan(provider: Provider): Plan {
  if (provider === 'minikube') return { steps: [commandStep(minikube('delete'))] };
  return { steps: [commandStep(['kind', 'delete', 'cluster', '--name', CLUSTER_NAME])] };
}
