import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import type { EnvironmentConfig, SectionConfig, SectionName } from '../app/environments/types.ts';
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
  /** Labels shared by every object of the chart (part-of, managed-by); `instance` comes separately. */
  readonly commonLabels: Readonly<Record<string, string>>;
  /** `app.kubernetes.io/instance`, part of the immutable pod selector. */
  readonly instance: string;
  /** Namespace of the ingress controller: the only source of traffic the NetworkPolicy admits. */
  readonly ingressControllerNamespace: string;
  /** LOG_LEVEL for the service. */
  readonly logLevel: EnvironmentConfig['logLevel'];
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

/**
 * One sweet-shop section: ServiceAccount, Deployment, ClusterIP Service, HPA, PDB and NetworkPolicy,
 * all named `<section>`, selected by app.kubernetes.io labels rather than construct paths.
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
    const containerPort = props.containerPort ?? 8080;
    const servicePort = props.servicePort ?? 80;
    const preStopDelaySeconds = props.preStopDelaySeconds ?? 5;
    const drainTimeoutSeconds = props.drainTimeoutSeconds ?? 10;
    if (props.minReplicas < 1 || props.minReplicas > props.maxReplicas) {
      throw new Error(`${props.section}: minReplicas (${props.minReplicas}) must be between 1 and maxReplicas (${props.maxReplicas})`);
    }

    const name = props.section;
    this.selectorLabels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': props.instance };
    const labels = {
      ...props.commonLabels,
      ...this.selectorLabels,
      'app.kubernetes.io/component': 'api',
      'app.kubernetes.io/version': props.image.tag,
    };
    const metadata = { name, labels };

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata,
      podMetadata: { labels },
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { user: RUN_AS_ID, group: RUN_AS_ID, fsGroup: RUN_AS_ID, ensureNonRoot: true },
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      // Grace counts from the start of preStop: delay, then the service's drain, then a margin.
      terminationGracePeriod: Duration.seconds(preStopDelaySeconds + drainTimeoutSeconds + SweetShopService.TERMINATION_MARGIN_SECONDS),
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));

    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    this.deployment.addContainer({
      name: 'service',
      image: `${props.image.repository}:${props.image.tag}`,
      imagePullPolicy: props.imagePullPolicy as kplus.ImagePullPolicy,
      ports: [{ name: PORT_NAME, number: containerPort }],
      envVariables: {
        PORT: kplus.EnvValue.fromValue(String(containerPort)),
        SHOP_SECTION: kplus.EnvValue.fromValue(props.section),
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        LOG_LEVEL: kplus.EnvValue.fromValue(props.logLevel),
        DRAIN_TIMEOUT_MS: kplus.EnvValue.fromValue(String(drainTimeoutSeconds * 1000)),
      },
      securityContext: {
        user: RUN_AS_ID,
        group: RUN_AS_ID,
        ensureNonRoot: true,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      },
      volumeMounts: [{ path: '/tmp', volume: tmp }],
      readiness: kplus.Probe.fromHttpGet(READINESS_PATH, {
        port: containerPort,
        periodSeconds: Duration.seconds(5),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold: 2,
      }),
      liveness: kplus.Probe.fromHttpGet(LIVENESS_PATH, {
        port: containerPort,
        periodSeconds: Duration.seconds(10),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold: 3,
      }),
      // Liveness only starts once startup succeeds, so a slow first boot is not killed mid-start.
      startup: kplus.Probe.fromHttpGet(LIVENESS_PATH, {
        port: containerPort,
        periodSeconds: Duration.seconds(2),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold: 30,
      }),
      lifecycle: {
        // `sleep` is missing from distroless-style images and native preStop.sleep needs Kubernetes 1.30;
        // node is in every image that can run the service.
        preStop: kplus.Handler.fromCommand(['node', '-e', `setTimeout(() => {}, ${preStopDelaySeconds * 1000})`]),
      },
    });
    hardenDeployment(this.deployment, { requests: props.requests, limits: props.limits, podLabels: this.selectorLabels });

    this.service = new kplus.Service(this, 'Service', {
      metadata,
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: PORT_NAME, port: servicePort, targetPort: containerPort }],
    });
    for (const [key, value] of Object.entries(this.selectorLabels)) this.service.selectLabel(key, value);

    this.hpa = new kplus.HorizontalPodAutoscaler(this, 'Hpa', {
      metadata,
      target: this.deployment,
      minReplicas: props.minReplicas,
      maxReplicas: props.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(props.cpuTargetPercent))],
    });

    // Derived from the HPA floor: with minReplicas >= 2 one pod can always be evicted while others serve.
    // AlwaysAllow: pods that are running but not ready (a crash-looping rollout) serve nothing, so they
    // must never block a node drain; only ready pods count against the budget.
    this.pdb = new kplus.k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata,
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: { ...this.selectorLabels } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    this.networkPolicy = new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...this.selectorLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.ingressControllerNamespace } } }],
            ports: [{ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(containerPort) }],
          },
        ],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: kplus.k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });
  }
}
