import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { interpretManifests, parseManifestFile, readShopManifests } from '../../tools/local/manifests/read-manifests.ts';
import { checkAutoscaleTotal, parseReplicaFlags, resolveReplicaCounts } from '../../tools/local/manifests/replica-counts.ts';
import { balanceFromIngressAnnotations, parseLocalAlgorithm } from '../../tools/local/nginx/balance.ts';
import { FIXTURES } from './support/test-shop.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: chocolates }
spec:
  replicas: 3
  template:
    metadata: { labels: { app.kubernetes.io/name: chocolates } }
    spec:
      containers:
        - name: service
          env:
            - { name: SHOP_SECTION, value: chocolates }
            - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
---
apiVersion: v1
kind: Service
metadata: { name: chocolates }
spec: { selector: { app.kubernetes.io/name: chocolates } }
`;
const INGRESS = (service: string, annotations = '{}') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: sweetshop, annotations: ${annotations} }
spec:
  rules:
    - http:
        paths:
          - { path: /chocolates, pathType: Prefix, backend: { service: { name: ${service}, port: { name: http } } } }
`;

function interpret(yaml: string) {
  return interpretManifests(parseManifestFile('test.yaml', yaml));
}

describe('readShopManifests', () => {
  test("the committed dist/ balances as F5's controller would: its least_conn is local nginx's least_conn, exactly", () => {
    assert.deepEqual(readShopManifests(join(REPO_ROOT, 'dist')).balance, {
      algorithm: 'least-connections',
      source: 'Ingress sweetshop nginx.org/lb-method=least_conn',
    });
  });

  test('the committed dist/ gives three sections, each with its Service and Ingress path, and HPA minReplicas as the count', () => {
    const manifests = readShopManifests(join(REPO_ROOT, 'dist'));
    const sections = ['chocolates', 'candies', 'cakes'];
    assert.deepEqual(manifests.deployments.map((d) => d.name).sort(), [...sections].sort());
    for (const section of sections) {
      const deployment = manifests.deployments.find((d) => d.name === section)!;
      assert.ok(deployment.replicas >= 1);
      assert.deepEqual(
        deployment.env.find((e) => e.name === 'SHOP_SECTION'),
        { name: 'SHOP_SECTION', value: section },
      );
      assert.deepEqual(
        deployment.env.find((e) => e.name === 'POD_NAME'),
        { name: 'POD_NAME', podName: true },
      );
      assert.deepEqual(
        manifests.services.find((s) => s.name === section),
        { name: section, deployment: section },
      );
      const { source, ...route } = manifests.routes.find((r) => r.service === section)!;
      assert.deepEqual(route, { path: `/${section}`, pathType: 'Prefix', service: section });
      assert.match(source, /\.k8s\.yaml \(Ingress sweetshop\): rules\[0\]\.http\.paths\[\d\]$/);
    }
  });

  test('the fixture takes its count from the HPA (2) and its balancing from the HAProxy annotation', () => {
    const manifests = readShopManifests(join(FIXTURES, 'chocolates-only'));
    assert.equal(manifests.deployments[0]!.replicas, 2);
    assert.equal(manifests.balance?.algorithm, 'least-connections');
  });

  test('a directory without manifests is an error that says to synthesize', () => {
    assert.throws(() => readShopManifests(join(FIXTURES, 'does-not-exist')), /cannot read manifests directory .*npm run synth/);
  });
});

describe('interpretManifests', () => {
  test('without an HPA, spec.replicas is the count', () => {
    assert.equal(interpret(DEPLOYMENT + INGRESS('chocolates')).deployments[0]!.replicas, 3);
  });

  test('an Ingress path naming a missing Service is an error naming both', () => {
    assert.throws(() => interpret(DEPLOYMENT + INGRESS('fudge')), /paths\[0\]: backend Service fudge is not in the manifests/);
  });

  test('an env var from a Secret is an error naming the variable', () => {
    const yaml = DEPLOYMENT.replace(
      '- { name: SHOP_SECTION, value: chocolates }',
      '- { name: TOKEN, valueFrom: { secretKeyRef: { name: s, key: k } } }',
    );
    assert.throws(() => interpret(yaml + INGRESS('chocolates')), /env\[0\]: TOKEN uses valueFrom .* local mode cannot provide/);
  });

  test('invalid YAML names the file and document', () => {
    assert.throws(() => parseManifestFile('bad.yaml', 'kind: Service\nmetadata: {name: x\n'), /bad\.yaml document 1: invalid YAML/);
  });

  test('an unknown balancing annotation value is an error listing the accepted ones', () => {
    const yaml = DEPLOYMENT + INGRESS('chocolates', '{ nginx.ingress.kubernetes.io/load-balance: random }');
    assert.throws(() => interpret(yaml), /load-balance=random: unsupported value \(expected round_robin or ewma\)/);
  });
});

describe('balancing annotations (contracts.md)', () => {
  const cases: Array<[Record<string, string>, string]> = [
    // F5's NGINX Ingress Controller (local's): round_robin and least_conn are the same nginx methods here.
    [{ 'nginx.org/lb-method': 'round_robin' }, 'round-robin'],
    [{ 'nginx.org/lb-method': 'least_conn' }, 'least-connections'],
    [{ 'nginx.org/lb-method': 'random two least_conn' }, 'least-connections'],
    [{ 'nginx.ingress.kubernetes.io/load-balance': 'round_robin' }, 'round-robin'],
    [{ 'nginx.ingress.kubernetes.io/load-balance': 'ewma' }, 'least-connections'],
    [{ 'haproxy-ingress.github.io/balance-algorithm': 'roundrobin' }, 'round-robin'],
    [{ 'haproxy-ingress.github.io/balance-algorithm': 'leastconn' }, 'least-connections'],
  ];
  for (const [annotations, expected] of cases) {
    test(`${JSON.stringify(annotations)} -> ${expected}`, () => {
      assert.equal(balanceFromIngressAnnotations(annotations, 'sweetshop')?.algorithm, expected);
    });
  }

  test('ewma says that nginx OSS has no EWMA', () => {
    assert.match(balanceFromIngressAnnotations({ 'nginx.ingress.kubernetes.io/load-balance': 'ewma' }, 'x')!.note!, /no EWMA/);
  });

  test("F5's `random two least_conn` (least-request) runs as least_conn, and says it compares all replicas, not two", () => {
    const choice = balanceFromIngressAnnotations({ 'nginx.org/lb-method': 'random two least_conn' }, 'x')!;
    assert.equal(choice.source, 'Ingress x nginx.org/lb-method=random two least_conn');
    assert.match(choice.note!, /least_conn picks the fewest requests in flight among all replicas/);
  });

  test("an nginx-based controller's annotation wins over HAProxy Ingress's; an unknown F5 value lists F5's values", () => {
    const both = { 'haproxy-ingress.github.io/balance-algorithm': 'roundrobin', 'nginx.org/lb-method': 'least_conn' };
    assert.equal(balanceFromIngressAnnotations(both, 'x')?.algorithm, 'least-connections');
    assert.throws(
      () => balanceFromIngressAnnotations({ 'nginx.org/lb-method': 'ip_hash' }, 'x'),
      /nginx\.org\/lb-method=ip_hash: unsupported value \(expected round_robin or least_conn or random two least_conn\)/,
    );
  });

  test('no annotation -> undefined (the caller falls back to round robin)', () => {
    assert.equal(balanceFromIngressAnnotations({}, 'sweetshop'), undefined);
  });

  test('--balance accepts the two names and rejects others with the list', () => {
    assert.equal(parseLocalAlgorithm('least-connections'), 'least-connections');
    assert.equal(parseLocalAlgorithm('least_conn'), 'least-connections');
    assert.equal(parseLocalAlgorithm('round-robin'), 'round-robin');
    assert.throws(() => parseLocalAlgorithm('random'), /--balance random: expected round-robin or least-connections/);
    // Names every plain object inherits are not algorithms either.
    assert.throws(() => parseLocalAlgorithm('constructor'), /--balance constructor: expected/);
  });

  test('an annotation value an object inherits (toString) is refused like any unknown value', () => {
    assert.throws(
      () => balanceFromIngressAnnotations({ 'nginx.ingress.kubernetes.io/load-balance': 'toString' }, 'x'),
      /nginx\.ingress\.kubernetes\.io\/load-balance=toString: unsupported value \(expected round_robin or ewma\)/,
    );
  });
});

describe('replica counts', () => {
  const deployments = interpret(DEPLOYMENT + INGRESS('chocolates')).deployments;

  test('--replicas chocolates=5 overrides the manifest', () => {
    assert.equal(resolveReplicaCounts(deployments, parseReplicaFlags(['chocolates=5'])).get('chocolates'), 5);
  });

  test('an unknown section is an error listing the known ones', () => {
    assert.throws(() => resolveReplicaCounts(deployments, { fudge: 2 }), /unknown section fudge \(the manifests have chocolates\)/);
  });

  test('a count of 0 or above the cap is an error', () => {
    assert.throws(() => resolveReplicaCounts(deployments, { chocolates: 0 }), /chocolates=0 must be a whole number from 1 to 16/);
    assert.throws(() => resolveReplicaCounts(deployments, { chocolates: 99 }), /chocolates=99 must be/);
  });

  test('a malformed flag is an error showing the expected form', () => {
    assert.throws(() => parseReplicaFlags(['chocolates:3']), /--replicas chocolates:3: expected <section>=<count>/);
    assert.deepEqual(parseReplicaFlags(['chocolates=3,cakes=1']), { chocolates: 3, cakes: 1 });
  });
});

describe('the total replica count', () => {
  // n Deployments, each with its own Service and Ingress path, at `replicas` each.
  function sections(n: number, replicas: number) {
    const yaml = Array.from({ length: n }, (_, i) =>
      DEPLOYMENT.replaceAll('chocolates', `section${i}`).replace('replicas: 3', `replicas: ${replicas}`),
    ).join('---\n');
    return interpret(`${yaml}---\n${INGRESS('section0')}`).deployments;
  }

  test('at most 64 replica processes in all: 5 sections x 16 is refused naming the total and the cap', () => {
    assert.equal(
      [...resolveReplicaCounts(sections(4, 16)).values()].reduce((a, b) => a + b),
      64,
    );
    assert.throws(
      () => resolveReplicaCounts(sections(5, 16)),
      /^Error: replicas: 80 replica processes in all \(section0=16, section1=16, section2=16, section3=16, section4=16\) is above the local cap of 64 in total: lower some with --replicas <section>=<n>$/,
    );
  });

  test('--replicas counts too, and can bring the total under the cap', () => {
    assert.equal(resolveReplicaCounts(sections(5, 12), { section0: 16 }).size, 5); // 64
    assert.throws(
      () => resolveReplicaCounts(sections(5, 12), { section0: 16, section1: 13 }),
      /^Error: replicas: 65 replica processes in all/,
    );
    assert.equal(resolveReplicaCounts(sections(5, 16), { section0: 1, section1: 1 }).size, 5); // 50
  });

  test('--autoscale: the sections can scale to at most 64 processes in all (HPA maxReplicas, else the count)', () => {
    const counts = new Map([
      ['chocolates', 2],
      ['candies', 2],
      ['cakes', 2],
    ]);
    const max = (target: string, maxReplicas: number) => ({ target, maxReplicas });
    checkAutoscaleTotal(counts, [max('chocolates', 16), max('candies', 16)]); // 16 + 16 + 2
    assert.throws(
      () =>
        checkAutoscaleTotal(
          new Map([...counts, ['fudge', 2], ['toffee', 2]]),
          ['chocolates', 'candies', 'cakes', 'fudge', 'toffee'].map((s) => max(s, 16)).slice(0, 4),
        ),
      /^Error: --autoscale: the sections can scale to 66 replica processes in all \(chocolates=16, candies=16, cakes=16, fudge=16, toffee=2\), above the local cap of 64 in total: lower some HPA maxReplicas$/,
    );
  });
});

describe('routes and Services that would collide in nginx.conf: refused before anything starts, naming both', () => {
  // Two paths in one Ingress, to the one Service.
  const twoPaths = (a: string, b: string) =>
    DEPLOYMENT +
    INGRESS('chocolates').replace(
      '          - { path: /chocolates, pathType: Prefix,',
      `          - { ${a}, backend: { service: { name: chocolates, port: { name: http } } } }\n          - { ${b},`,
    );

  test('Exact /chocolates and Prefix /chocolates: both are nginx location "= /chocolates"', () => {
    assert.throws(
      () => interpret(twoPaths('path: /chocolates, pathType: Exact', 'path: /chocolates, pathType: Prefix')),
      /^Error: test\.yaml \(Ingress sweetshop\): rules\[0\]\.http\.paths\[1\] \(Prefix \/chocolates\) and test\.yaml \(Ingress sweetshop\): rules\[0\]\.http\.paths\[0\] \(Exact \/chocolates\) both become the nginx location "= \/chocolates"/,
    );
  });

  test('Prefix /chocolates and Prefix /chocolates/: the same two locations', () => {
    assert.throws(
      () => interpret(twoPaths('path: /chocolates, pathType: Prefix', 'path: /chocolates/, pathType: ImplementationSpecific')),
      /paths\[1\] \(Prefix \/chocolates\/\) and .*paths\[0\] \(Prefix \/chocolates\) both become the nginx location "= \/chocolates"/,
    );
  });

  test('the same path twice is the same collision', () => {
    assert.throws(() => interpret(twoPaths('path: /chocolates, pathType: Prefix', 'path: /chocolates, pathType: Prefix')), /both become/);
  });

  test('distinct locations pass: Exact /chocolates/ beside Prefix /chocolates, and Prefix / beside them', () => {
    const routes = interpret(twoPaths('path: /chocolates/, pathType: Exact', 'path: /chocolates, pathType: Prefix')).routes;
    assert.deepEqual(
      routes.map((r) => `${r.pathType} ${r.path}`),
      ['Exact /chocolates/', 'Prefix /chocolates'],
    );
  });

  test('a second Service of the same name (one nginx upstream each) is refused naming both', () => {
    const second = DEPLOYMENT.slice(DEPLOYMENT.indexOf('---\napiVersion: v1\nkind: Service'));
    assert.throws(
      () => interpret(DEPLOYMENT + second + INGRESS('chocolates')),
      /^Error: test\.yaml document 3: a second Service chocolates \(the first is test\.yaml document 2\): local mode runs one nginx upstream per Service name/,
    );
  });
});

describe('manifest mistakes named by object, before anything starts', () => {
  const HPA = (name: string, min: number, max: number) => `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ${name} }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: chocolates }, minReplicas: ${min}, maxReplicas: ${max} }
`;

  test('a YAML alias bomb names the file and document', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 9 }, (_, i) => {
        const prev = i === 0 ? 'a' : String.fromCharCode(98 + i - 1);
        const name = String.fromCharCode(98 + i);
        return `${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`;
      }),
    ].join('\n');
    assert.throws(() => parseManifestFile('bomb.yaml', bomb), /^Error: bomb\.yaml document 1: .*(alias|resource exhaustion)/i);
  });

  test('a container env over 1 MiB in all is refused naming the Deployment and the size', () => {
    const big = Array.from({ length: 9 }, (_, i) => `            - { name: V${i}, value: ${'x'.repeat(120_000)} }`).join('\n');
    const yaml = DEPLOYMENT.replace('          env:\n', `          env:\n${big}\n`);
    assert.throws(
      () => interpret(yaml + INGRESS('chocolates')),
      /^Error: test\.yaml \(Deployment chocolates\): container service env is 1,080,\d{3} bytes in all, above the local cap of 1,048,576 bytes \(1 MiB\)/,
    );
  });

  test('a Deployment without a container named service is refused naming it and the containers it has', () => {
    const yaml = DEPLOYMENT.replace('- name: service', '- name: app');
    assert.throws(
      () => interpret(yaml + INGRESS('chocolates')),
      /^Error: test\.yaml \(Deployment chocolates\): spec\.template\.spec\.containers has no container named service \(it has app\)/,
    );
  });

  test('a Service without a selector, routed to: named as such, not as "not in the manifests"', () => {
    const yaml = DEPLOYMENT.replace('spec: { selector: { app.kubernetes.io/name: chocolates } }', 'spec: { ports: [{ port: 80 }] }');
    assert.throws(
      () => interpret(yaml + INGRESS('chocolates')),
      /paths\[0\]: backend Service chocolates has no spec\.selector \(test\.yaml \(Service chocolates\)\): local mode routes a Service to the one Deployment its selector matches/,
    );
  });

  test('two HPAs on one Deployment are refused naming both', () => {
    assert.throws(
      () => interpret(DEPLOYMENT + HPA('one', 2, 4) + HPA('two', 3, 5) + INGRESS('chocolates')),
      /^Error: test\.yaml \(HorizontalPodAutoscaler two\): Deployment chocolates already has test\.yaml \(HorizontalPodAutoscaler one\)/,
    );
  });

  test('an HPA with minReplicas above maxReplicas is refused, also without --autoscale', () => {
    assert.throws(
      () => interpret(DEPLOYMENT + HPA('one', 5, 3) + INGRESS('chocolates')),
      /^Error: test\.yaml \(HorizontalPodAutoscaler one\): spec\.minReplicas \(5\) is above spec\.maxReplicas \(3\)/,
    );
    assert.equal(interpret(DEPLOYMENT + HPA('one', 3, 3) + INGRESS('chocolates')).deployments[0]!.replicas, 3);
  });
});
