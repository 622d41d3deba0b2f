import type { EnvironmentConfig } from '../../config/index.ts';
import { SECTION_NAMES } from '../../config/index.ts';
import { minikube, type Provider } from './cluster.ts';
import { INGRESS_NODE_PORTS } from './kind-config.ts';
import { clusterRoutingOf } from './routing.ts';
import { commandStep, type Runbook, type Step } from './runbook.ts';

export interface SmokeOptions {
  /** Requests per section: enough to see several replicas take turns. */
  readonly requests: number;
  /**
   * Base URL of the ingress; default: the node IP on minikube (with Envoy's NodePort for Gateway API),
   * http://127.0.0.1 on kind (the CLI passes the host port cluster:up published it on).
   */
  readonly url?: string;
}

/** Requests to every section through the ingress or the Gateway, tallying which replicas answered. */
export function smokeRunbook(provider: Provider, env: EnvironmentConfig, options: SmokeOptions): Runbook {
  const steps: Step[] = [];
  let base = options.url?.replace(/\/+$/, '');
  if (base === undefined && provider === 'minikube') {
    // On Linux the minikube node IP is reachable directly; with Docker Desktop run `minikube tunnel`
    // (Ingress) or `minikube service` (Gateway) and pass --url instead.
    steps.push(commandStep(minikube('ip'), 'minikubeIp'));
    const { nodePorts } = clusterRoutingOf(env);
    const port = nodePorts.http === INGRESS_NODE_PORTS.http ? '' : `:${nodePorts.http}`;
    base = `http://{minikubeIp}${port}`;
  }
  base ??= 'http://127.0.0.1';
  const { host } = env.ingress ?? env.gateway;
  for (const section of SECTION_NAMES) {
    const path = env.sections[section].path;
    steps.push({
      type: 'requests',
      section,
      url: `${base}${path}`,
      count: options.requests,
      ...(host ? { host } : {}),
    });
  }
  return { steps };
}
