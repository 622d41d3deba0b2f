import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { interpretManifests, parseManifestFile, readShopManifests } from '../../tools/local/manifests/read-manifests.ts';
import { resolveReplicaCounts } from '../../tools/local/manifests/replica-counts.ts';
import { renderBalancerConfig } from '../../tools/local/nginx/nginx-config.ts';
import { FIXTURES } from './support/test-shop.ts';

// What a manifest may carry into nginx.conf (Service names, Ingress paths) or into a replica's process
// (env, replica count) is checked before nginx or a replica starts: a manifest must not inject config.

interface ShopValues {
  deployment: string;
  service: string;
  backend: string;
  path: string;
  pathType: string;
  envName: string;
  envValue: string;
  minReplicas: number;
  loadBalance: string;
}

const PLAIN: ShopValues = {
  deployment: 'chocolates',
  service: 'chocolates',
  backend: 'chocolates',
  path: '/chocolates',
  pathType: 'Prefix',
  envName: 'SHOP_SECTION',
  envValue: 'chocolates',
  minReplicas: 2,
  loadBalance: 'round_robin',
};

// One section in the shape of the chocolates-only fixture; every value goes in as a JSON string, which
// YAML reads back exactly (newlines, quotes and all).
function shopYaml(overrides: Partial<ShopValues>): string {
  const v = Object.fromEntries(Object.entries({ ...PLAIN, ...overrides }).map(([k, x]) => [k, JSON.stringify(x)]));
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${v.deployment} }
spec:
  template:
    metadata: { labels: { app: chocolates } }
    spec:
      containers:
        - name: service
          env: [{ name: ${v.envName}, value: ${v.envValue} }]
---
apiVersion: v1
kind: Service
metadata: { name: ${v.service} }
spec: { selector: { app: chocolates } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: chocolates }
spec: { scaleTargetRef: { kind: Deployment, name: ${v.deployment} }, minReplicas: ${v.minReplicas} }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: sweetshop, annotations: { nginx.ingress.kubernetes.io/load-balance: ${v.loadBalance} } }
spec:
  rules:
    - http:
        paths: [{ path: ${v.path}, pathType: ${v.pathType}, backend: { service: { name: ${v.backend}, port: { name: http } } } }]
`;
}

function read(overrides: Partial<ShopValues>) {
  return interpretManifests(parseManifestFile('shop.yaml', shopYaml(overrides)));
}

describe('manifest values that reach nginx.conf or a replica process', () => {
  test('the plain shop is accepted (the table below changes one value at a time)', () => {
    const manifests = read({});
    assert.deepEqual(manifests.routes, [
      { path: '/chocolates', pathType: 'Prefix', service: 'chocolates', source: 'shop.yaml (Ingress sweetshop): rules[0].http.paths[0]' },
    ]);
    assert.equal(resolveReplicaCounts(manifests.deployments).get('chocolates'), 2);
    for (const path of ['/', '/chocolates/', '/v1.2/chocolates', '/a_b/c-d/~e']) assert.equal(read({ path }).routes[0]!.path, path);
  });

  test('fixture injected-ingress-path (an Exact path that closes its location and opens one of its own) is refused, naming the Ingress and the path', () => {
    assert.throws(
      () => readShopManifests(join(FIXTURES, 'injected-ingress-path')),
      (error: Error) => {
        assert.equal(
          error.message,
          `${join(FIXTURES, 'injected-ingress-path', 'shop.k8s.yaml')} (Ingress sweetshop): rules[0].http.paths[0].path ` +
            `"/chocolates { proxy_pass http://chocolates; } location = /injected { return 200 \\"injected\\"; } location = /x" ` +
            'is not a plain URL path: use letters, digits and - . _ ~ between single slashes (local mode writes it into nginx.conf)',
        );
        return true;
      },
    );
  });

  const hostilePaths = [
    '/a;b',
    '/a{b',
    '/a}b',
    "/a'b",
    '/a"b',
    '/a b',
    '/a\nb',
    '/a\tb',
    '/a$host',
    '/a#b',
    '/a\\b',
    '/a%3Bb',
    '/a(b)',
    '//a',
    '/a/../b',
    '/./a',
    'chocolates',
    '',
  ];
  for (const path of hostilePaths) {
    test(`Ingress path ${JSON.stringify(path)} is refused, naming the object and the path`, () => {
      assert.throws(
        () => read({ path }),
        new Error(
          `shop.yaml (Ingress sweetshop): rules[0].http.paths[0].path ${JSON.stringify(path)} is not a plain URL path: ` +
            'use letters, digits and - . _ ~ between single slashes (local mode writes it into nginx.conf)',
        ),
      );
    });
  }

  test('a pathType other than Exact, Prefix or ImplementationSpecific is refused', () => {
    assert.throws(
      () => read({ pathType: 'Regex; }' }),
      new Error(
        'shop.yaml (Ingress sweetshop): rules[0].http.paths[0].pathType "Regex; }" must be Exact, Prefix or ImplementationSpecific',
      ),
    );
  });

  for (const name of ['chocolates; }', 'chocolates {', 'Chocolates', 'choc olates', 'chocolates\nx', '1chocolates', 'a'.repeat(64)]) {
    test(`Service name ${JSON.stringify(name)} (an nginx upstream name) is refused`, () => {
      assert.throws(
        () => read({ service: name, backend: name }),
        new Error(
          `shop.yaml document 2: Service metadata.name ${JSON.stringify(name)} is not a DNS-1035 label ` +
            '(lower-case letters, digits and -, starting with a letter, at most 63 characters)',
        ),
      );
    });
  }

  for (const name of ['chocolates;', 'choc olates', 'chocolates\n', '-chocolates', 'Chocolates']) {
    test(`Deployment name ${JSON.stringify(name)} (a section and pod name) is refused`, () => {
      assert.throws(
        () => read({ deployment: name }),
        new Error(
          `shop.yaml document 1: Deployment metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain ` +
            '(lower-case letters, digits, - and ., at most 253 characters)',
        ),
      );
    });
  }

  test('an env var name that is not a Kubernetes env name, or a value with a NUL byte (a process cannot carry it), is refused', () => {
    assert.throws(
      () => read({ envName: 'A=B' }),
      new Error(
        'shop.yaml (Deployment chocolates): env[0]: name "A=B" is not a valid env var name (letters, digits, - . _, not starting with a digit)',
      ),
    );
    assert.throws(
      () => read({ envValue: 'a\0b' }),
      new Error(
        'shop.yaml (Deployment chocolates): env[0]: SHOP_SECTION has a NUL byte in its value, which no process environment can hold',
      ),
    );
  });

  test('an env value too large for a process environment is refused naming the Deployment and the variable, not "spawn E2BIG"', () => {
    // Linux refuses one NAME=value string over 128 KiB (MAX_ARG_STRLEN) at exec, as a pod's runtime would.
    assert.throws(
      () => read({ envValue: 'x'.repeat(200_000) }),
      new Error(
        'shop.yaml (Deployment chocolates): env[0]: SHOP_SECTION is 200,014 bytes as SHOP_SECTION=value, ' +
          'above the 131,072 bytes Linux allows one environment string (MAX_ARG_STRLEN): no process can start with it',
      ),
    );
    assert.equal(read({ envValue: 'x'.repeat(100_000) }).deployments[0]!.env.length, 1);
  });

  test('a replica count from the manifests above the local cap is refused, saying how to override it', () => {
    const deployments = read({ minReplicas: 100_000 }).deployments;
    assert.throws(
      () => resolveReplicaCounts(deployments),
      new Error('replicas: chocolates=100000 (from the manifests) is above the local cap of 16: pass --replicas chocolates=<1..16>'),
    );
    assert.equal(resolveReplicaCounts(deployments, { chocolates: 3 }).get('chocolates'), 3);
  });

  test('a load-balancing annotation value carrying nginx syntax is refused (only the listed values are accepted)', () => {
    assert.throws(() => read({ loadBalance: 'round_robin; } server { listen 1' }), /unsupported value \(expected round_robin or ewma\)/);
  });

  test('renderBalancerConfig refuses such values too, whoever calls it', () => {
    const input = {
      prefix: '/tmp/x',
      listenPort: 1,
      balance: 'round-robin' as const,
      upstreams: [{ name: 'chocolates', ports: [2] }],
      locations: [{ path: '/chocolates', pathType: 'Prefix' as const, upstream: 'chocolates' }],
    };
    assert.throws(
      () => renderBalancerConfig({ ...input, locations: [{ ...input.locations[0]!, path: '/a { }' }] }),
      /location path "\/a \{ \}" is not a plain URL path/,
    );
    assert.throws(
      () => renderBalancerConfig({ ...input, upstreams: [{ name: 'x {', ports: [2] }], locations: [] }),
      /upstream name "x \{" is not a DNS-1035 label/,
    );
  });
});
