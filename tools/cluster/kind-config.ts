/**
 * The kind cluster config: tools/cluster/kind-config.yaml is the reviewed template; cluster:up writes
 * .cluster/kind-config.yaml from it with the chosen host ports (and, for Gateway API routing, the node
 * ports Envoy's NodePort Service uses) just before it creates the cluster, so that file always
 * describes the cluster that exists, and smoke reads the ingress port from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseDocument } from 'yaml';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { DEFAULT_HOST_PORTS, type HostPorts } from './host-ports.ts';

/** The reviewed template (repository path). */
export const KIND_CONFIG_TEMPLATE = 'tools/cluster/kind-config.yaml';
/** What `kind create cluster --config` reads (git-ignored, relative to the repository root). */
export const KIND_CONFIG = '.cluster/kind-config.yaml';

interface PortMapping {
  containerPort: number;
  hostPort: number;
}

/** The node's ports the host ports map to: where the cluster's entry point listens on the node. */
export interface NodePorts {
  readonly http: number;
  readonly https: number;
}
/** The Ingress controller binds hostPorts 80 and 443 on the node (the template's mappings). */
export const INGRESS_NODE_PORTS: NodePorts = { http: 80, https: 443 };
/**
 * Envoy Gateway's proxy Service is a NodePort Service pinned to these (tools/cluster/envoy-gateway.ts):
 * kind cannot map a port after the cluster exists, so a cluster made for one routing cannot serve the other.
 */
export const GATEWAY_NODE_PORTS: NodePorts = { http: 30080, https: 30443 };

function mappingsOf(doc: ReturnType<typeof parseDocument>, source: string): PortMapping[] {
  const mappings = doc.getIn(['nodes', 0, 'extraPortMappings']);
  const list = (mappings as { toJSON?: () => unknown } | undefined)?.toJSON?.();
  if (!Array.isArray(list)) throw new Error(`${source}: nodes[0].extraPortMappings is missing`);
  return list as PortMapping[];
}

function indexOfContainerPort(mappings: PortMapping[], containerPort: number, source: string): number {
  const index = mappings.findIndex((mapping) => mapping.containerPort === containerPort);
  if (index < 0) throw new Error(`${source}: no extraPortMappings entry for containerPort ${containerPort}`);
  return index;
}

/**
 * The template with its host ports replaced and, unless they are the template's 80/443, its node ports;
 * comments and everything else kept.
 */
export function kindConfigFor(
  ports: HostPorts,
  template = readFileSync(join(REPO_ROOT, KIND_CONFIG_TEMPLATE), 'utf8'),
  nodePorts: NodePorts = INGRESS_NODE_PORTS,
): string {
  const doc = parseDocument(template);
  const mappings = mappingsOf(doc, KIND_CONFIG_TEMPLATE);
  for (const [templatePort, nodePort, hostPort] of [
    [INGRESS_NODE_PORTS.http, nodePorts.http, ports.http],
    [INGRESS_NODE_PORTS.https, nodePorts.https, ports.https],
  ] as const) {
    const index = indexOfContainerPort(mappings, templatePort, KIND_CONFIG_TEMPLATE);
    doc.setIn(['nodes', 0, 'extraPortMappings', index, 'containerPort'], nodePort);
    doc.setIn(['nodes', 0, 'extraPortMappings', index, 'hostPort'], hostPort);
  }
  const nodes = nodePorts.http === INGRESS_NODE_PORTS.http ? '' : `, node ports ${nodePorts.http}, ${nodePorts.https}`;
  const header = `# Written by npm run cluster:up from ${KIND_CONFIG_TEMPLATE} (host ports ${ports.http}, ${ports.https}${nodes}); do not edit.\n`;
  return header + doc.toString();
}

/** The node ports a kind config publishes (an Ingress's or the Gateway's), and the host ports they map to. */
export function publishedPortsOf(config: string, source: string): { hostPorts: HostPorts; nodePorts: NodePorts } {
  const mappings = mappingsOf(parseDocument(config), source);
  const nodePorts = mappings.some((mapping) => mapping.containerPort === GATEWAY_NODE_PORTS.http) ? GATEWAY_NODE_PORTS : INGRESS_NODE_PORTS;
  const hostPort = (containerPort: number) => mappings[indexOfContainerPort(mappings, containerPort, source)]!.hostPort;
  return { hostPorts: { http: hostPort(nodePorts.http), https: hostPort(nodePorts.https) }, nodePorts };
}

/** The host ports a kind config publishes the cluster's entry point on. */
export function hostPortsOf(config: string, source: string): HostPorts {
  return publishedPortsOf(config, source).hostPorts;
}

/**
 * The host ports of the cluster cluster:up created, read from the config it wrote under `root`; the
 * defaults when there is none (a cluster made before cluster:up wrote it, or by hand).
 */
export function createdHostPorts(root: string): HostPorts {
  return createdPorts(root)?.hostPorts ?? DEFAULT_HOST_PORTS;
}

/** What the config cluster:up wrote under `root` publishes; undefined when there is none. */
export function createdPorts(root: string): ReturnType<typeof publishedPortsOf> | undefined {
  const path = join(root, KIND_CONFIG);
  return existsSync(path) ? publishedPortsOf(readFileSync(path, 'utf8'), KIND_CONFIG) : undefined;
}

/** The Kubernetes version of the pinned node image (`v1.37.0`), for minikube's --kubernetes-version. */
export function pinnedKubernetesVersion(image = pinnedNodeImage()): string {
  const version = /^kindest\/node:(v\d+\.\d+\.\d+)@/.exec(image)?.[1];
  if (!version) throw new Error(`${KIND_CONFIG_TEMPLATE}: the node image ${image} has no vX.Y.Z tag`);
  return version;
}

/** The node image the template pins (kindest/node:<version>@sha256:<digest>). */
export function pinnedNodeImage(template = readFileSync(join(REPO_ROOT, KIND_CONFIG_TEMPLATE), 'utf8')): string {
  const image = parseDocument(template).getIn(['nodes', 0, 'image']);
  if (typeof image !== 'string') throw new Error(`${KIND_CONFIG_TEMPLATE}: nodes[0].image is missing`);
  return image;
}
