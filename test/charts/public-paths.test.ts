// /metrics is never public: the rendered routing (Ingress, and HTTPRoutes where rendered) exposes only the
// section prefixes, and whatever a tricky path reaches, the real replica behind it does not answer with metrics.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { METRICS_PATH } from '../../charts/monitoring.ts';
import { environments } from '../../config/index.ts';
import { SECTION_NAMES } from '../../config/vocabulary.ts';
import { type SpawnedServer, spawnServer } from '../service/helpers.ts';
import { normalizedPath, publicRoutes, routeFor } from './public-routes.ts';
import type { Manifest } from './render.ts';
import { render } from './render.ts';

/** Paths an outsider may try to reach a replica's /metrics through a section prefix. */
const ATTEMPTS = (section: string) => [
  METRICS_PATH,
  `${METRICS_PATH}/`,
  `//metrics`,
  `/${section}${METRICS_PATH}`,
  `/${section}${METRICS_PATH}/`,
  `/${section}//metrics`,
  `/${section}/./metrics`,
  `/${section}/METRICS`,
  `/${section}/../metrics`,
  `/${section}/%2e%2e/metrics`,
  `/${section}/..%2fmetrics`,
  `/${section}/items/../../metrics`,
  `/${section}metrics`,
];

describe('the routing exposes only the section prefixes', () => {
  for (const environment of Object.values(environments)) {
    const routes = publicRoutes(render(environment));

    test(`${environment.name}: every routed path is a section path to that section's Service`, () => {
      assert.ok(routes.length > 0);
      for (const route of routes) {
        assert.ok((SECTION_NAMES as readonly string[]).includes(route.service), `${route.owner} routes to ${route.service}`);
        assert.deepEqual([route.match, route.path], ['Prefix', `/${route.service}`], route.owner);
      }
    });

    test(`${environment.name}: no route matches /metrics, however it is spelt`, () => {
      for (const path of [METRICS_PATH, `${METRICS_PATH}/`, '//metrics', '/metrics/x', '/./metrics']) {
        assert.equal(routeFor(routes, normalizedPath(path)), undefined, path);
      }
    });
  }

  test('the path matcher follows the Ingress and Gateway API rules (element-wise Prefix, Exact first, every kind read)', () => {
    const routes = publicRoutes([
      ingress([{ path: '/chocolates', pathType: 'Prefix' }]),
      httpRoute([
        { type: 'PathPrefix', value: '/cakes' },
        { type: 'Exact', value: '/candies' },
      ]),
    ]);
    assert.equal(routeFor(routes, '/chocolates')?.service, 'chocolates');
    assert.equal(routeFor(routes, '/chocolates/metrics')?.service, 'chocolates');
    assert.equal(routeFor(routes, '/chocolatesmetrics'), undefined);
    assert.equal(routeFor(routes, '/cakes/x')?.owner, 'HTTPRoute/shop');
    assert.equal(routeFor(routes, '/candies')?.match, 'Exact');
    assert.equal(routeFor(routes, '/candies/metrics'), undefined);
    assert.equal(routeFor(publicRoutes([ingress([{ path: '/', pathType: 'Prefix' }])]), '/metrics')?.path, '/', 'a root prefix exposes it');
    assert.equal(routeFor(publicRoutes([httpRoute([])]), '/metrics')?.path, '/', 'an HTTPRoute rule without matches exposes everything');
    assert.throws(() => publicRoutes([ingress([{ path: '/x', pathType: 'ImplementationSpecific' }])]), /controller-specific/);
  });
});

describe('a replica behind a section prefix never answers a metrics request', () => {
  const replicas = new Map<string, SpawnedServer>();
  before(async () => {
    for (const section of SECTION_NAMES) replicas.set(section, await spawnServer({ SHOP_SECTION: section }));
  });
  after(() => {
    for (const replica of replicas.values()) replica.kill();
  });

  test('the replica does serve metrics on /metrics itself (so the answers below mean something)', async () => {
    const answer = await rawGet(replicas.get('chocolates')!, METRICS_PATH);
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^# HELP /m);
  });

  for (const environment of Object.values(environments)) {
    test(`${environment.name}: every path that reaches a replica through the routing gets a JSON 404 without metrics`, async () => {
      const routes = publicRoutes(render(environment));
      let reached = 0;
      for (const section of SECTION_NAMES) {
        for (const raw of ATTEMPTS(section)) {
          // A controller may match on the normalized or on the raw path; either way the replica gets the raw one.
          const backends = new Set([routeFor(routes, normalizedPath(raw)), routeFor(routes, raw)].filter((r) => r !== undefined));
          for (const route of backends) {
            const answer = await rawGet(replicas.get(route.service)!, raw);
            reached++;
            assert.equal(answer.status, 404, `${raw} via ${route.owner} -> ${route.service}: ${answer.status} ${answer.body.slice(0, 80)}`);
            assert.doesNotMatch(answer.body, /# (HELP|TYPE) /, raw);
            assert.ok(typeof (JSON.parse(answer.body) as { error?: unknown }).error === 'string', raw);
          }
        }
      }
      assert.ok(reached >= 3 * SECTION_NAMES.length, `only ${reached} attempts reached a replica: the test would prove little`);
    });
  }
});

/** GET with the path sent exactly as given (fetch would resolve dot segments first). */
function rawGet(replica: SpawnedServer, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: replica.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ingress(paths: { path: string; pathType: string }[]): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'shop' },
    spec: {
      rules: [
        {
          http: { paths: paths.map((p) => ({ ...p, backend: { service: { name: p.path.slice(1) || 'root', port: { name: 'http' } } } })) },
        },
      ],
    },
  };
}

function httpRoute(matches: { type: string; value: string }[]): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'shop' },
    spec: {
      rules:
        matches.length === 0
          ? [{ backendRefs: [{ name: 'everything', port: 80 }] }]
          : matches.map((path) => ({ matches: [{ path }], backendRefs: [{ name: path.value.slice(1), port: 80 }] })),
    },
  };
}
