/**
 * The kind cluster config: tools/cluster/kind-config.yaml is the reviewed template; cluster:up writes
 * .cluster/kind-config.yaml from it with the chosen host ports just before it creates the cluster, so
 * that file always describes the cluster that exists, and smoke reads the ingress port from it.
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

/** The template with its host ports replaced; comments and everything else kept. */
export function kindConfigFor(ports: HostPorts, template = readFileSync(join(REPO_ROOT, KIND_CONFIG_TEMPLATE), 'utf8')): string {
  const doc = parseDocument(template);
  const mappings = mappingsOf(doc, KIND_CONFIG_TEMPLATE);
  for (const [containerPort, hostPort] of [
    [80, ports.http],
    [443, ports.https],
  ] as const) {
    doc.setIn(['nodes', 0, 'extraPortMappings', indexOfContainerPort(mappings, containerPort, KIND_CONFIG_TEMPLATE), 'hostPort'], hostPort);
  }
  const header = `# Written by npm run cluster:up from ${KIND_CONFIG_TEMPLATE} (host ports ${ports.http}, ${ports.https}); do not edit.\n`;
  return header + doc.toString();
}

/** The host ports a kind config publishes the node's 80 and 443 on. */
export function hostPortsOf(config: string, source: string): HostPorts {
  const mappings = mappingsOf(parseDocument(config), source);
  const hostPort = (containerPort: number) => mappings[indexOfContainerPort(mappings, containerPort, source)]!.hostPort;
  return { http: hostPort(80), https: hostPort(443) };
}

/**
 * The host ports of the cluster cluster:up created, read from the config it wrote under `root`; the
 * defaults when there is none (a cluster made before cluster:up wrote it, or by hand).
 */
export function createdHostPorts(root: string): HostPorts {
  const path = join(root, KIND_CONFIG);
  return existsSync(path) ? hostPortsOf(readFileSync(path, 'utf8'), KIND_CONFIG) : DEFAULT_HOST_PORTS;
}

/** The node image the template pins (kindest/node:<version>@sha256:<digest>). */
export function pinnedNodeImage(template = readFileSync(join(REPO_ROOT, KIND_CONFIG_TEMPLATE), 'utf8')): string {
  const image = parseDocument(template).getIn(['nodes', 0, 'image']);
  if (typeof image !== 'string') throw new Error(`${KIND_CONFIG_TEMPLATE}: nodes[0].image is missing`);
  return image;
}
