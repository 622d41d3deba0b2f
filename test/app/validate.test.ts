import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { local } from '../../config/environments/local.ts';
import { localGateway } from '../../config/environments/local-gateway.ts';
import { production } from '../../config/environments/production.ts';
import type { EnvironmentConfig } from '../../config/types.ts';
import { EnvironmentValidationError, environmentProblems, validateEnvironment } from '../../config/validate.ts';
import { withRouting } from '../charts/render.ts';

/** Production as it was before Gateway API: HAProxy Ingress, least-connections. */
const haproxyProduction = withRouting(production, {
  ingress: {
    controller: 'haproxy-ingress',
    className: 'haproxy',
    controllerNamespace: 'ingress-controller',
    host: 'shop.example.com',
    loadBalancing: 'least-connections',
  },
});

/** A deep, mutable copy of `environment` for breaking one field at a time. */
function copyOf(environment: EnvironmentConfig): any {
  return JSON.parse(JSON.stringify(environment));
}

/** One broken field (or a few) per case, and exactly the problems validation must report. */
const CASES: { name: string; base: EnvironmentConfig; mutate: (environment: any) => void; problems: string[] }[] = [
  {
    name: 'min > max',
    base: local,
    mutate: (environment) => {
      environment.sections.cakes.minReplicas = 5;
    },
    problems: ['local.sections.cakes.minReplicas: 5 must be <= maxReplicas (4); lower minReplicas or raise maxReplicas'],
  },
  {
    name: 'replicas < 1',
    base: local,
    mutate: (environment) => {
      environment.sections.candies.minReplicas = 0;
      environment.sections.candies.maxReplicas = 0;
    },
    problems: [
      'local.sections.candies.minReplicas: 0 must be a whole number >= 1; the HPA cannot scale to zero',
      'local.sections.candies.maxReplicas: 0 must be a whole number >= 1',
    ],
  },
  {
    name: "a section below the environment's availability floor",
    base: production,
    mutate: (environment) => {
      environment.sections.cakes.minReplicas = 1;
    },
    problems: [
      'production.sections.cakes.minReplicas: 1 must be at least production.availability.minReplicasFloor (2), ' +
        'so 1 replica serves during a node drain',
    ],
  },
  {
    name: 'a raised floor, on every section below it',
    base: production,
    mutate: (environment) => {
      environment.availability.minReplicasFloor = 3;
    },
    problems: [
      'production.sections.candies.minReplicas: 2 must be at least production.availability.minReplicasFloor (3), ' +
        'so 2 replicas serve during a node drain',
      'production.sections.cakes.minReplicas: 2 must be at least production.availability.minReplicasFloor (3), ' +
        'so 2 replicas serve during a node drain',
    ],
  },
  {
    name: 'the floor follows the data, not the name: production under another name keeps it',
    base: production,
    mutate: (environment) => {
      environment.name = 'eu-west';
      environment.sections.cakes.minReplicas = 1;
    },
    problems: [
      'eu-west.sections.cakes.minReplicas: 1 must be at least eu-west.availability.minReplicasFloor (2), ' +
        'so 1 replica serves during a node drain',
    ],
  },
  {
    name: 'a floor that is not a whole number >= 1',
    base: local,
    mutate: (environment) => {
      environment.availability.minReplicasFloor = 1.5;
    },
    problems: ['local.availability.minReplicasFloor: 1.5 must be a whole number >= 1 (2 keeps a replica serving)'],
  },
  {
    name: 'no availability at all',
    base: local,
    mutate: (environment) => {
      delete environment.availability;
    },
    problems: [
      "local.availability: missing; set { minReplicasFloor: 2, spreadAcrossNodes: 'required' } (or 1 and 'preferred' on a one-node cluster)",
    ],
  },
  {
    name: 'a node spread that is neither required nor preferred',
    base: production,
    mutate: (environment) => {
      environment.availability.spreadAcrossNodes = 'always';
    },
    problems: [
      "production.availability.spreadAcrossNodes: 'always' is not a spread; use 'required' (replicas on different nodes, " +
        "one node failure leaves the rest serving) or 'preferred' (a one-node cluster)",
    ],
  },
  {
    name: 'CPU target outside 1..100',
    base: local,
    mutate: (environment) => {
      environment.sections.chocolates.cpuTargetPercent = 0;
      environment.sections.cakes.cpuTargetPercent = 150;
    },
    problems: [
      'local.sections.chocolates.cpuTargetPercent: 0 must be a whole number from 1 to 100 (percent of the cpu request), e.g. 70',
      'local.sections.cakes.cpuTargetPercent: 150 must be a whole number from 1 to 100 (percent of the cpu request), e.g. 70',
    ],
  },
  {
    name: 'malformed quantities',
    base: local,
    mutate: (environment) => {
      environment.sections.chocolates.requests = { ...environment.sections.chocolates.requests, cpu: '50 m' };
      environment.sections.chocolates.limits = { ...environment.sections.chocolates.limits, memory: '256MB', ephemeralStorage: '0' };
    },
    problems: [
      "local.sections.chocolates.requests.cpu: '50 m' is not a Kubernetes quantity; write it like '250m' or '1'",
      "local.sections.chocolates.limits.memory: '256MB' is not a Kubernetes quantity; write it like '128Mi' or '1Gi'",
      "local.sections.chocolates.limits.ephemeralStorage: '0' must be greater than zero; write it like '128Mi' or '1Gi'",
    ],
  },
  {
    name: 'limits below requests (compared as quantities, not strings)',
    base: production,
    mutate: (environment) => {
      environment.sections.candies.limits = { ...environment.sections.candies.limits, cpu: '150m', memory: '0.1Gi' };
    },
    problems: [
      "production.sections.candies.limits.cpu: '150m' is below the request ('200m'); raise the limit or lower the request",
      `production.sections.candies.limits.memory: '0.1Gi' is below the request ('${production.sections.candies.requests.memory}'); raise the limit or lower the request`,
    ],
  },
  {
    name: 'unknown section',
    base: local,
    mutate: (environment) => {
      environment.sections.pies = { ...environment.sections.cakes, path: '/pies' };
    },
    problems: ['local.sections.pies: unknown section; the shop has chocolates, candies, cakes (rename or remove it)'],
  },
  {
    name: 'missing section',
    base: local,
    mutate: (environment) => {
      delete environment.sections.candies;
    },
    problems: ['local.sections.candies: missing; every environment must configure all of chocolates, candies, cakes'],
  },
  {
    name: "another section's path",
    base: local,
    mutate: (environment) => {
      environment.sections.candies.path = '/chocolates';
    },
    problems: [
      "local.sections.candies.path: '/chocolates' is not served: the candies service answers only under '/candies'; use '/candies'",
    ],
  },
  {
    name: 'path without a leading slash',
    base: local,
    mutate: (environment) => {
      environment.sections.cakes.path = 'cakes';
    },
    problems: ["local.sections.cakes.path: 'cakes' is not served: the cakes service answers only under '/cakes'; use '/cakes'"],
  },
  {
    name: 'a prefix the service does not answer under (the Ingress does not rewrite paths)',
    base: production,
    mutate: (environment) => {
      environment.sections.cakes.path = '/shop/cakes';
    },
    problems: ["production.sections.cakes.path: '/shop/cakes' is not served: the cakes service answers only under '/cakes'; use '/cakes'"],
  },
  {
    name: 'tag latest or empty',
    base: production,
    mutate: (environment) => {
      environment.sections.chocolates.image.tag = 'latest';
      environment.sections.cakes.image.tag = '';
    },
    problems: [
      "production.sections.chocolates.image.tag: 'latest' is not pinned; use an immutable version tag such as '0.1.0'",
      "production.sections.cakes.image.tag: '' is not pinned; use an immutable version tag such as '0.1.0'",
    ],
  },
  {
    name: 'tag inside the repository',
    base: local,
    mutate: (environment) => {
      environment.sections.cakes.image.repository = 'sweetshop/cakes:0.1.0';
    },
    problems: [
      "local.sections.cakes.image.repository: 'sweetshop/cakes:0.1.0' is not an image repository; " +
        "use e.g. 'sweetshop/chocolates' without a tag",
    ],
  },
  {
    name: 'ingress-nginx cannot do least-connections',
    base: local,
    mutate: (environment) => {
      environment.ingress.controller = 'ingress-nginx';
      environment.ingress.loadBalancing = 'least-connections';
    },
    problems: [
      "local.ingress.loadBalancing: ingress-nginx cannot do 'least-connections' (its Lua balancer dropped least_conn in 2019; " +
        "it supports round-robin, ewma): choose 'ewma' (latency-aware) or 'round-robin', " +
        "or switch ingress.controller to 'f5-nginx-ingress' or 'haproxy-ingress' for least-connections",
    ],
  },
  {
    name: "F5's NGINX Ingress Controller cannot do ewma",
    base: local,
    mutate: (environment) => {
      environment.ingress.loadBalancing = 'ewma';
    },
    problems: [
      "local.ingress.loadBalancing: f5-nginx-ingress cannot do 'ewma' (NGINX (OSS) has no EWMA balancer; the latency-aware " +
        'least_time is NGINX Plus only; it supports round-robin, least-connections, least-request): ' +
        "choose 'least-request' (it also steers away from a slow replica) or 'least-connections'",
    ],
  },
  {
    name: 'HAProxy Ingress cannot do ewma',
    base: haproxyProduction,
    mutate: (environment) => {
      environment.ingress.loadBalancing = 'ewma';
    },
    problems: [
      "production.ingress.loadBalancing: haproxy-ingress cannot do 'ewma' " +
        '(HAProxy has no EWMA balancer; it supports round-robin, least-connections): ' +
        "choose 'least-connections' (closest to ewma) or 'round-robin'",
    ],
  },
  {
    name: 'unknown controller, algorithm, namespace, pull policy and log level',
    base: local,
    mutate: (environment) => {
      environment.namespace = 'Sweet_Shop';
      environment.imagePullPolicy = 'Sometimes';
      environment.logLevel = 'loud';
      environment.ingress.controller = 'traefik';
      environment.ingress.loadBalancing = 'random';
    },
    problems: [
      "local.namespace: 'Sweet_Shop' is not a valid namespace name; use lowercase letters, digits and '-' (at most 63)",
      "local.imagePullPolicy: 'Sometimes' is not a pull policy; use one of IfNotPresent, Always, Never",
      "local.logLevel: 'loud' is not a pino level; use one of fatal, error, warn, info, debug, trace",
      "local.ingress.controller: 'traefik' is not supported; use one of f5-nginx-ingress, ingress-nginx, haproxy-ingress",
      "local.ingress.loadBalancing: 'random' is not an algorithm; use one of round-robin, least-connections, least-request, ewma",
    ],
  },
  {
    name: 'a body limit over 1 MiB',
    base: production,
    mutate: (environment) => {
      environment.maxRequestBodyBytes = 2 * 1024 * 1024;
    },
    problems: ['production.maxRequestBodyBytes: 2097152; set a whole number of bytes from 1024 (1 KiB) to 1048576 (1 MiB), e.g. 16 * 1024'],
  },
  {
    name: 'a body limit written as a quantity, and one missing',
    base: local,
    mutate: (environment) => {
      environment.maxRequestBodyBytes = '16Ki';
    },
    problems: ['local.maxRequestBodyBytes: "16Ki"; set a whole number of bytes from 1024 (1 KiB) to 1048576 (1 MiB), e.g. 16 * 1024'],
  },
  {
    name: 'no body limit',
    base: local,
    mutate: (environment) => {
      delete environment.maxRequestBodyBytes;
    },
    problems: ['local.maxRequestBodyBytes: missing; set a whole number of bytes from 1024 (1 KiB) to 1048576 (1 MiB), e.g. 16 * 1024'],
  },
  {
    name: 'a young generation of no MiB',
    base: production,
    mutate: (environment) => {
      environment.v8SemiSpaceMiB = 0;
    },
    problems: ['production.v8SemiSpaceMiB: 0; set a whole number of MiB from 1 to 64 (docs/benchmarks.md, section 5, compares sizes)'],
  },
  {
    name: 'a young generation written as a fraction',
    base: local,
    mutate: (environment) => {
      environment.v8SemiSpaceMiB = 1.5;
    },
    problems: ['local.v8SemiSpaceMiB: 1.5; set a whole number of MiB from 1 to 64 (docs/benchmarks.md, section 5, compares sizes)'],
  },
  {
    name: 'no young generation size',
    base: local,
    mutate: (environment) => {
      delete environment.v8SemiSpaceMiB;
    },
    problems: ['local.v8SemiSpaceMiB: missing; set a whole number of MiB from 1 to 64 (docs/benchmarks.md, section 5, compares sizes)'],
  },
  {
    name: 'no malloc arena',
    base: production,
    mutate: (environment) => {
      environment.mallocArenaMax = 0;
    },
    problems: ['production.mallocArenaMax: 0; set a whole number of malloc arenas from 1 to 64 (docs/benchmarks.md, section 5)'],
  },
  {
    name: 'malloc arenas written as text',
    base: local,
    mutate: (environment) => {
      environment.mallocArenaMax = '2' as unknown as number;
    },
    problems: ['local.mallocArenaMax: "2"; set a whole number of malloc arenas from 1 to 64 (docs/benchmarks.md, section 5)'],
  },
  {
    name: 'HPA behaviour outside the API bounds (windows, periods, values, select policy, policy type)',
    base: production,
    mutate: (environment) => {
      environment.hpaBehavior.scaleUp.stabilizationWindowSeconds = 3601;
      environment.hpaBehavior.scaleUp.selectPolicy = 'Maximum';
      environment.hpaBehavior.scaleUp.policies[0] = { type: 'Replicas', value: 0, periodSeconds: 0 };
      environment.hpaBehavior.scaleDown.stabilizationWindowSeconds = -1;
      environment.hpaBehavior.scaleDown.policies[0] = { type: 'Percent', value: 2.5, periodSeconds: 1801 };
    },
    problems: [
      'production.hpaBehavior.scaleUp.stabilizationWindowSeconds: 3601 must be a whole number from 0 to 3600 (seconds), e.g. 0',
      "production.hpaBehavior.scaleUp.selectPolicy: 'Maximum' is not a select policy; use one of Max, Min, Disabled",
      "production.hpaBehavior.scaleUp.policies[0].type: 'Replicas' is not a policy type; use one of Pods, Percent",
      'production.hpaBehavior.scaleUp.policies[0].value: 0 must be a whole number > 0 (pods, or percent of the replicas)',
      'production.hpaBehavior.scaleUp.policies[0].periodSeconds: 0 must be a whole number from 1 to 1800 (seconds), e.g. 60',
      'production.hpaBehavior.scaleDown.stabilizationWindowSeconds: -1 must be a whole number from 0 to 3600 (seconds), e.g. 300',
      'production.hpaBehavior.scaleDown.policies[0].value: 2.5 must be a whole number > 0 (pods, or percent of the replicas)',
      'production.hpaBehavior.scaleDown.policies[0].periodSeconds: 1801 must be a whole number from 1 to 1800 (seconds), e.g. 60',
    ],
  },
  {
    name: 'an HPA tolerance that is no fraction of milli steps, an unknown traffic distribution or resize policy',
    base: production,
    mutate: (environment) => {
      environment.hpaBehavior.scaleUp.tolerance = 1;
      environment.hpaBehavior.scaleDown.tolerance = 0.0005;
      environment.trafficDistribution = 'PreferClose';
      environment.inPlaceResize = { cpu: 'Live' };
    },
    problems: [
      'production.hpaBehavior.scaleUp.tolerance: 1 must be a fraction from 0 to 0.999 in steps of 0.001, e.g. 0.05 (5%)',
      'production.hpaBehavior.scaleDown.tolerance: 0.0005 must be a fraction from 0 to 0.999 in steps of 0.001, e.g. 0.05 (5%)',
      "production.trafficDistribution: 'PreferClose' is not a traffic distribution; use one of PreferSameZone, PreferSameNode, or leave it out",
      "production.inPlaceResize.cpu: 'Live' is not a resize policy; use one of NotRequired, RestartContainer",
      'production.inPlaceResize.memory: missing; use one of NotRequired, RestartContainer',
    ],
  },
  {
    name: 'a scale-down of more than 100% (a scale-up may: +200% triples)',
    base: local,
    mutate: (environment) => {
      environment.hpaBehavior.scaleUp.policies[1].value = 200;
      environment.hpaBehavior.scaleDown.policies[0].value = 150;
    },
    problems: [
      'local.hpaBehavior.scaleDown.policies[0].value: 150 must be at most 100 for a scale-down Percent: ' +
        'no step removes more than every replica',
    ],
  },
  {
    name: 'no HPA policy, or no direction at all',
    base: local,
    mutate: (environment) => {
      environment.hpaBehavior.scaleUp.policies = [];
      delete environment.hpaBehavior.scaleDown;
    },
    problems: [
      "local.hpaBehavior.scaleUp.policies: empty; give at least one policy, e.g. { type: 'Pods', value: 4, periodSeconds: 15 }",
      'local.hpaBehavior.scaleDown: missing; give stabilizationWindowSeconds, selectPolicy and policies',
    ],
  },
  {
    name: 'no HPA behaviour',
    base: production,
    mutate: (environment) => {
      delete environment.hpaBehavior;
    },
    problems: [
      'production.hpaBehavior: missing; state scaleUp and scaleDown (stabilizationWindowSeconds, selectPolicy, policies), ' +
        'as production.ts does',
    ],
  },
  ...routingCases(),
];

/** Gateway API routing, and which of the two routings an environment has. */
function routingCases(): typeof CASES {
  return [
    {
      name: 'Envoy Gateway cannot do least-connections',
      base: production,
      mutate: (environment) => {
        environment.gateway.loadBalancing = 'least-connections';
      },
      problems: [
        "production.gateway.loadBalancing: envoy-gateway cannot do 'least-connections' (Envoy counts requests in flight, " +
          "not connections; it supports round-robin, least-request): choose 'least-request' (LeastRequest), Envoy's closest algorithm",
      ],
    },
    {
      name: 'ingress-nginx cannot do least-request',
      base: local,
      mutate: (environment) => {
        environment.ingress.controller = 'ingress-nginx';
        environment.ingress.loadBalancing = 'least-request';
      },
      problems: [
        "local.ingress.loadBalancing: ingress-nginx cannot do 'least-request' (its balancers are round_robin and ewma; " +
          "it supports round-robin, ewma): choose 'ewma' (latency-aware), " +
          "or switch ingress.controller to 'f5-nginx-ingress' for least-request",
      ],
    },
    {
      name: 'a Gateway API controller under ingress',
      base: local,
      mutate: (environment) => {
        environment.ingress.controller = 'envoy-gateway';
      },
      problems: [
        "local.ingress.controller: 'envoy-gateway' serves an HTTPRoute, not an Ingress: " +
          'move these settings to gateway (with className, the GatewayClass, or existingGateway)',
      ],
    },
    {
      name: 'an Ingress controller under gateway',
      base: localGateway,
      mutate: (environment) => {
        environment.gateway.controller = 'haproxy-ingress';
      },
      problems: [
        "local-gateway.gateway.controller: 'haproxy-ingress' serves an Ingress, not an HTTPRoute: " +
          'move these settings to ingress (with className, the IngressClass)',
      ],
    },
    {
      name: 'an unknown Gateway API controller',
      base: localGateway,
      mutate: (environment) => {
        environment.gateway.controller = 'istio';
      },
      problems: ["local-gateway.gateway.controller: 'istio' is not supported; use one of envoy-gateway"],
    },
    {
      name: 'both a rendered and an existing Gateway',
      base: localGateway,
      mutate: (environment) => {
        environment.gateway.existingGateway = { namespace: 'infra', name: 'public', sectionName: 'https' };
      },
      problems: [
        'local-gateway.gateway: sets both className and existingGateway; keep className to render a Gateway, ' +
          'or existingGateway to attach to one',
      ],
    },
    {
      name: 'no Gateway at all',
      base: localGateway,
      mutate: (environment) => {
        delete environment.gateway.className;
      },
      problems: [
        "local-gateway.gateway: no Gateway; set className (the chart renders a Gateway of that GatewayClass, e.g. 'eg') or existingGateway",
      ],
    },
    {
      name: 'malformed Gateway API names, proxy namespace and host',
      base: production,
      mutate: (environment) => {
        environment.gateway.existingGateway = { namespace: 'Infra', name: 'Public_Gateway', sectionName: '' };
        environment.gateway.controllerNamespace = '';
        environment.gateway.host = 'shop example';
      },
      problems: [
        "production.gateway.existingGateway.namespace: 'Infra' is not a valid namespace name; use the namespace the Gateway is in",
        "production.gateway.existingGateway.name: 'Public_Gateway' is not a Gateway name; use the metadata.name of the Gateway to attach to",
        "production.gateway.existingGateway.sectionName: '' is not a listener name; name the Gateway's listener to attach to " +
          "(e.g. 'https'), or the route attaches to every listener, plain HTTP included",
        "production.gateway.controllerNamespace: '' is not a valid namespace name; " +
          "use the namespace the controller's proxies run in (Envoy Gateway: 'envoy-gateway-system')",
        "production.gateway.host: 'shop example' is not a DNS name; use e.g. 'shop.example.com' or leave host out to match every host",
      ],
    },
    {
      name: 'a GatewayClass name that is not an object name',
      base: localGateway,
      mutate: (environment) => {
        environment.gateway.className = 'Envoy Gateway';
      },
      problems: [
        "local-gateway.gateway.className: 'Envoy Gateway' is not a GatewayClass name; use lowercase letters, digits, '-' and '.' (e.g. 'eg')",
      ],
    },
    {
      name: 'both an Ingress and Gateway API routing',
      base: local,
      mutate: (environment) => {
        environment.gateway = localGateway.gateway;
      },
      problems: [
        'local: sets both ingress and gateway; keep one (ingress renders an Ingress, gateway an HTTPRoute with a Gateway API controller)',
      ],
    },
    {
      name: 'no routing at all',
      base: local,
      mutate: (environment) => {
        delete environment.ingress;
      },
      problems: [
        "local: no routing; set ingress (an Ingress, e.g. controller 'f5-nginx-ingress') or gateway (an HTTPRoute, e.g. controller 'envoy-gateway')",
      ],
    },
  ];
}

describe('validateEnvironment', () => {
  test('accepts the shipped environments unchanged', () => {
    assert.equal(validateEnvironment(local), local);
    assert.equal(validateEnvironment(production), production);
    assert.equal(validateEnvironment(localGateway), localGateway);
    assert.equal(validateEnvironment(haproxyProduction), haproxyProduction);
  });

  for (const { name, base, mutate, problems } of CASES) {
    test(`reports ${name} with field path, value and fix`, () => {
      const environment = copyOf(base);
      mutate(environment);
      assert.deepEqual(environmentProblems(environment), problems);
    });
  }

  test('HPA behaviour at the API bounds is accepted: windows 0 and 3600 s, periods 1 and 1800 s, 100% down, Disabled', () => {
    const environment = copyOf(local);
    environment.hpaBehavior = {
      scaleUp: { stabilizationWindowSeconds: 3600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 1 }] },
      scaleDown: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Disabled',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 1800 }],
      },
    };
    assert.deepEqual(environmentProblems(environment), []);
  });

  test('a floor of 1 accepts a single replica, whatever the environment is called', () => {
    const environment = copyOf(local);
    environment.name = 'production';
    environment.sections.cakes.minReplicas = 1;
    assert.deepEqual(environmentProblems(environment), []);
  });

  test('collects every problem into one error instead of stopping at the first', () => {
    const environment = copyOf(local);
    environment.sections.cakes.minReplicas = 9;
    environment.sections.cakes.image.tag = 'latest';
    environment.ingress.loadBalancing = 'ewma';
    assert.throws(
      () => validateEnvironment(environment),
      (error: unknown) => {
        assert.ok(error instanceof EnvironmentValidationError);
        assert.equal(error.problems.length, 3);
        assert.equal(
          error.message,
          [
            "environment 'local' is invalid (3 problems):",
            `  - ${error.problems[0]}`,
            `  - ${error.problems[1]}`,
            `  - ${error.problems[2]}`,
          ].join('\n'),
        );
        assert.match(error.problems[0], /^local\.ingress\.loadBalancing: /);
        assert.match(error.problems[1], /^local\.sections\.cakes\.minReplicas: 9 /);
        assert.match(error.problems[2], /^local\.sections\.cakes\.image\.tag: 'latest' /);
        return true;
      },
    );
  });

  test('a single problem reads "1 problem"', () => {
    const environment = copyOf(local);
    environment.sections.cakes.image.tag = 'latest';
    assert.throws(() => validateEnvironment(environment), {
      message:
        "environment 'local' is invalid (1 problem):\n" +
        "  - local.sections.cakes.image.tag: 'latest' is not pinned; use an immutable version tag such as '0.1.0'",
    });
  });
});
