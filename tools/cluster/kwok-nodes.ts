/**
 * The kwok cluster's fake nodes, labelled and sized like a cloud's: two per zone in three zones of one
 * region, each the shape of a 4 vCPU / 16 GiB instance with what a kubelet reserves taken off allocatable.
 * Enough room for production at every section's maxReplicas (26 pods, 5.8 CPU and 5 GiB requested) with a
 * node drained; the zones let the scheduler's topology spread be measured for real.
 */
import { stringify } from 'yaml';

export const REGION = 'eu-central-1';
export const ZONES = ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'] as const;
export const NODES_PER_ZONE = 2;
const INSTANCE_TYPE = 'm6i.xlarge';
const CAPACITY = { cpu: '4', memory: '16Gi', 'ephemeral-storage': '100Gi', pods: '58' };
const ALLOCATABLE = { cpu: '3920m', memory: '14Gi', 'ephemeral-storage': '90Gi', pods: '58' };

/** `kwok-<zone letter><n>`: kwok-a1, kwok-a2, kwok-b1, ... */
export function nodeNames(zones: readonly string[] = ZONES, perZone = NODES_PER_ZONE): string[] {
  return zones.flatMap((zone) => Array.from({ length: perZone }, (_, index) => `kwok-${zone.at(-1)}${index + 1}`));
}

/**
 * One fake Node. No status.addresses: kwok then serves the node's kubelet endpoints on loopback, where
 * metrics-server scrapes them at the path the annotation names (kwok does not serve the kubelet's default).
 */
export function fakeNode(name: string, zone: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        'kwok.x-k8s.io/node': 'fake',
        'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${name}/metrics/resource`,
      },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/region': REGION,
        'topology.kubernetes.io/zone': zone,
        'node.kubernetes.io/instance-type': INSTANCE_TYPE,
        type: 'kwok',
      },
    },
    spec: {},
    status: { capacity: CAPACITY, allocatable: ALLOCATABLE },
  };
}

/** The nodes as one YAML stream, zone by zone. */
export function nodesManifest(zones: readonly string[] = ZONES, perZone = NODES_PER_ZONE): string {
  const names = nodeNames(zones, perZone);
  const nodes = names.map((name, index) => fakeNode(name, zones[Math.floor(index / perZone)]!));
  return nodes.map((node) => stringify(node)).join('---\n');
}
