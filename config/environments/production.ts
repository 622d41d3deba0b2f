import type { EnvironmentConfig } from '../types.ts';

// Production routes through Gateway API: an HTTPRoute on the platform's shared Gateway (replace
// gateway-infra/public with yours; its listener must admit routes from this namespace and match the host),
// served by Envoy Gateway, whose proxies run in envoy-gateway-system and balance on requests in flight.
// It used an Ingress for HAProxy Ingress (least-connections) before: docs/manifests.md has the migration.
export const production: EnvironmentConfig = {
  name: 'production',
  namespace: 'sweetshop',
  imagePullPolicy: 'IfNotPresent',
  logLevel: 'info',
  // A quote is a few hundred bytes; 16 KiB leaves room for a long order and keeps what a replica holds per
  // request small (body-parser holds the whole body; 100 requests in flight: 1.6 MiB).
  maxRequestBodyBytes: 16 * 1024,
  // 2 MiB semi-spaces instead of V8's own up to 16: a replica's peak RSS under load falls by a third at the
  // same req/s (docs/benchmarks.md, section 5, measures each size side by side).
  v8SemiSpaceMiB: 2,
  // glibc keeps freed malloc memory resident in up to 8 arenas per core; two trim a replica's peak RSS at about
  // the same req/s (docs/benchmarks.md, section 5, measures both).
  mallocArenaMax: 2,
  gateway: {
    controller: 'envoy-gateway',
    existingGateway: { namespace: 'gateway-infra', name: 'public', sectionName: 'https' },
    controllerNamespace: 'envoy-gateway-system',
    host: 'shop.example.com',
    loadBalancing: 'least-request',
  },
  // Every section keeps a replica serving while the PodDisruptionBudget lets a node drain evict another,
  // and its replicas run on different nodes, so a node failure does not take a section down either.
  availability: { minReplicasFloor: 2, spreadAcrossNodes: 'required' },
  // HPA behaviour, stated so review sees it. cdk8s-plus-27's default scale-down reused minReplicas as a pod
  // count (2-3 pods per 5 minutes after a 5-minute window): a rate nobody chose, and slower the larger a section.
  // Up: fast. No window; the larger of +4 pods or +100% per 15 s (one HPA sync): a burst needs pods now.
  // Down: slow and proportional. Only once every recommendation of the last 5 minutes is lower (the lulls
  // between bursts keep their capacity), then at most 25% of the replicas per minute, which the HPA rounds to
  // at least one pod: 12 replicas reach 3 in four steps a minute apart, and returning load finds 75% still up.
  hpaBehavior: {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
      // Act once CPU is 5% over the target, not at the cluster's default 10%: a rising load gets pods a sync sooner.
      tolerance: 0.05,
    },
    scaleDown: {
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }],
      // Only shed replicas once CPU is 15% under the target: small dips keep their capacity.
      tolerance: 0.15,
    },
  },
  // Three zones: a replica's callers (the Gateway's proxies) use the endpoints of their own zone while it
  // has ready ones, which saves cross-zone traffic; the spread rules keep every zone supplied.
  trafficDistribution: 'PreferSameZone',
  // CPU resizes apply live (the service needs no restart for more CPU); memory restarts the container,
  // because V8's heap limit (NODE_OPTIONS, half the memory limit) is fixed when the process starts.
  inPlaceResize: { cpu: 'NotRequired', memory: 'RestartContainer' },
  // kube-prometheus-stack installed as Helm release `kube-prometheus-stack` in `monitoring` (its defaults: the
  // Prometheus selects PodMonitors labelled `release: <release>` in every namespace, scrapes every 30s, and
  // Grafana's sidecar loads ConfigMaps labelled `grafana_dashboard: "1"` from every namespace).
  monitoring: {
    enabled: true,
    namespace: 'monitoring',
    scrapeInterval: '30s',
    podMonitorLabels: { release: 'kube-prometheus-stack' },
    prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
    dashboardLabels: { grafana_dashboard: '1' },
  },
  // Memory per replica, every section alike (one service): npm run capacity's rule, the highest RSS under load
  // x 1.25 rounded up to 16Mi requested, twice that as the limit (docs/benchmarks.md, section 5, with the
  // young generation above).
  sections: {
    chocolates: {
      image: { repository: 'registry.example.com/sweetshop/chocolates', tag: '0.1.0' },
      minReplicas: 3,
      maxReplicas: 12,
      cpuTargetPercent: 65,
      requests: { cpu: '250m', memory: '128Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '256Mi', ephemeralStorage: '256Mi' },
      path: '/chocolates',
    },
    candies: {
      image: { repository: 'registry.example.com/sweetshop/candies', tag: '0.1.0' },
      minReplicas: 2,
      maxReplicas: 8,
      cpuTargetPercent: 65,
      requests: { cpu: '200m', memory: '128Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '256Mi', ephemeralStorage: '256Mi' },
      path: '/candies',
    },
    cakes: {
      image: { repository: 'registry.example.com/sweetshop/cakes', tag: '0.1.0' },
      minReplicas: 2,
      maxReplicas: 6,
      cpuTargetPercent: 65,
      requests: { cpu: '200m', memory: '128Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '256Mi', ephemeralStorage: '256Mi' },
      path: '/cakes',
    },
  },
};
