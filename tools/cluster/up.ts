import { kind, kubectl, minikube, type Provider, rolloutStatus } from './cluster.ts';
import { commandStep, type Runbook } from './runbook.ts';

// Pinned, so every `cluster:up` installs the same controllers. ingress-nginx's kind manifest runs the
// controller with hostPorts 80/443 on the node labelled ingress-ready=true (see kind-config.yaml).
const INGRESS_NGINX_KIND_MANIFEST =
  'https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.14.3/deploy/static/provider/kind/deploy.yaml';
const METRICS_SERVER_MANIFEST = 'https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.1/components.yaml';
export const KIND_CONFIG = 'tools/cluster/kind-config.yaml';

// kind's kubelets serve self-signed certificates; without this flag metrics-server never scrapes them
// and every HPA stays at <unknown>.
const METRICS_SERVER_INSECURE_TLS_PATCH =
  '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]';

/** What runs kind's node containers: docker, or podman when KIND_EXPERIMENTAL_PROVIDER=podman. */
export type KindNodeRuntime = 'docker' | 'podman';

/** Creates the cluster with an ingress controller and metrics-server, and waits until both run. */
export function upRunbook(provider: Provider, kindNodeRuntime: KindNodeRuntime = 'docker'): Runbook {
  const waitForAddons = [
    commandStep(rolloutStatus(provider, 'ingress-nginx', 'ingress-nginx-controller')),
    commandStep(rolloutStatus(provider, 'kube-system', 'metrics-server')),
  ];
  if (provider === 'minikube') {
    return {
      steps: [
        // minikube's default CNI ignores NetworkPolicy; Calico enforces it, as kindnet does on kind 0.24+,
        // so a policy that blocks the ingress controller fails here and not first in production.
        commandStep(minikube('start', '--cni=calico')),
        commandStep(minikube('addons', 'enable', 'ingress')),
        commandStep(minikube('addons', 'enable', 'metrics-server')),
        ...waitForAddons,
      ],
    };
  }
  return {
    // kind runs its node as a container of this runtime, which no command of the runbook names.
    extraTools: [kindNodeRuntime],
    steps: [
      commandStep(kind('create', 'cluster', '--config', KIND_CONFIG, '--wait', '120s')),
      commandStep(kubectl(provider, 'apply', '--filename', INGRESS_NGINX_KIND_MANIFEST)),
      commandStep(kubectl(provider, 'apply', '--filename', METRICS_SERVER_MANIFEST)),
      commandStep(
        kubectl(
          provider,
          '--namespace',
          'kube-system',
          'patch',
          'deployment',
          'metrics-server',
          '--type=json',
          '--patch',
          METRICS_SERVER_INSECURE_TLS_PATCH,
        ),
      ),
      ...waitForAddons,
    ],
  };
}
