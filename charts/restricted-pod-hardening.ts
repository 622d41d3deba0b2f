/**
 * Every escape-hatch patch on the Deployment, in one place (the chart's only other patch drops the
 * namespace cdk8s stamps on the cluster-scoped Namespace).
 *
 * cdk8s-plus-27 cannot express these (they arrived in cdk8s-plus-28+ or never), so they are JSON patches
 * on the Deployment. Its L1 objects re-serialize AFTER patches with the Kubernetes 1.27 types: a key
 * 1.27 does not know is silently dropped and a quantity must be a `k8s.Quantity`, not a string. The
 * tests therefore check the synthesized YAML (test/manifests/), never the patch.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import type { Deployment } from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';

import type { NodeSpread, ResourceQuantities } from '../config/types.ts';

export interface PodHardeningOptions {
  /** Written verbatim: cdk8s-plus only takes whole Gi for ephemeral storage and rewrites the rest. */
  readonly requests: ResourceQuantities;
  readonly limits: ResourceQuantities;
  /** Labels that identify this workload's pods, used by the topology spread. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Over nodes: `required` keeps the skew at most 1 and needs `minNodes` nodes; zones are always preferred. */
  readonly spreadAcrossNodes: NodeSpread;
  /**
   * `required` only: the nodes a section needs (its minDomains). With fewer, the scheduler runs one pod per
   * node and leaves the rest Pending; without it, a one-node cluster is a single domain, whose skew is
   * always 0, and every replica would land on that node (kube-scheduler 1.37 did exactly that).
   */
  readonly minNodes: number;
}

const POD_SPEC = '/spec/template/spec';
const CONTAINER = `${POD_SPEC}/containers/0`;

/** Applies the Pod Security Standard "restricted" gaps, exact resources and the topology spread to `deployment`. */
export function hardenDeployment(deployment: Deployment, options: PodHardeningOptions): void {
  const apiObject = ApiObject.of(deployment);
  apiObject.addJsonPatch(
    // PSS restricted: seccomp must be RuntimeDefault or Localhost; cdk8s-plus-27 has no seccompProfile API.
    JsonPatch.add(`${POD_SPEC}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
    // PSS restricted: drop ALL. cdk8s-plus-27's Capability enum has no ALL and prefixes values with CAP_.
    JsonPatch.add(`${CONTAINER}/securityContext/capabilities`, { drop: ['ALL'] }),
    JsonPatch.replace(`${CONTAINER}/resources`, {
      requests: toQuantities(options.requests),
      limits: toQuantities(options.limits),
    }),
    // cdk8s-plus-27's `spread: true` is required anti-affinity (at most one replica per node, so the HPA
    // can never pass the node count). A topology spread with maxSkew 1 spreads evenly instead: over nodes
    // as the environment says (`preferred` for a one-node kind cluster), over zones when the cluster has
    // them (ScheduleAnyway: a single-zone cluster still schedules).
    JsonPatch.add(`${POD_SPEC}/topologySpreadConstraints`, [
      options.spreadAcrossNodes === 'required'
        ? { ...spreadOver('kubernetes.io/hostname', options.podLabels, 'DoNotSchedule'), minDomains: options.minNodes }
        : spreadOver('kubernetes.io/hostname', options.podLabels, 'ScheduleAnyway'),
      spreadOver('topology.kubernetes.io/zone', options.podLabels, 'ScheduleAnyway'),
    ]),
    // The construct-path label would tie pod labels to construct ids; selectors use app.kubernetes.io labels.
    JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
  );
}

function toQuantities(quantities: ResourceQuantities): Record<string, k8s.Quantity> {
  return {
    cpu: k8s.Quantity.fromString(quantities.cpu),
    memory: k8s.Quantity.fromString(quantities.memory),
    'ephemeral-storage': k8s.Quantity.fromString(quantities.ephemeralStorage),
  };
}

// matchLabelKeys pod-template-hash: during a rollout, spread the new ReplicaSet's pods among themselves;
// counting the old pods that are about to go would skew the new ones onto the same nodes.
function spreadOver(
  topologyKey: string,
  podLabels: Readonly<Record<string, string>>,
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
): k8s.TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: { ...podLabels } },
    matchLabelKeys: ['pod-template-hash'],
  };
}
