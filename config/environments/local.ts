import type { EnvironmentConfig, ResourceQuantities } from '../types.ts';
import { production } from './production.ts';

// Sized for a laptop kind/minikube cluster on one node: three sections x 2 replicas must fit next to
// the ingress controller and metrics-server. Image tags match package.json's version (a test pins it).
// Memory: production's, by the same rule (its V8 heap is capped at half the limit): docs/benchmarks.md, section 5.
// CPU: 50m keeps the HPA easy to watch on a laptop: a small share of one replica's rate reaches 70% of it
// (docs/benchmarks.md, section 6).
const requests: ResourceQuantities = { cpu: '50m', memory: '128Mi', ephemeralStorage: '64Mi' };
const limits: ResourceQuantities = { cpu: '500m', memory: '256Mi', ephemeralStorage: '128Mi' };

export const local: EnvironmentConfig = {
  name: 'local',
  namespace: 'sweetshop',
  imagePullPolicy: 'IfNotPresent',
  logLevel: 'info',
  // As production: a quote is a few hundred bytes (its reasons are there).
  maxRequestBodyBytes: production.maxRequestBodyBytes,
  v8SemiSpaceMiB: production.v8SemiSpaceMiB,
  mallocArenaMax: production.mallocArenaMax,
  // F5's NGINX Ingress Controller, which `npm run cluster:up` installs (tools/cluster/f5-nginx-ingress.yaml):
  // maintained, and nginx like local mode, so least_conn here is the same nginx method there. Least connections,
  // not round robin: a replica at its CPU limit sits out the rest of its CFS period, and round robin keeps handing
  // it its share while the others run dry (docs/benchmarks.md, section 4, "each held to").
  ingress: {
    controller: 'f5-nginx-ingress',
    className: 'nginx',
    controllerNamespace: 'nginx-ingress',
    loadBalancing: 'least-connections',
  },
  // One node: a drain takes every replica with it whatever the floor, so a section may run just one.
  availability: { minReplicasFloor: 1, spreadAcrossNodes: 'preferred' },
  // Production's HPA behaviour (its reasons are there), so what you watch on kind/minikube is what production
  // does: scale up by the larger of +4 pods or +100% per 15 s; scale down 5 minutes after the load drops, by at
  // most 25% of the replicas (at least one pod) per minute.
  hpaBehavior: production.hpaBehavior,
  // One node, one zone: no trafficDistribution. Resizes as in production (the reasons are there).
  inPlaceResize: production.inPlaceResize,
  // A bare kind/minikube cluster has no prometheus-operator CRDs: a PodMonitor would fail `kubectl apply -f dist/`.
  monitoring: { enabled: false },
  sections: {
    chocolates: {
      image: { repository: 'sweetshop/chocolates', tag: '0.1.0' },
      minReplicas: 2,
      maxReplicas: 4,
      cpuTargetPercent: 70,
      requests,
      limits,
      path: '/chocolates',
    },
    candies: {
      image: { repository: 'sweetshop/candies', tag: '0.1.0' },
      minReplicas: 2,
      maxReplicas: 4,
      cpuTargetPercent: 70,
      requests,
      limits,
      path: '/candies',
    },
    cakes: {
      image: { repository: 'sweetshop/cakes', tag: '0.1.0' },
      minReplicas: 2,
      maxReplicas: 4,
      cpuTargetPercent: 70,
      requests,
      limits,
      path: '/cakes',
    },
  },
};
