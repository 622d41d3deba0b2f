import type { EnvironmentConfig } from './types.ts';

// Production runs behind HAProxy Ingress so least-connections is real (ingress-nginx dropped least_conn).
// Install it in `ingress-controller` WITHOUT the getting-started guide's `controller.hostNetwork: true`:
// host-network traffic comes from node IPs and the sections' NetworkPolicies would drop all of it.
export const production: EnvironmentConfig = {
  name: 'production',
  namespace: 'sweetshop',
  imagePullPolicy: 'IfNotPresent',
  logLevel: 'info',
  ingress: {
    controller: 'haproxy-ingress',
    className: 'haproxy',
    controllerNamespace: 'ingress-controller',
    host: 'shop.example.com',
    loadBalancing: 'least-connections',
  },
  // Every section keeps a replica serving while the PodDisruptionBudget lets a node drain evict another.
  availability: { minReplicasFloor: 2 },
  // kube-prometheus-stack installed as Helm release `kube-prometheus-stack` in `monitoring` (its defaults: the
  // Prometheus selects PodMonitors labelled `release: <release>` in every namespace, scrapes every 30s, and
  // Grafana's sidecar loads ConfigMaps labelled `grafana_dashboard: "1"` from every namespace).
  monitoring: {
    enabled: true,
    namespace: 'monitoring',
    scrapeInterval: '30s',
    podMonitorLabels: { release: 'kube-prometheus-stack' },
    dashboardLabels: { grafana_dashboard: '1' },
  },
  sections: {
    chocolates: {
      image: { repository: 'registry.example.com/sweetshop/chocolates', tag: '0.1.0' },
      minReplicas: 3,
      maxReplicas: 12,
      cpuTargetPercent: 65,
      requests: { cpu: '250m', memory: '192Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '384Mi', ephemeralStorage: '256Mi' },
      path: '/chocolates',
    },
    candies: {
      image: { repository: 'registry.example.com/sweetshop/candies', tag: '0.1.0' },
      minReplicas: 2,
      maxReplicas: 8,
      cpuTargetPercent: 65,
      requests: { cpu: '200m', memory: '160Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '320Mi', ephemeralStorage: '256Mi' },
      path: '/candies',
    },
    cakes: {
      image: { repository: 'registry.example.com/sweetshop/cakes', tag: '0.1.0' },
      minReplicas: 2,
      maxReplicas: 6,
      cpuTargetPercent: 65,
      requests: { cpu: '200m', memory: '160Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '320Mi', ephemeralStorage: '256Mi' },
      path: '/cakes',
    },
  },
};
