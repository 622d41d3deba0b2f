import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { parseQuantity } from '../config/quantity.ts';
import type { EnvironmentConfig, NodeSpread, SectionConfig } from '../config/types.ts';
import { PDB_MAX_UNAVAILABLE, type SectionName } from '../config/vocabulary.ts';
import { hpaBehaviorProps } from './autoscaling.ts';
import { addHpaTolerances, addResizePolicy, addTrafficDistribution } from './newer-api-fields.ts';
import { hardenDeployment } from './restricted-pod-hardening.ts';

/** Numeric non-root identity; the service image need not declare a USER for the pod to run as non-root. */
export const RUN_AS_ID = 10001;
/** Port name shared by the container, the Service and the Ingress backend (docs/contracts.md). */
export const PORT_NAME = 'http';
export const READINESS_PATH = '/readyz';
export const LIVENESS_PATH = '/livez';

/**
 * The section's image and sizing, taken as the environment states them (documented on SectionConfig).
 * The image tag is also the `app.kubernetes.io/version` label; the Deployment carries no replicas.
 */
type SectionSizing = Pick<SectionConfig, 'image' | 'minReplicas' | 'maxReplicas' | 'cpuTargetPercent' | 'requests' | 'limits'>;

export interface SweetShopServiceProps extends SectionSizing {
  /** Section served; every object of this construct is named after it. */
  readonly section: SectionName;
  readonly imagePullPolicy: EnvironmentConfig['imagePullPolicy'];
  /** The HPA's scale-up and scale-down behaviour, as the environment states it. */
  readonly hpaBehavior: EnvironmentConfig['hpaBehavior'];
  /** Which endpoints the Service prefers; omitted: all alike. */
  readonly trafficDistribution?: EnvironmentConfig['trafficDistribution'];
  /** What an in-place resize of cpu or memory does to the container. */
  readonly inPlaceResize: EnvironmentConfig['inPlaceResize'];
  /** Labels shared by every object of the chart (part-of, managed-by); `instance` comes separately. */
  readonly commonLabels: Readonly<Record<string, string>>;
  /** `app.kubernetes.io/instance`, part of the immutable pod selector. */
  readonly instance: string;
  /**
   * Namespace of the edge proxy (the Ingress controller, or the Gateway's proxies): the only source of
   * traffic the NetworkPolicy admits.
   */
  readonly edgeProxyNamespace: string;
  /**
   * Labels of the edge proxy's pods that may call in, where its namespace holds more than the shop's
   * proxies (Envoy Gateway runs every Gateway's proxies and its own controller there).
   * @default - every pod of that namespace
   */
  readonly edgeProxyPods?: Readonly<Record<string, string>>;
  /**
   * Whether replicas must run on different nodes (the environment's availability.spreadAcrossNodes).
   * @default 'preferred'
   */
  readonly spreadAcrossNodes?: NodeSpread;
  /**
   * With `required`: the nodes the replicas need (the environment's availability.minReplicasFloor, each of
   * those replicas on a node of its own); with fewer nodes the rest stay Pending.
   * @default 2
   */
  readonly minNodes?: number;
  /** LOG_LEVEL for the service. */
  readonly logLevel: EnvironmentConfig['logLevel'];
  /** MAX_BODY_BYTES for the service: the environment's maxRequestBodyBytes, which the edge enforces too. */
  readonly maxRequestBodyBytes: EnvironmentConfig['maxRequestBodyBytes'];
  /** V8's semi-space size (the environment's v8SemiSpaceMiB). */
  readonly v8SemiSpaceMiB: EnvironmentConfig['v8SemiSpaceMiB'];
  /** glibc's malloc arenas (the environment's mallocArenaMax). */
  readonly mallocArenaMax: EnvironmentConfig['mallocArenaMax'];
  /**
   * Port the Express server listens on inside the container (PORT).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Port the ClusterIP Service exposes.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Seconds preStop waits before SIGTERM, so endpoints and the ingress controller stop routing first.
   * @default 5
   */
  readonly preStopDelaySeconds?: number;
  /**
   * Hard cap on the service's own drain after SIGTERM (passed as DRAIN_TIMEOUT_MS).
   * @default 10
   */
  readonly drainTimeoutSeconds?: number;
}

/** The optional props with their defaults applied. */
type ResolvedOptions = Required<
  Pick<SweetShopServiceProps, 'containerPort' | 'servicePort' | 'preStopDelaySeconds' | 'drainTimeoutSeconds'>
>;

/** Name and labels every object of one section carries. */
interface SectionMetadata {
  readonly name: string;
  readonly labels: Record<string, string>;
}

/**
 * One sweet-shop section: ServiceAccount, Deployment, ClusterIP Service, HPA, PDB and NetworkPolicy,
 * all named `<section>`, selected by app.kubernetes.io labels rather than construct paths.
 * Replica bounds arrive validated (config/validate.ts names the field when min > max;
 * cdk8s-plus's HPA refuses it too), so the construct does not check them again.
 */
export class SweetShopService extends Construct {
  /** Seconds the kubelet waits after the preStop hook starts before SIGKILL, beyond delay + drain. */
  public static readonly TERMINATION_MARGIN_SECONDS = 5;

  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly hpa: kplus.HorizontalPodAutoscaler;
  public readonly pdb: kplus.k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: kplus.k8s.KubeNetworkPolicy;
  /** Labels the Deployment, Service, PDB and NetworkPolicy select pods by (immutable once applied). */
  public readonly selectorLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SweetShopServiceProps) {
    super(scope, id);
    const options: ResolvedOptions = {
      containerPort: props.containerPort ?? 8080,
      servicePort: props.servicePort ?? 80,
      preStopDelaySeconds: props.preStopDelaySeconds ?? 5,
      drainTimeoutSeconds: props.drainTimeoutSeconds ?? 10,
    };
    this.selectorLabels = { 'app.kubernetes.io/name': props.section, 'app.kubernetes.io/instance': props.instance };
    const labels = {
      ...props.commonLabels,
      ...this.selectorLabels,
      'app.kubernetes.io/component': 'api',
      'app.kubernetes.io/version': props.image.tag,
    };
    const metadata: SectionMetadata = { name: props.section, labels };

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });
    this.deployment = this.buildDeployment(metadata, props, options);
    this.service = this.buildService(metadata, options);
    this.hpa = this.buildAutoscaler(metadata, props);
    addResizePolicy(ApiObject.of(this.deployment), props.inPlaceResize);
    addTrafficDistribution(ApiObject.of(this.service), props.trafficDistribution);
    addHpaTolerances(ApiObject.of(this.hpa), props.hpaBehavior);
    this.pdb = this.buildDisruptionBudget(metadata);
    this.networkPolicy = this.buildNetworkPolicy(metadata, props, options.containerPort);
  }

  private buildDeployment(metadata: SectionMetadata, props: SweetShopServiceProps, options: ResolvedOptions): kplus.Deployment {
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata,
      podMetadata: { labels: metadata.labels },
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { user: RUN_AS_ID, group: RUN_AS_ID, fsGroup: RUN_AS_ID, ensureNonRoot: true },
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      // Grace counts from the start of preStop: delay, then the service's drain, then a margin.
      terminationGracePeriod: Duration.seconds(
        options.preStopDelaySeconds + options.drainTimeoutSeconds + SweetShopService.TERMINATION_MARGIN_SECONDS,
      ),
    });
    deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    deployment.addContainer({ ...containerProps(props, options), volumeMounts: [{ path: '/tmp', volume: tmp }] });
    hardenDeployment(deployment, {
      requests: props.requests,
      limits: props.limits,
      podLabels: this.selectorLabels,
      spreadAcrossNodes: props.spreadAcrossNodes ?? 'preferred',
      minNodes: props.minNodes ?? 2,
    });
    return deployment;
  }

  private buildService(metadata: SectionMetadata, options: ResolvedOptions): kplus.Service {
    const service = new kplus.Service(this, 'Service', {
      metadata,
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: PORT_NAME, port: options.servicePort, targetPort: options.containerPort }],
    });
    for (const [key, value] of Object.entries(this.selectorLabels)) service.selectLabel(key, value);
    return service;
  }

  private buildAutoscaler(metadata: SectionMetadata, props: SweetShopServiceProps): kplus.HorizontalPodAutoscaler {
    return new kplus.HorizontalPodAutoscaler(this, 'Hpa', {
      metadata,
      target: this.deployment,
      minReplicas: props.minReplicas,
      maxReplicas: props.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(props.cpuTargetPercent))],
      ...hpaBehaviorProps(props.hpaBehavior),
    });
  }

  /**
   * A constant budget, not derived from the HPA floor: a drain evicts PDB_MAX_UNAVAILABLE (1) ready pod
   * at a time, however far the HPA has scaled out. Whether a replica keeps serving meanwhile depends on
   * the floor, which validation holds at the environment's availability.minReplicasFloor.
   * AlwaysAllow: pods that are running but not ready (a crash-looping rollout) serve nothing, so they
   * must never block a node drain; only ready pods count against the budget.
   */
  private buildDisruptionBudget(metadata: SectionMetadata): kplus.k8s.KubePodDisruptionBudget {
    return new kplus.k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata,
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(PDB_MAX_UNAVAILABLE),
        selector: { matchLabels: { ...this.selectorLabels } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }

  /** Only the ingress controller (its namespace, and its proxy pods where named) may call in; only DNS may go out. */
  private buildNetworkPolicy(metadata: SectionMetadata, props: SweetShopServiceProps, containerPort: number): kplus.k8s.KubeNetworkPolicy {
    const namespaceNamed = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
    const controllerPods = props.edgeProxyPods ? { podSelector: { matchLabels: { ...props.edgeProxyPods } } } : {};
    const dns = kplus.k8s.IntOrString.fromNumber(53);
    return new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...this.selectorLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ namespaceSelector: namespaceNamed(props.edgeProxyNamespace), ...controllerPods }],
            ports: [{ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(containerPort) }],
          },
        ],
        egress: [
          {
            to: [{ namespaceSelector: namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [
              { protocol: 'UDP', port: dns },
              { protocol: 'TCP', port: dns },
            ],
          },
        ],
      },
    });
  }
}

/** The `service` container: pinned image, the service's env contract, restricted security context, probes. */
function containerProps(props: SweetShopServiceProps, options: ResolvedOptions): kplus.ContainerProps {
  const { containerPort, preStopDelaySeconds, drainTimeoutSeconds } = options;
  return {
    name: 'service',
    image: `${props.image.repository}:${props.image.tag}`,
    imagePullPolicy: props.imagePullPolicy as kplus.ImagePullPolicy,
    ports: [{ name: PORT_NAME, number: containerPort }],
    envVariables: {
      PORT: kplus.EnvValue.fromValue(String(containerPort)),
      SHOP_SECTION: kplus.EnvValue.fromValue(props.section),
      POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      LOG_LEVEL: kplus.EnvValue.fromValue(props.logLevel),
      MAX_BODY_BYTES: kplus.EnvValue.fromValue(String(props.maxRequestBodyBytes)),
      DRAIN_TIMEOUT_MS: kplus.EnvValue.fromValue(String(drainTimeoutSeconds * 1000)),
      ...Object.fromEntries(
        Object.entries(memoryEnv(props.limits.memory, props.v8SemiSpaceMiB, props.mallocArenaMax)).map(([name, value]) => [
          name,
          kplus.EnvValue.fromValue(value),
        ]),
      ),
    },
    securityContext: {
      user: RUN_AS_ID,
      group: RUN_AS_ID,
      ensureNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    },
    ...probes(containerPort),
    lifecycle: {
      // `sleep` is missing from distroless-style images and native preStop.sleep needs Kubernetes 1.30;
      // node is in every image that can run the service.
      preStop: kplus.Handler.fromCommand(['node', '-e', `setTimeout(() => {}, ${preStopDelaySeconds * 1000})`]),
    },
  };
}

/** The memory settings of the runtime the chart writes into the container's environment; the bench runs replicas with them. */
export function memoryEnv(
  memoryLimit: string,
  semiSpaceMiB: number,
  mallocArenaMax: number,
): { NODE_OPTIONS: string; MALLOC_ARENA_MAX: string } {
  return { NODE_OPTIONS: nodeOptions(memoryLimit, semiSpaceMiB), MALLOC_ARENA_MAX: String(mallocArenaMax) };
}

/** The replica's V8 flags: the heap cap for its memory limit, and the young generation's size. */
export function nodeOptions(memoryLimit: string, semiSpaceMiB: number): string {
  return `--max-old-space-size=${heapLimitMiB(memoryLimit)} --max-semi-space-size=${semiSpaceMiB}`;
}

/**
 * V8's heap cap: half the container's memory limit. Under a burst (a pipelining flood: docs/service.md)
 * V8 then collects garbage before the container reaches its limit instead of being OOM-killed; the other
 * half is code, buffers and stacks, most of a replica's idle RSS (docs/benchmarks.md, section 5).
 */
export function heapLimitMiB(memoryLimit: string): number {
  const bytes = parseQuantity(memoryLimit);
  if (bytes === undefined) throw new Error(`memory limit '${memoryLimit}' is not a quantity`);
  return Math.floor(bytes / 2 ** 20 / 2);
}

function probes(port: number): Pick<kplus.ContainerProps, 'readiness' | 'liveness' | 'startup'> {
  const every = (periodSeconds: number, failureThreshold: number) => ({
    port,
    periodSeconds: Duration.seconds(periodSeconds),
    timeoutSeconds: Duration.seconds(2),
    failureThreshold,
  });
  return {
    readiness: kplus.Probe.fromHttpGet(READINESS_PATH, every(5, 2)),
    liveness: kplus.Probe.fromHttpGet(LIVENESS_PATH, every(10, 3)),
    // Liveness only starts once startup succeeds, so a slow first boot is not killed mid-start.
    startup: kplus.Probe.fromHttpGet(LIVENESS_PATH, every(2, 30)),
  };
}
