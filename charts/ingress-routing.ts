import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';

import type { IngressConfig } from '../config/types.ts';
import { SECTION_NAMES, type SectionName } from '../config/vocabulary.ts';
import { bodyLimitAnnotations, loadBalancingAnnotations, noPassiveEjectionAnnotations } from './load-balancing.ts';
import { ROUTING_NAME, type SectionBackend } from './section-backends.ts';

export interface IngressRoutingProps {
  readonly ingress: IngressConfig;
  readonly backends: Readonly<Record<SectionName, SectionBackend>>;
  /** The environment's maxRequestBodyBytes: the controller refuses larger bodies before any replica. */
  readonly maxRequestBodyBytes: number;
  /** Labels for the Ingress (part-of, managed-by, name, instance, component). */
  readonly labels: Readonly<Record<string, string>>;
}

/** One Ingress (id `Ingress`): a Prefix path per section to its Service's named port, balanced as the environment says. */
export function renderIngress(scope: Construct, props: IngressRoutingProps): k8s.KubeIngress {
  const { ingress, backends } = props;
  return new k8s.KubeIngress(scope, 'Ingress', {
    metadata: {
      name: ROUTING_NAME,
      labels: { ...props.labels },
      annotations: {
        ...loadBalancingAnnotations(ingress.controller, ingress.loadBalancing),
        ...bodyLimitAnnotations(ingress.controller, props.maxRequestBodyBytes),
        ...noPassiveEjectionAnnotations(ingress.controller),
      },
    },
    spec: {
      ingressClassName: ingress.className,
      rules: [
        {
          host: ingress.host,
          http: {
            paths: SECTION_NAMES.map((section) => ({
              path: backends[section].path,
              pathType: 'Prefix',
              backend: { service: { name: backends[section].service, port: { name: backends[section].portName } } },
            })),
          },
        },
      ],
    },
  });
}
