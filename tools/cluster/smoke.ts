import type { EnvironmentConfig } from '../../app/environments/index.ts';
import { SECTION_NAMES } from '../../app/environments/index.ts';
import { minikube, type Provider } from './cluster.ts';
import { commandStep, type Runbook, type Step } from './runbook.ts';

export interface SmokeOptions {
  /** Requests per section: enough to see several replicas take turns. */
  readonly requests: number;
  /**
   * Base URL of the ingress; default: the node IP on minikube, http://127.0.0.1 on kind (the CLI passes
   * the host port cluster:up published it on).
   */
  readonly url?: string;
}

/** Requests to every section through the ingress, tallying which replicas answered. */
export function smokeRunbook(provider: Provider, env: EnvironmentConfig, options: SmokeOptions): Runbook {
  const steps: Step[] = [];
  let base = options.url?.replace(/\/+$/, '');
  if (base === undefined && provider === 'minikube') {
    // On Linux the minikube node IP is reachable directly; with Docker Desktop run `minikube tunnel`
    // and pass --url http://127.0.0.1 instead.
    steps.push(commandStep(minikube('ip'), 'minikubeIp'));
    base = 'http://{minikubeIp}';
  }
  base ??= 'http://127.0.0.1';
  for (const section of SECTION_NAMES) {
    const path = env.sections[section].path;
    steps.push({
      type: 'requests',
      section,
      url: `${base}${path}`,
      count: options.requests,
      ...((env.ingress ?? env.gateway).host ? { host: (env.ingress ?? env.gateway).host } : {}),
    });
  }
  return { steps };
}
