import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';

import type { EnvironmentConfig } from '../config/types.ts';
import { type ControllerSupport, ROUTING_CONTROLLERS, SECTION_NAMES, type SectionName } from '../config/vocabulary.ts';
import { type GatewayRouting, renderGatewayRouting } from './gateway-routing.ts';
import { renderIngress } from './ingress-routing.ts';
import { ShopMonitoring } from './monitoring.ts';
import { pascalCase, ROUTING_NAME, sectionBackends } from './section-backends.ts';
import { SweetShopService } from './sweetshop-service.ts';

export const PART_OF = 'sweetshop';
/**
 * Pod Security Admission labels on the Namespace: the API server itself rejects (enforce), reports
 * (audit) and warns about (warn) any pod that breaks the "restricted" profile, so the hardening is
 * checked at admission and not only by this repository's tests.
 */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};
export const DEFAULT_DENY_NAME = 'default-deny';

export interface SweetShopChartProps {
  /** A validated environment (see config/validate.ts). */
  readonly environment: EnvironmentConfig;
}

/**
 * The whole shop for one environment: the Namespace, one SweetShopService per section and the routing:
 * one Ingress, or an HTTPRoute with its balancing policy (and a Gateway when the environment names a class).
 * Construct ids are API (test/charts/construct-ids.test.ts pins them): names are explicit today, but
 * cdk8s derives names and selector labels from ids wherever a name is not given.
 */
export class SweetShopChart extends Chart {
  public readonly shopNamespace: kplus.Namespace;
  public readonly sections: Readonly<Record<SectionName, SweetShopService>>;
  /** Set when the environment routes through an Ingress (`ingress`). */
  public readonly ingress: kplus.k8s.KubeIngress | undefined;
  /** Set when the environment routes through Gateway API (`gateway`). */
  public readonly gatewayRouting: GatewayRouting | undefined;
  public readonly defaultDeny: kplus.k8s.KubeNetworkPolicy;
  /** PodMonitors, scrape policies and the dashboard; only where the environment turns monitoring on. */
  public readonly monitoring?: ShopMonitoring;

  constructor(scope: Construct, id: string, props: SweetShopChartProps) {
    const { environment } = props;
    super(scope, id, { namespace: environment.namespace, disableResourceNameHashes: true });
    const commonLabels = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' };
    const instance = `${PART_OF}-${environment.name}`;

    this.shopNamespace = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: environment.namespace, labels: { ...commonLabels, ...POD_SECURITY_LABELS } },
    });
    // A Namespace is cluster-scoped; the chart stamps its own namespace on it anyway.
    ApiObject.of(this.shopNamespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    this.sections = this.buildSections(environment, commonLabels, instance);

    // Namespace-wide deny: any pod without its own policy (a debug pod, a future section) gets no traffic.
    this.defaultDeny = new kplus.k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: DEFAULT_DENY_NAME, labels: commonLabels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const routing = {
      backends: sectionBackends(environment, this.sections),
      maxRequestBodyBytes: environment.maxRequestBodyBytes,
      labels: {
        ...commonLabels,
        'app.kubernetes.io/name': ROUTING_NAME,
        'app.kubernetes.io/instance': instance,
        'app.kubernetes.io/component': environment.ingress ? 'ingress' : 'gateway',
      },
    };
    this.ingress = environment.ingress && renderIngress(this, { ...routing, ingress: environment.ingress });
    this.gatewayRouting = environment.gateway && renderGatewayRouting(this, { ...routing, gateway: environment.gateway });

    if (environment.monitoring.enabled) {
      this.monitoring = new ShopMonitoring(this, 'Monitoring', {
        environment,
        monitoring: environment.monitoring,
        sections: this.sections,
        commonLabels,
      });
    }
  }

  private buildSections(
    environment: EnvironmentConfig,
    commonLabels: Readonly<Record<string, string>>,
    instance: string,
  ): Record<SectionName, SweetShopService> {
    const build = (section: SectionName) => {
      const config = environment.sections[section];
      return new SweetShopService(this, pascalCase(section), {
        section,
        image: config.image,
        imagePullPolicy: environment.imagePullPolicy,
        hpaBehavior: environment.hpaBehavior,
        trafficDistribution: environment.trafficDistribution,
        inPlaceResize: environment.inPlaceResize,
        minReplicas: config.minReplicas,
        maxReplicas: config.maxReplicas,
        cpuTargetPercent: config.cpuTargetPercent,
        requests: config.requests,
        limits: config.limits,
        commonLabels,
        instance,
        edgeProxyNamespace: (environment.ingress ?? environment.gateway).controllerNamespace,
        edgeProxyPods: gatewayProxyPods(environment),
        logLevel: environment.logLevel,
        maxRequestBodyBytes: environment.maxRequestBodyBytes,
        v8SemiSpaceMiB: environment.v8SemiSpaceMiB,
        mallocArenaMax: environment.mallocArenaMax,
        spreadAcrossNodes: environment.availability.spreadAcrossNodes,
        minNodes: environment.availability.minReplicasFloor,
      });
    };
    return Object.fromEntries(SECTION_NAMES.map((section) => [section, build(section)])) as Record<SectionName, SweetShopService>;
  }
}

/** The proxy pods of the Gateway the HTTPRoute attaches to, by the labels its controller gives them. */
function gatewayProxyPods(environment: EnvironmentConfig): Record<string, string> | undefined {
  const gateway = environment.gateway;
  const labels = gateway && (ROUTING_CONTROLLERS[gateway.controller] as ControllerSupport).proxyPodLabels;
  if (!gateway || !labels) return undefined;
  const parent = gateway.existingGateway ?? { namespace: environment.namespace, name: ROUTING_NAME };
  return { [labels.gatewayName]: parent.name, [labels.gatewayNamespace]: parent.namespace };
}
