/**
 * The real Kubernetes programs the kwok provider and the control-plane tests run, built from their Go
 * modules (no release binary can be downloaded here). This file is the one place their versions are chosen;
 * each wrapper module's go.mod under ./go/ requires exactly these (test/control-plane/programs.test.ts).
 *
 * Where each pin comes from:
 * - Kubernetes v1.37.2: the newest patch of the current minor (1.37, released 2026-08-26) served by the Go
 *   module proxy. Its staging modules (k8s.io/api, client-go, ...) are v0.37.2.
 * - etcd v3.6.16: Kubernetes 1.34-1.37 expect etcd 3.6 (kubeadm's SupportedEtcdVersion); Debian's 3.4 is end of life.
 * - kwok v0.8.0 (2026-06-23): the newest release; its kwokctl drives the other programs (`--runtime binary`).
 * - metrics-server v0.8.0: the newest approved release served (v0.9.0 is served but not an approved release).
 * - Envoy Gateway v1.9.1 (2026-08-28): the newest release of the controller the Gateway API environments name.
 */

/** How `go build` is told a program's version, where the program reports it (`--version`). */
export interface VersionStamp {
  /** The Go variables set with `-ldflags -X`, by fully qualified name. */
  readonly variables: Readonly<Record<string, string>>;
}

/** One wrapper module (tools/control-plane/go/<name>): a go.mod that requires the upstream module and names its programs as tools. */
export interface GoModule {
  /** Folder under tools/control-plane/go/. */
  readonly name: string;
  /** The upstream module and the version its go.mod requires. */
  readonly upstream: { readonly path: string; readonly version: string };
  /** Executable name in .control-plane/bin -> Go package path. */
  readonly programs: Readonly<Record<string, string>>;
  /** Build tags, as upstream's release build sets them. */
  readonly tags: readonly string[];
  readonly stamp: VersionStamp;
  /**
   * Folders copied to .control-plane/manifests/<name> after the build: manifests the cluster would otherwise
   * download, taken from a module of this module's build list (pinned by its go.sum like the code).
   */
  readonly manifests?: Readonly<Record<string, { readonly module: string; readonly folder: string }>>;
}

export const KUBERNETES_VERSION = 'v1.37.2';
const KUBERNETES_RELEASE_DATE = '2026-10-27T12:01:04Z';
const COMPONENT_BASE_VERSION = 'k8s.io/component-base/version';

/**
 * The modules, in build order (the API server first: the tests that need nothing else can start soonest).
 * Kubernetes is built as upstream's hack/lib/golang.sh does (tags selinux,notest,grpcnotrace; the version
 * stamped, which kwokctl reads from `kube-apiserver --version` to choose its flags).
 */
export const GO_MODULES: readonly GoModule[] = [
  {
    name: 'kubernetes',
    upstream: { path: 'k8s.io/kubernetes', version: KUBERNETES_VERSION },
    programs: {
      'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
      'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
      'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
      kubectl: 'k8s.io/kubernetes/cmd/kubectl',
    },
    tags: ['selinux', 'notest', 'grpcnotrace'],
    stamp: {
      variables: {
        [`${COMPONENT_BASE_VERSION}.gitVersion`]: KUBERNETES_VERSION,
        [`${COMPONENT_BASE_VERSION}.gitMajor`]: '1',
        [`${COMPONENT_BASE_VERSION}.gitMinor`]: '37',
        [`${COMPONENT_BASE_VERSION}.gitTreeState`]: 'clean',
        [`${COMPONENT_BASE_VERSION}.buildDate`]: KUBERNETES_RELEASE_DATE,
      },
    },
  },
  {
    name: 'etcd',
    upstream: { path: 'go.etcd.io/etcd/server/v3', version: 'v3.6.16' },
    programs: { etcd: 'go.etcd.io/etcd/server/v3' },
    tags: [],
    // etcd's version is a constant of its api module; nothing to stamp.
    stamp: { variables: {} },
  },
  {
    name: 'kwok',
    upstream: { path: 'sigs.k8s.io/kwok', version: 'v0.8.0' },
    programs: { kwok: 'sigs.k8s.io/kwok/cmd/kwok', kwokctl: 'sigs.k8s.io/kwok/cmd/kwokctl' },
    tags: [],
    // As kwok's hack/releases.sh: the Kubernetes version kwokctl assumes where it is not told one.
    stamp: { variables: { 'sigs.k8s.io/kwok/pkg/consts.Version': '0.8.0', 'sigs.k8s.io/kwok/pkg/consts.KubeVersion': '1.37.2' } },
  },
  {
    name: 'metrics-server',
    upstream: { path: 'sigs.k8s.io/metrics-server', version: 'v0.8.0' },
    programs: { 'metrics-server': 'sigs.k8s.io/metrics-server/cmd/metrics-server' },
    tags: [],
    stamp: { variables: { 'k8s.io/client-go/pkg/version.gitVersion': 'v0.8.0' } },
    // kwokctl keeps the APIService and Service of this kustomization (it runs metrics-server as a process).
    manifests: { 'metrics-server': { module: 'sigs.k8s.io/metrics-server', folder: 'manifests/base' } },
  },
  {
    name: 'envoy-gateway',
    upstream: { path: 'github.com/envoyproxy/gateway', version: 'v1.9.1' },
    programs: { 'envoy-gateway': 'github.com/envoyproxy/gateway/cmd/envoy-gateway' },
    tags: [],
    stamp: { variables: { 'github.com/envoyproxy/gateway/internal/cmd/version.envoyGatewayVersion': 'v1.9.1' } },
    // The CRDs a cluster needs for it: Gateway API's standard channel at the version Envoy Gateway is built
    // against (the experimental channel its Helm chart bundles is not what production runs), and its own.
    manifests: {
      'gateway-api-crds': { module: 'sigs.k8s.io/gateway-api', folder: 'config/crd/standard' },
      'envoy-gateway-crds': { module: 'github.com/envoyproxy/gateway', folder: 'charts/gateway-helm/charts/crds/crds/generated' },
    },
  },
];

/** Every executable the modules build, by name. */
export const PROGRAM_NAMES: readonly string[] = GO_MODULES.flatMap((module) => Object.keys(module.programs));
