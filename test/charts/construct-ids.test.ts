// Construct ids are API: cdk8s derives labels and (without explicit names) object names from the
// construct path, and a changed Deployment selector forces a delete-and-recreate. This pins the tree.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ApiObject, Testing } from 'cdk8s';

import { CHART_ID } from '../../app/build-app.ts';
import { SweetShopChart } from '../../charts/sweetshop-chart.ts';
import { local } from '../../config/environments/local.ts';
import { localGateway } from '../../config/environments/local-gateway.ts';
import { production } from '../../config/environments/production.ts';
import { testApp } from './render.ts';

test('every object sits at a pinned construct path with a pinned kind and name', () => {
  const chart = new SweetShopChart(testApp(), CHART_ID, { environment: local });
  const actual = chart.node
    .findAll()
    .filter((node): node is ApiObject => node instanceof ApiObject)
    .map((object) => `${object.node.path} -> ${object.kind}/${object.name}`)
    .sort();
  const perSection = (id: string, name: string) => [
    `sweetshop/${id}/Deployment/Resource -> Deployment/${name}`,
    `sweetshop/${id}/Hpa/Resource -> HorizontalPodAutoscaler/${name}`,
    `sweetshop/${id}/NetworkPolicy -> NetworkPolicy/${name}`,
    `sweetshop/${id}/Pdb -> PodDisruptionBudget/${name}`,
    `sweetshop/${id}/Service/Resource -> Service/${name}`,
    `sweetshop/${id}/ServiceAccount/Resource -> ServiceAccount/${name}`,
  ];
  assert.deepEqual(
    actual,
    [
      'sweetshop/DefaultDeny -> NetworkPolicy/default-deny',
      'sweetshop/Ingress -> Ingress/sweetshop',
      'sweetshop/Namespace/Resource -> Namespace/sweetshop',
      ...perSection('Cakes', 'cakes'),
      ...perSection('Candies', 'candies'),
      ...perSection('Chocolates', 'chocolates'),
    ].sort(),
  );
});

test('Gateway API routing adds its objects at pinned paths; the sections keep the same paths as with an Ingress', () => {
  const paths = (environment: typeof local) =>
    new SweetShopChart(testApp(), CHART_ID, { environment }).node
      .findAll()
      .filter((node): node is ApiObject => node instanceof ApiObject)
      .map((object) => `${object.node.path} -> ${object.kind}/${object.name}`)
      .sort();
  const shared = paths(local).filter((path) => path !== 'sweetshop/Ingress -> Ingress/sweetshop');
  const routing = ['sweetshop/BackendTrafficPolicy -> BackendTrafficPolicy/sweetshop', 'sweetshop/HttpRoute -> HTTPRoute/sweetshop'];
  assert.deepEqual(paths(localGateway), [...shared, ...routing, 'sweetshop/Gateway -> Gateway/sweetshop'].sort());
  assert.deepEqual(paths(production), [...shared, ...routing, ...MONITORING].sort());
});

/** Where monitoring is on (production): per section a PodMonitor and a scrape policy, and one dashboard. */
const MONITORING = [
  'sweetshop/Monitoring/Dashboard -> ConfigMap/sweetshop-dashboard',
  ...['Cakes', 'Candies', 'Chocolates'].flatMap((id) => [
    `sweetshop/Monitoring/${id}PodMonitor -> PodMonitor/${id.toLowerCase()}`,
    `sweetshop/Monitoring/${id}ScrapePolicy -> NetworkPolicy/${id.toLowerCase()}-metrics`,
  ]),
];

test('no synthesized label or selector depends on a construct path (cdk8s.io/metadata.addr)', () => {
  const manifests = Testing.synth(new SweetShopChart(testApp(), CHART_ID, { environment: local }));
  assert.doesNotMatch(JSON.stringify(manifests), /cdk8s\.io\/metadata\.addr/);
});
