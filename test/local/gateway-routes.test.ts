// Local mode reads Gateway API routing: HTTPRoute rules become nginx locations, and the algorithm comes
// from the BackendTrafficPolicy attached to the route (the vocabulary's route-policy setting).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { localGateway } from '../../config/environments/local-gateway.ts';
import { production } from '../../config/environments/production.ts';
import type { EnvironmentConfig, GatewayConfig } from '../../config/types.ts';
import { interpretManifests, parseManifestFile, readShopManifests } from '../../tools/local/manifests/read-manifests.ts';
import { withRouting } from '../charts/render.ts';

const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-gateway-routes-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

function rendered(environment: EnvironmentConfig) {
  const dir = join(workdir, `${environment.name}-${Math.random().toString(36).slice(2)}`);
  synthesizeInto(environment, dir);
  return readShopManifests(dir);
}

describe('a Gateway API rendering, read from its synthesized files', () => {
  for (const environment of [localGateway, production]) {
    test(`${environment.name}: one Prefix route per section to its Service; LeastRequest runs as nginx least_conn`, () => {
      const manifests = rendered(environment);
      assert.deepEqual(
        manifests.routes.map(({ source, ...route }) => route),
        [
          { path: '/chocolates', pathType: 'Prefix', service: 'chocolates' },
          { path: '/candies', pathType: 'Prefix', service: 'candies' },
          { path: '/cakes', pathType: 'Prefix', service: 'cakes' },
        ],
      );
      for (const [i, route] of manifests.routes.entries())
        assert.match(route.source, new RegExp(`\\.yaml \\(HTTPRoute sweetshop\\): spec\\.rules\\[${i}\\]\\.matches\\[0\\]$`));
      assert.equal(manifests.balance?.algorithm, 'least-connections');
      assert.equal(manifests.balance?.source, 'BackendTrafficPolicy sweetshop spec.loadBalancer.type=LeastRequest');
      assert.match(manifests.balance?.note ?? '', /least_conn .* LeastRequest compares two at random/);
    });
  }

  test('round-robin (RoundRobin) runs as round robin, without a note', () => {
    const gateway = { ...(localGateway.gateway as GatewayConfig), loadBalancing: 'round-robin' } as GatewayConfig;
    const { balance } = rendered(withRouting(localGateway, { gateway }));
    assert.deepEqual(balance, { algorithm: 'round-robin', source: 'BackendTrafficPolicy sweetshop spec.loadBalancer.type=RoundRobin' });
  });
});

const SHOP = `apiVersion: apps/v1
kind: Deployment
metadata: { name: chocolates }
spec:
  template:
    metadata: { labels: { app: chocolates } }
    spec: { containers: [{ name: service, env: [{ name: SHOP_SECTION, value: chocolates }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: chocolates }
spec: { selector: { app: chocolates } }
`;
const route = (rule: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shop }
spec:
  parentRefs: [{ name: gw }]
  rules:
    - ${rule}
`;
const policy = (target: string, type: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: lb }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${target} }]
  loadBalancer: { type: ${type} }
`;
const interpret = (yaml: string) => interpretManifests(parseManifestFile('test.yaml', yaml));
const BACKEND = 'backendRefs: [{ name: chocolates, port: 80 }]';

describe('HTTPRoute rules and policies local mode reads, and what it refuses by name', () => {
  test('Exact and PathPrefix matches; a rule without matches is PathPrefix /', () => {
    const yaml = `${SHOP}${route(`matches: [{ path: { type: Exact, value: /chocolates } }, { path: { value: /c } }]\n      ${BACKEND}`)}`;
    const at = 'test.yaml (HTTPRoute shop): spec.rules[0].matches';
    assert.deepEqual(interpret(yaml).routes, [
      { path: '/chocolates', pathType: 'Exact', service: 'chocolates', source: `${at}[0]` },
      { path: '/c', pathType: 'Prefix', service: 'chocolates', source: `${at}[1]` },
    ]);
    assert.deepEqual(interpret(`${SHOP}${route(BACKEND)}`).routes, [
      { path: '/', pathType: 'Prefix', service: 'chocolates', source: `${at}[0]` },
    ]);
  });

  test('a policy on another HTTPRoute is not this route’s; without one, balancing is left to the default', () => {
    assert.equal(interpret(`${SHOP}${route(BACKEND)}${policy('other', 'RoundRobin')}`).balance, undefined);
  });

  test('refused: a regular expression, a header match, a filter, a split backend, an unknown Service, a path nginx.conf cannot hold, two matches on one location, a policy value local mode cannot run', () => {
    const cases: [string, RegExp][] = [
      [
        route(`matches: [{ path: { type: RegularExpression, value: /c.* } }]\n      ${BACKEND}`),
        /matches\[0\]\.path\.type: local mode runs PathPrefix and Exact, not RegularExpression/,
      ],
      [
        route(`matches: [{ path: { value: /c }, headers: [{ name: x, value: y }] }]\n      ${BACKEND}`),
        /matches\[0\]: local mode matches on the path only, not on headers/,
      ],
      [route(`filters: [{ type: URLRewrite }]\n      ${BACKEND}`), /spec\.rules\[0\]\.filters: local mode applies no HTTPRoute filters/],
      [route('backendRefs: [{ name: chocolates }, { name: chocolates }]'), /exactly one Service, found 2 backendRefs/],
      [route('backendRefs: [{ name: fudge, port: 80 }]'), /backendRefs\[0\]: backend Service fudge is not in the manifests/],
      // It reaches nginx.conf as a location, like an Ingress path: refused here, before anything starts.
      [
        route(`matches: [{ path: { type: Exact, value: "/x { return 200; }" } }]\n      ${BACKEND}`),
        /matches\[0\]\.path\.value "\/x \{ return 200; \}" is not a plain URL path: use letters, digits/,
      ],
      [
        route(`matches: [{ path: { value: /c } }, { path: { value: /c/ } }]\n      ${BACKEND}`),
        /matches\[1\] \(Prefix \/c\/\) and .*matches\[0\] \(Prefix \/c\) both become the nginx location "= \/c"/,
      ],
      [
        `${route(BACKEND)}${policy('shop', 'Random')}`,
        /BackendTrafficPolicy lb spec\.loadBalancer\.type=Random: unsupported value \(local mode runs RoundRobin or LeastRequest\)$/,
      ],
    ];
    for (const [yaml, message] of cases) assert.throws(() => interpret(`${SHOP}${yaml}`), message);
  });

  test('an Ingress and an HTTPRoute that disagree on the algorithm are refused: local mode runs one nginx', () => {
    const ingress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: old, annotations: { nginx.ingress.kubernetes.io/load-balance: round_robin } }
spec: { rules: [{ http: { paths: [{ path: /x, pathType: Prefix, backend: { service: { name: chocolates } } }] } }] }
`;
    assert.throws(
      () => interpret(`${SHOP}${ingress}${route(BACKEND)}${policy('shop', 'LeastRequest')}`),
      /the routes disagree on load balancing/,
    );
  });
});
