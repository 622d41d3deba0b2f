import type { EnvironmentConfig } from './types.ts';

// Production routes through Gateway API: an HTTPRoute on the platform's shared Gateway (replace
// gateway-infra/public with yours; its listener must admit routes from this namespace and match the host),
// served by Envoy Gateway, whose proxies run in envoy-gateway-system and balance on requests in flight.
// It used an Ingress for HAProxy Ingress (least-connections) before: docs/manifests.md has the migration.
export const production: EnvironmentConfig = {
  name: 'production',
  namespace: 'sweetshop',
  imagePullPolicy: 'IfNotPresent',
  logLevel: 'info',
  gateway: {
    controller: 'envoy-gateway',
    existingGateway: { namespace: 'gateway-infra', name: 'public' },
    controllerNamespace: 'envoy-gateway-system',
    host: 'shop.example.com',
    loadBalancing: 'least-request',
  },
  // Every section keeps a replica serving while the PodDisruptionBudget lets a node drain evict another.
  availability: { minReplicasFloor: 2 },
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
