/**
 * The Ingress controllers cluster:up installs on a laptop cluster. F5's NGINX Ingress Controller, the
 * default (local): the reviewed manifest tools/cluster/f5-nginx-ingress.yaml (its header says where it
 * comes from), the same on kind and minikube. ingress-nginx, retired, for an environment that still names
 * it: its final release's kind manifest, or minikube's `ingress` addon (which is ingress-nginx).
 */
import { formatCommand } from '../lib/command.ts';
import { kubectl, minikube, type Provider, rolloutStatus } from './cluster.ts';
import { commandStep, type ProbeStep, type Step } from './runbook.ts';

/** The manifest, relative to the repository root (where cluster:up runs). */
export const F5_NGINX_INGRESS_MANIFEST = 'tools/cluster/f5-nginx-ingress.yaml';
/** The pinned release, as the manifest's header and image tag name it (a test keeps them equal). */
export const F5_NGINX_INGRESS_VERSION = '5.6.2';
export const F5_NGINX_INGRESS_NAMESPACE = 'nginx-ingress';
export const F5_NGINX_INGRESS_DAEMONSET = 'nginx-ingress';
/** The IngressClass the manifest creates and the controller serves (`-ingress-class`). */
export const F5_NGINX_INGRESS_CLASS = 'nginx';
export const F5_NGINX_INGRESS_CONTROLLER_NAME = 'nginx.org/ingress-controller';

// ingress-nginx is retired (best-effort maintenance ended March 2026); controller-v1.15.1 is its final
// release. Its kind manifest runs the controller with hostPorts 80/443 on a linux node (see kind-config.yaml).
export const INGRESS_NGINX_KIND_MANIFEST =
  'https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml';
/** spec.controller of ingress-nginx's IngressClass `nginx` (its kind manifest's and minikube's addon's). */
export const INGRESS_NGINX_CONTROLLER_NAME = 'k8s.io/ingress-nginx';

export type IngressControllerInstall = 'f5-nginx-ingress' | 'ingress-nginx';

/** Installs `controller` on the provider's cluster (idempotent: an apply, or enabling an addon twice). */
export function installIngressController(provider: Provider, controller: IngressControllerInstall): Step[] {
  if (controller === 'f5-nginx-ingress') {
    return [ingressNginxGoneCheck(provider), commandStep(kubectl(provider, 'apply', '--filename', F5_NGINX_INGRESS_MANIFEST))];
  }
  return [
    provider === 'minikube'
      ? commandStep(minikube('addons', 'enable', 'ingress'))
      : commandStep(kubectl(provider, 'apply', '--filename', INGRESS_NGINX_KIND_MANIFEST)),
  ];
}

/** Waits until `controller` serves. */
export function waitForIngressController(provider: Provider, controller: IngressControllerInstall): Step[] {
  return controller === 'f5-nginx-ingress'
    ? [commandStep(rolloutStatus(provider, F5_NGINX_INGRESS_NAMESPACE, F5_NGINX_INGRESS_DAEMONSET, 'daemonset'))]
    : [commandStep(rolloutStatus(provider, 'ingress-nginx', 'ingress-nginx-controller'))];
}

/** How to take ingress-nginx off the provider's cluster, as one command line. */
export function ingressNginxUninstall(provider: Provider): string {
  return provider === 'minikube'
    ? formatCommand({ argv: minikube('addons', 'disable', 'ingress') })
    : formatCommand({ argv: kubectl(provider, 'delete', '--ignore-not-found', '--filename', INGRESS_NGINX_KIND_MANIFEST) });
}

/**
 * Stops before the apply while ingress-nginx's IngressClass `nginx` exists (a cluster made before the
 * switch): the apply would fail on its immutable spec.controller, and ingress-nginx's pod holds the
 * hostPorts 80/443 the new controller binds.
 */
export function ingressNginxGoneCheck(provider: Provider): ProbeStep {
  return {
    type: 'probe',
    cmd: {
      argv: kubectl(provider, 'get', 'ingressclass', F5_NGINX_INGRESS_CLASS, '--ignore-not-found', '--output=jsonpath={.spec.controller}'),
    },
    expectation: `no IngressClass ${F5_NGINX_INGRESS_CLASS} of ${INGRESS_NGINX_CONTROLLER_NAME} (ingress-nginx, retired)`,
    summary: (stdout) =>
      stdout.trim() === '' ? `no IngressClass ${F5_NGINX_INGRESS_CLASS} yet` : `IngressClass ${F5_NGINX_INGRESS_CLASS}: ${stdout.trim()}`,
    verify: (stdout) =>
      stdout.trim() === INGRESS_NGINX_CONTROLLER_NAME
        ? `the cluster still runs ingress-nginx (IngressClass ${F5_NGINX_INGRESS_CLASS} is ${INGRESS_NGINX_CONTROLLER_NAME}'s), which holds ` +
          `the class name and host ports F5's NGINX Ingress Controller needs: uninstall it (${ingressNginxUninstall(provider)}) ` +
          'or recreate the cluster (npm run cluster:down), then run cluster:up again'
        : undefined,
  };
}
