/**
 * The kwok provider's cluster: the real control plane built from source (tools/control-plane), started by
 * kwokctl's `binary` runtime as host processes, with fake nodes that kwok keeps Ready and whose pods it
 * marks Running and Ready without running anything. What runs for real: etcd, kube-apiserver (admission,
 * CEL, server-side apply), kube-controller-manager (ReplicaSets, endpoints, HPA, disruption),
 * kube-scheduler and metrics-server (fed by kwok's simulated usage). What does not: containers, networking.
 */
import { stringify } from 'yaml';

import { BIN_FOLDER, MANIFESTS_FOLDER } from '../control-plane/build-state.ts';
import { ephemeralPort } from '../lib/process/ports.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';

/** KWOK_WORKDIR of the provider's cluster (git-ignored): its certificates, etcd data, logs and pid files. */
export const KWOK_WORKDIR = '.cluster/kwok';

/** Components whose flags a cluster may add to (kwokctl's component names). */
export type KwokComponent = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok-controller' | 'metrics-server' | 'etcd';

/** The ports kwokctl would otherwise pick by counting down from 32766 (the same ports in two workdirs). */
export interface KwokPorts {
  readonly kubeApiserverPort: number;
  readonly etcdPort: number;
  readonly etcdPeerPort: number;
  readonly kwokControllerPort: number;
  readonly kubeControllerManagerPort: number;
  readonly kubeSchedulerPort: number;
  readonly metricsServerPort: number;
}

/** A free loopback port for each listener, so a second cluster (a test's, the bench's) can run beside another. */
export async function freeKwokPorts(): Promise<KwokPorts> {
  const names = [
    'kubeApiserverPort',
    'etcdPort',
    'etcdPeerPort',
    'kwokControllerPort',
    'kubeControllerManagerPort',
    'kubeSchedulerPort',
    'metricsServerPort',
  ];
  const ports: Record<string, number> = {};
  for (const name of names) ports[name] = await ephemeralPort();
  return ports as unknown as KwokPorts;
}

export interface KwokSettings {
  /**
   * Extra flags per component, e.g. a short HPA sync period for tests: appended after kwokctl's own, so for
   * a single-value flag the last one wins (kwokctl's `override: true` replaces only flags it sets itself and
   * drops any other with a log line: pkg/kwokctl/runtime/util.go, applyComponentArgsOverride).
   */
  readonly componentArgs?: Partial<Record<KwokComponent, Readonly<Record<string, string>>>>;
  /** Fixed ports; kwokctl's own choice when left out. */
  readonly ports?: KwokPorts;
  /** The checkout whose programs and manifests the cluster runs (default: this one); kwokctl links to them by absolute path. */
  readonly root?: string;
}

/**
 * The KwokctlConfiguration `kwokctl create cluster --config` reads: every program from .control-plane/bin
 * (nothing downloaded), every listener on loopback (kwokctl's default is 0.0.0.0, etcd unauthenticated),
 * metrics-server with kwok's usage CRDs served by the API server, so usage can be changed while it runs.
 */
export function kwokctlConfiguration(settings: KwokSettings = {}): string {
  const root = settings.root ?? REPO_ROOT;
  const bin = (name: string) => `${root}/${BIN_FOLDER}/${name}`;
  const options = {
    runtime: 'binary',
    bindAddress: '127.0.0.1',
    kubeApiserverBinary: bin('kube-apiserver'),
    kubeControllerManagerBinary: bin('kube-controller-manager'),
    kubeSchedulerBinary: bin('kube-scheduler'),
    kubectlBinary: bin('kubectl'),
    etcdBinary: bin('etcd'),
    kwokControllerBinary: bin('kwok'),
    metricsServerBinary: bin('metrics-server'),
    metricsServerManifests: [`${root}/${MANIFESTS_FOLDER}/metrics-server`],
    enable: ['metrics-server'],
    enableCRDs: ['ClusterResourceUsage', 'ResourceUsage'],
    // kwok's default marks a silent node NotReady only after 3m20s; 1 makes it the kubelet's 40 s.
    heartbeatFactor: 1,
    ...settings.ports,
  };
  const componentsPatches = Object.entries(settings.componentArgs ?? {}).map(([name, args]) => ({
    name,
    extraArgs: Object.entries(args ?? {}).map(([key, value]) => ({ key, value, override: false })),
  }));
  const configuration = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options,
    ...(componentsPatches.length > 0 ? { componentsPatches } : {}),
  };
  return `# Written by npm run cluster:up -- --provider kwok (tools/cluster/kwok-cluster.ts); do not edit.\n${stringify(configuration)}`;
}
