/**
 * What the environments expect a cluster to have before they deploy, read from their data (never from
 * their names), so that `cluster:up --provider kwok` makes every environment deployable with `--yes`:
 * the namespace each routing controller runs in, each GatewayClass a rendered Gateway names, each existing
 * Gateway an HTTPRoute attaches to (a stand-in for the platform team's, with an HTTPS listener of the
 * expected name and a self-signed certificate), and each monitoring namespace.
 */
import { readFileSync } from 'node:fs';

import { stringify } from 'yaml';

import type { EnvironmentConfig } from '../../config/index.ts';
import { ENVOY_GATEWAY_CONTROLLER_NAME } from './envoy-gateway.ts';

type KubernetesObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;

/** A platform Gateway's TLS certificate: the Secret name and the files `openssl` writes before the Secret is made. */
export interface TlsFiles {
  readonly certificate: string;
  readonly key: string;
}

function namespace(name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function gatewayClass(name: string): KubernetesObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name },
    spec: { controllerName: ENVOY_GATEWAY_CONTROLLER_NAME },
  };
}

/** The Secret name of an existing Gateway's certificate. */
export function tlsSecretName(gatewayName: string): string {
  return `${gatewayName}-tls`;
}

/** A stand-in for a platform Gateway: one HTTPS listener named as the environment's sectionName, admitting routes from every namespace. */
function platformGateway(environment: EnvironmentConfig, className: string): KubernetesObject[] {
  const existing = environment.gateway?.existingGateway;
  if (existing === undefined) return [];
  const host = environment.gateway?.host;
  return [
    namespace(existing.namespace),
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: existing.name, namespace: existing.namespace },
      spec: {
        gatewayClassName: className,
        listeners: [
          {
            name: existing.sectionName,
            protocol: 'HTTPS',
            port: 443,
            ...(host === undefined ? {} : { hostname: host }),
            tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: tlsSecretName(existing.name) }] },
            allowedRoutes: { namespaces: { from: 'All' } },
          },
        ],
      },
    },
  ];
}

/** Every prerequisite of `environments`, each object once, namespaces first. */
export function platformObjects(environments: readonly EnvironmentConfig[], platformClassName: string): KubernetesObject[] {
  const objects = environments.flatMap((environment) => [
    ...(environment.gateway ? [namespace(environment.gateway.controllerNamespace)] : []),
    ...(environment.gateway?.className ? [gatewayClass(environment.gateway.className)] : []),
    ...(environment.gateway?.existingGateway ? [gatewayClass(platformClassName)] : []),
    ...platformGateway(environment, platformClassName),
    ...(environment.monitoring.enabled ? [namespace(environment.monitoring.namespace)] : []),
  ]);
  const key = (object: KubernetesObject) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
  const unique = [...new Map(objects.map((object) => [key(object), object])).values()];
  return unique.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
}

/** The Gateways among the prerequisites (`namespace/name`), which cluster:up waits for. */
export function platformGateways(environments: readonly EnvironmentConfig[]): { namespace: string; name: string }[] {
  return environments.flatMap((environment) => (environment.gateway?.existingGateway ? [environment.gateway.existingGateway] : []));
}

/** The objects as one YAML stream. */
export function platformManifest(objects: readonly KubernetesObject[]): string {
  return objects.map((object) => stringify(object)).join('---\n');
}

/** `openssl req` for a self-signed certificate of `host` (a stand-in: nothing can connect to a kwok Gateway). */
export function selfSignedCertificateCommand(files: TlsFiles, host: string): string[] {
  return [
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '365',
    '-subj',
    `/CN=${host}`,
    '-addext',
    `subjectAltName=DNS:${host}`,
    '-keyout',
    files.key,
    '-out',
    files.certificate,
  ];
}

/** The kubernetes.io/tls Secret holding the certificate files, in the Gateway's namespace. */
export function tlsSecretManifest(files: TlsFiles, gateway: { namespace: string; name: string }): string {
  const encoded = (path: string) => readFileSync(path).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: tlsSecretName(gateway.name), namespace: gateway.namespace },
    data: { 'tls.crt': encoded(files.certificate), 'tls.key': encoded(files.key) },
  });
}
