/**
 * cluster:up and cluster:down for the kwok provider: the real control plane as host processes (kwokctl's
 * binary runtime over the programs of tools/control-plane), fake nodes over three zones, every CRD and
 * platform object the environments expect, and Envoy Gateway's controller. Runs with no container runtime.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { EnvironmentConfig } from '../../config/index.ts';
import { BIN_FOLDER, MANIFESTS_FOLDER } from '../control-plane/build-state.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { CLUSTER_NAME, kubectl } from './cluster.ts';
import { envoyGatewayFiles, startEnvoyGateway, stopEnvoyGateway } from './envoy-gateway-process.ts';
import { KWOK_WORKDIR, type KwokSettings, kwokctlConfiguration } from './kwok-cluster.ts';
import { NODES_PER_ZONE, nodesManifest, ZONES } from './kwok-nodes.ts';
import {
  platformGateways,
  platformManifest,
  platformObjects,
  selfSignedCertificateCommand,
  type TlsFiles,
  tlsSecretManifest,
} from './kwok-platform.ts';
import { commandStep, type Runbook, type Step } from './runbook.ts';

/** The GatewayClass of the stand-in platform Gateways (an existing Gateway names none of its own). */
export const PLATFORM_GATEWAY_CLASS = 'eg';
/** The vendored CRDs (crds/) a cluster needs beyond the ones copied from the Go modules. */
const PROMETHEUS_OPERATOR_CRDS = 'crds/prometheus-operator-v0.93.0';

export interface KwokOptions extends KwokSettings {
  /** KWOK_WORKDIR, absolute (kwokctl starts etcd with paths under it from another directory): default .cluster/kwok of this checkout. */
  readonly workdir?: string;
  /** The zones and nodes per zone (default: tools/cluster/kwok-nodes.ts's three zones, two nodes each). */
  readonly nodes?: { readonly zones: readonly string[]; readonly perZone: number };
  /**
   * Start Envoy Gateway's controller (and wait for the platform Gateways it programs).
   * @default true
   */
  readonly envoyGateway?: boolean;
}

// WARN: its INFO lines are JSON records on a non-terminal; the runbook already prints what runs.
const kwokctl = (...args: string[]) => [`${BIN_FOLDER}/kwokctl`, '--name', CLUSTER_NAME, '--v=WARN', ...args];

/** The kubeconfig kwokctl writes into the workdir: only this cluster, current context set (what Envoy Gateway reads). */
export function clusterKubeconfig(workdir: string): string {
  return join(workdir, 'clusters', CLUSTER_NAME, 'kubeconfig.yaml');
}

function kwokctlCommand(workdir: string, ...args: string[]): Step {
  // kwokctl calls the first kubectl on PATH (for /healthz and the metrics-server kustomization): the one built with it.
  return { type: 'command', cmd: { argv: kwokctl(...args), env: { KWOK_WORKDIR: workdir }, pathPrepend: BIN_FOLDER } };
}

/** Control plane built, cluster created (or restarted after a reboot), nodes Ready, CRDs established, platform objects, Envoy Gateway. */
export function kwokUpRunbook(environments: readonly EnvironmentConfig[], options: KwokOptions = {}): Runbook {
  const workdir = options.workdir ?? join(REPO_ROOT, KWOK_WORKDIR);
  const config = join(workdir, 'kwokctl.yaml');
  return {
    steps: [
      commandStep(['npm', 'run', '--silent', 'control-plane:build']),
      {
        type: 'write',
        path: config,
        content: kwokctlConfiguration(options),
        description: 'kwokctl configuration (programs from .control-plane/bin)',
      },
      kwokctlCommand(workdir, '--config', config, 'create', 'cluster', '--wait', '120s'),
      {
        type: 'probe',
        cmd: { argv: kubectl('kwok', 'get', '--raw', '/readyz') },
        expectation: 'must print ok (kwokctl create exits 0 even when its wait timed out)',
        verify: (stdout) =>
          stdout.trim() === 'ok'
            ? undefined
            : `the API server is not ready: ${stdout.trim()}; see ${workdir}/clusters/${CLUSTER_NAME}/logs/`,
      },
      ...nodeSteps(workdir, options.nodes),
      ...crdSteps(),
      ...platformSteps(workdir, environments),
      ...(options.envoyGateway === false ? [] : envoyGatewaySteps(workdir, environments)),
    ],
  };
}

function envoyGatewaySteps(workdir: string, environments: readonly EnvironmentConfig[]): Step[] {
  const programmed = (gateway: { namespace: string; name: string }) =>
    commandStep(
      kubectl('kwok', '--namespace', gateway.namespace, 'wait', '--for=condition=Programmed', `gateway/${gateway.name}`, '--timeout=60s'),
    );
  return [envoyGatewayStart(workdir), ...platformGateways(environments).map(programmed)];
}

function nodeSteps(workdir: string, nodes: KwokOptions['nodes']): Step[] {
  const file = join(workdir, 'nodes.yaml');
  const { zones, perZone } = nodes ?? { zones: ZONES, perZone: NODES_PER_ZONE };
  return [
    {
      type: 'write',
      path: file,
      content: nodesManifest(zones, perZone),
      description: `fake nodes, ${perZone} in each of ${zones.length} zone(s) (tools/cluster/kwok-nodes.ts)`,
    },
    commandStep(kubectl('kwok', 'apply', '--server-side', '--filename', file)),
    commandStep(kubectl('kwok', 'wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=60s')),
    // kwokctl does not wait for metrics-server, which exits at start on bad flags: without it the HPA never scales.
    // 180 s, not 60: the APIService turns Available only after metrics-server's first scrape, which took over 60 s once
    // while other test clusters loaded both cores (a wait that succeeds returns at once).
    commandStep(kubectl('kwok', 'wait', '--for=condition=Available', 'apiservice/v1beta1.metrics.k8s.io', '--timeout=180s')),
  ];
}

function crdSteps(): Step[] {
  const folders = [`${MANIFESTS_FOLDER}/gateway-api-crds`, `${MANIFESTS_FOLDER}/envoy-gateway-crds`, PROMETHEUS_OPERATOR_CRDS];
  return [
    // Server-side: Envoy Gateway's CRDs are too large for a client-side apply's last-applied annotation.
    commandStep(kubectl('kwok', 'apply', '--server-side', ...folders.flatMap((folder) => ['--filename', folder]))),
    commandStep(kubectl('kwok', 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s')),
  ];
}

function platformSteps(workdir: string, environments: readonly EnvironmentConfig[]): Step[] {
  const file = join(workdir, 'platform.yaml');
  const objects = platformObjects(environments, PLATFORM_GATEWAY_CLASS);
  // kubectl refuses an apply of nothing: a cluster for no environment (a schema test's) has no platform.
  if (objects.length === 0) return [];
  return [
    {
      type: 'write',
      path: file,
      content: platformManifest(objects),
      description: 'what the environments expect to find (tools/cluster/kwok-platform.ts)',
    },
    commandStep(kubectl('kwok', 'apply', '--server-side', '--filename', file)),
    ...environments.flatMap((environment) => certificateSteps(workdir, environment)),
  ];
}

/** A self-signed certificate for an existing Gateway's HTTPS listener, as the Secret its listener names. */
function certificateSteps(workdir: string, environment: EnvironmentConfig): Step[] {
  const gateway = environment.gateway?.existingGateway;
  if (gateway === undefined) return [];
  const base = join(workdir, `${gateway.namespace}-${gateway.name}`);
  const files: TlsFiles = { certificate: `${base}.crt`, key: `${base}.key` };
  const secret = `${base}-secret.yaml`;
  return [
    commandStep(selfSignedCertificateCommand(files, environment.gateway?.host ?? 'localhost')),
    {
      type: 'write',
      path: secret,
      content: (context) =>
        tlsSecretManifest({ certificate: resolve(context.cwd, files.certificate), key: resolve(context.cwd, files.key) }, gateway),
      description: `the certificate as the Secret of ${gateway.namespace}/${gateway.name}'s listener`,
    },
    commandStep(kubectl('kwok', 'apply', '--server-side', '--filename', secret)),
  ];
}

function envoyGatewayStart(workdir: string): Step {
  const files = envoyGatewayFiles(workdir);
  return {
    type: 'task',
    description: `start Envoy Gateway's controller in the background unless it runs (pid ${files.pid}, log ${files.log})`,
    run: async (context) => {
      const kubeconfig = resolve(context.cwd, clusterKubeconfig(workdir));
      await startEnvoyGateway(envoyGatewayFiles(resolve(context.cwd, workdir)), { kubeconfig, log: context.log });
    },
  };
}

/** Stops Envoy Gateway, then deletes the cluster (kwokctl kills its processes, removes its context and its folder). */
export function kwokDownRunbook(options: KwokOptions = {}): Runbook {
  const workdir = options.workdir ?? join(REPO_ROOT, KWOK_WORKDIR);
  const files = envoyGatewayFiles(workdir);
  return {
    steps: [
      {
        type: 'task',
        description: `stop Envoy Gateway's controller if it runs (pid ${files.pid})`,
        run: (context) => stopEnvoyGateway(envoyGatewayFiles(resolve(context.cwd, workdir)), context.log),
      },
      kwokctlCommand(workdir, 'delete', 'cluster'),
      {
        type: 'task',
        description: `remove ${workdir} (the configuration, nodes, certificates and logs cluster:up wrote)`,
        run: async (context) => rmSync(resolve(context.cwd, workdir), { recursive: true, force: true }),
      },
    ],
  };
}
