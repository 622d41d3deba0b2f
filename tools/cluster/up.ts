import type { EnvironmentConfig } from '../../config/index.ts';
import { CLUSTER_NAME, kind, kubectl, minikube, type Provider, rolloutStatus } from './cluster.ts';
import {
  ENVOY_GATEWAY_DEPLOYMENT,
  ENVOY_GATEWAY_MANIFEST,
  ENVOY_GATEWAY_NAMESPACE,
  GATEWAY_CLASS_FILE,
  gatewayClassManifest,
} from './envoy-gateway.ts';
import {
  assertPortsFree,
  assertRootlessCanPublish,
  DEFAULT_HOST_PORTS,
  type HostPorts,
  LISTEN_ADDRESS,
  unprivilegedPortStart,
} from './host-ports.ts';
import { installIngressController, waitForIngressController } from './ingress-controllers.ts';
import {
  createdPorts,
  INGRESS_NODE_PORTS,
  KIND_CONFIG,
  KIND_CONFIG_TEMPLATE,
  kindConfigFor,
  type NodePorts,
  pinnedKubernetesVersion,
  pinnedNodeImage,
} from './kind-config.ts';
import { inspectKindRuntime, type RuntimeState, runtimeFromEnv } from './kind-runtime.ts';
import { kindVersionProblem, MIN_KIND_VERSION } from './kind-version.ts';
import { monitoringSteps } from './monitoring.ts';
import { type ClusterRouting, clusterRoutingOf, describeRouting } from './routing.ts';
import { type CheckStep, commandStep, type Runbook, type Step, type StepContext, type WriteStep } from './runbook.ts';

// Pinned, so every `cluster:up` installs the same controllers (the Ingress ones: ingress-controllers.ts).
export const METRICS_SERVER_MANIFEST = 'https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.1/components.yaml';

// kind's kubelets serve self-signed certificates; without this flag metrics-server never scrapes them
// and every HPA stays at <unknown>. metrics-server's manifest has one container, whose args lack it.
const INSECURE_TLS = '--kubelet-insecure-tls';
const METRICS_SERVER_ARGS = 'jsonpath={.spec.template.spec.containers[0].args[*]}';
const METRICS_SERVER_INSECURE_TLS_PATCH = `[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"${INSECURE_TLS}"}]`;

export interface UpOptions {
  /** Host ports the ingress is published on (kind only). */
  readonly hostPorts?: HostPorts;
  /** The environment cluster:up runs in: KIND_EXPERIMENTAL_PROVIDER decides kind's runtime. */
  readonly env?: NodeJS.ProcessEnv;
  /** Linux's net.ipv4.ip_unprivileged_port_start, undefined where it does not apply. */
  readonly unprivilegedPortStart?: () => number | undefined;
  /** For the hint that shows who holds a port (ss on Linux, lsof on macOS). */
  readonly platform?: NodeJS.Platform;
  /**
   * Also install kube-prometheus-stack (Prometheus, Grafana, kube-state-metrics) with Helm.
   * @default false
   */
  readonly monitoring?: boolean;
}

/**
 * Creates the cluster with what `environment`'s routing needs (its Ingress controller, or Envoy Gateway and
 * the GatewayClass its Gateway names), metrics-server and, with `monitoring`, kube-prometheus-stack, and waits
 * until they run.
 */
export function upRunbook(provider: Provider, environment: EnvironmentConfig, options: UpOptions = {}): Runbook {
  const routing = clusterRoutingOf(environment);
  const waitForAddons = [
    ...waitForRouting(provider, routing),
    commandStep(rolloutStatus(provider, 'kube-system', 'metrics-server')),
    ...(options.monitoring ? monitoringSteps(provider) : []),
  ];
  if (provider === 'minikube') {
    // Every step is idempotent: `minikube start` reuses an existing profile, enabling an addon twice is a
    // no-op, a server-side apply of the same manifest changes nothing.
    return {
      steps: [
        // minikube's default CNI ignores NetworkPolicy; Calico enforces it, as kindnet does on kind 0.24+,
        // so a policy that blocks the ingress controller fails here and not first in production.
        // The same Kubernetes as the pinned kind node image, so both providers run what was tested.
        commandStep(minikube('start', '--cni=calico', `--kubernetes-version=${pinnedKubernetesVersion()}`)),
        // Not the `ingress` addon for the default: that addon is ingress-nginx.
        ...(routing.controller === 'envoy-gateway'
          ? [commandStep(kubectl('minikube', 'apply', '--server-side', '--filename', ENVOY_GATEWAY_MANIFEST))]
          : installIngressController('minikube', routing.controller)),
        commandStep(minikube('addons', 'enable', 'metrics-server')),
        ...waitForAddons,
      ],
    };
  }
  const named = runtimeFromEnv(options.env ?? process.env);
  return {
    // kind runs its node in a container runtime no command names; when the variable names one, ask for it.
    ...(named ? { extraTools: [named] } : {}),
    steps: [
      ...kindClusterSteps(options, routing.nodePorts),
      publishedPortsCheck(environment.name, routing.nodePorts),
      ...addonSteps(routing),
      ...waitForAddons,
    ],
  };
}

/** Waits for the routing's controller; for Envoy Gateway, then creates the GatewayClass (its CRDs exist by then). */
function waitForRouting(provider: Provider, routing: ClusterRouting): Step[] {
  if (routing.controller !== 'envoy-gateway') return waitForIngressController(provider, routing.controller);
  return [
    commandStep(rolloutStatus(provider, ENVOY_GATEWAY_NAMESPACE, ENVOY_GATEWAY_DEPLOYMENT)),
    {
      type: 'write',
      path: GATEWAY_CLASS_FILE,
      content: gatewayClassManifest(routing.className),
      description: `GatewayClass ${routing.className} (Envoy Gateway) with an EnvoyProxy: proxy Service NodePort ${routing.nodePorts.http}`,
    },
    commandStep(kubectl(provider, 'apply', '--filename', GATEWAY_CLASS_FILE)),
  ];
}

/**
 * kind maps ports only when it creates a cluster: one created for the other routing (an Ingress's node
 * port 80, or Envoy's NodePort) would never answer on the host. The config cluster:up wrote says which.
 */
function publishedPortsCheck(environmentName: string, nodePorts: NodePorts): CheckStep {
  return {
    type: 'check',
    description: `${KIND_CONFIG} publishes node port ${nodePorts.http}, where ${describeRouting(nodePorts)} listens`,
    run: async (context) => {
      const created = createdPorts(context.cwd);
      if (!created) {
        context.log(`  no ${KIND_CONFIG} (a cluster made without cluster:up): not checked`);
        return;
      }
      if (created.nodePorts.http === nodePorts.http) return;
      throw new Error(
        `the kind cluster '${CLUSTER_NAME}' was created for ${describeRouting(created.nodePorts)}, but ${environmentName} routes ` +
          `through ${describeRouting(nodePorts)}, and kind cannot add a port mapping to a cluster: ` +
          `npm run cluster:down, then npm run cluster:up -- --env ${environmentName}`,
      );
    },
  };
}

/** kind new enough, its runtime answering, then the cluster unless it exists (re-runs skip it). */
function kindClusterSteps(options: UpOptions, nodePorts: NodePorts): Step[] {
  const ports = options.hostPorts ?? DEFAULT_HOST_PORTS;
  const runtime = memoizedRuntime();
  return [
    {
      type: 'probe',
      cmd: { argv: ['kind', 'version'] },
      expectation: `must be v${MIN_KIND_VERSION.join('.')} or later`,
      verify: kindVersionProblem,
    },
    {
      type: 'check',
      description: "kind's node runtime (KIND_EXPERIMENTAL_PROVIDER, else docker, nerdctl/finch, podman as kind finds them) answers `info`",
      run: async (context) => {
        const state = await runtime(context);
        context.log(`  ${state.runtime} (${state.reason}) answers${state.rootless ? ', rootless' : ''}`);
      },
    },
    {
      type: 'unless',
      probe: { argv: ['kind', 'get', 'clusters'] },
      condition: `it lists ${CLUSTER_NAME}`,
      holds: (stdout) => stdout.split('\n').some((line) => line.trim() === CLUSTER_NAME),
      steps: [
        hostPortsCheck(ports, runtime, options),
        configWrite(ports, nodePorts),
        commandStep(kind('create', 'cluster', '--config', KIND_CONFIG, '--wait', '120s')),
      ],
    },
  ];
}

/** The config kind creates the cluster from: the template with these host ports (and the routing's node ports). */
function configWrite(ports: HostPorts, nodePorts: NodePorts): WriteStep {
  const hosts = `${LISTEN_ADDRESS}:${ports.http}, ${LISTEN_ADDRESS}:${ports.https}`;
  const nodes = nodePorts.http === INGRESS_NODE_PORTS.http ? '' : ` -> node ports ${nodePorts.http}, ${nodePorts.https}`;
  return {
    type: 'write',
    path: KIND_CONFIG,
    content: kindConfigFor(ports, undefined, nodePorts),
    description: `${KIND_CONFIG_TEMPLATE} (node image ${pinnedNodeImage()}) with host ports ${hosts}${nodes}`,
  };
}

/** Both host ports free, and publishable by the runtime (a rootless one may not bind low ports). */
function hostPortsCheck(ports: HostPorts, runtime: (context: StepContext) => Promise<RuntimeState>, options: UpOptions): CheckStep {
  return {
    type: 'check',
    description: `${LISTEN_ADDRESS}:${ports.http} and ${LISTEN_ADDRESS}:${ports.https} are free, and publishable by a rootless runtime`,
    run: async (context) => {
      await assertPortsFree(ports, options.platform ?? process.platform);
      const state = await runtime(context);
      if (state.rootless) assertRootlessCanPublish(state.runtime, ports, (options.unprivilegedPortStart ?? unprivilegedPortStart)());
    },
  };
}

/** One inspection per run, shared by the checks that need it. */
function memoizedRuntime(): (context: StepContext) => Promise<RuntimeState> {
  let state: Promise<RuntimeState> | undefined;
  return (context) => {
    state ??= inspectKindRuntime(context.env);
    return state;
  };
}

/**
 * The routing's controller and metrics-server; `kubectl apply` is idempotent, the patch is guarded so it is
 * too. Envoy Gateway's manifest is applied server-side, as its install guide says (its CRDs are too large
 * for the last-applied annotation of a client-side apply).
 */
function addonSteps(routing: ClusterRouting): Step[] {
  const metricsServer = (...args: string[]) => kubectl('kind', '--namespace', 'kube-system', ...args);
  return [
    ...(routing.controller === 'envoy-gateway'
      ? [commandStep(kubectl('kind', 'apply', '--server-side', '--filename', ENVOY_GATEWAY_MANIFEST))]
      : installIngressController('kind', routing.controller)),
    // Applied once: re-applying the manifest would replace the patched args (a list kubectl replaces whole),
    // and the guard below would then patch again, restarting metrics-server twice on every re-run.
    {
      type: 'unless',
      probe: { argv: metricsServer('get', 'deployment', 'metrics-server', '--ignore-not-found', '--output=name') },
      condition: 'it prints deployment.apps/metrics-server',
      holds: (stdout) => stdout.trim() === 'deployment.apps/metrics-server',
      steps: [commandStep(kubectl('kind', 'apply', '--filename', METRICS_SERVER_MANIFEST))],
    },
    {
      type: 'unless',
      probe: { argv: metricsServer('get', 'deployment', 'metrics-server', '--output', METRICS_SERVER_ARGS) },
      condition: `it has ${INSECURE_TLS}`,
      holds: (stdout) => stdout.split(/\s+/).includes(INSECURE_TLS),
      steps: [
        commandStep(metricsServer('patch', 'deployment', 'metrics-server', '--type=json', '--patch', METRICS_SERVER_INSECURE_TLS_PATCH)),
      ],
    },
  ];
}
