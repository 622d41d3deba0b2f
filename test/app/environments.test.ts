import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { environmentNamed, environments, SECTION_NAMES, type SectionConfig, selectEnvironment } from '../../config/index.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('exports at least local and production, each named after its key (docs/contracts.md)', () => {
  assert.deepEqual(Object.keys(environments), ['local', 'local-gateway', 'production']);
  for (const [key, environment] of Object.entries(environments)) assert.equal(environment.name, key);
});

test('environmentNamed returns the environment, and an unknown name lists the known ones and where it came from', () => {
  assert.equal(environmentNamed('production'), environments.production);
  assert.throws(() => environmentNamed('staging'), {
    message: "unknown environment 'staging': choose one of local, local-gateway, production",
  });
  assert.throws(() => environmentNamed('staging', '--env'), {
    message: "unknown environment 'staging' (from --env): choose one of local, local-gateway, production",
  });
  assert.throws(() => environmentNamed('toString'), { message: /unknown environment 'toString'/ });
});

test('selectEnvironment: the --env flag wins, then SWEETSHOP_ENV, then local; an error names what the user used', () => {
  assert.equal(selectEnvironment('production', { SWEETSHOP_ENV: 'local' }), environments.production);
  assert.equal(selectEnvironment(undefined, { SWEETSHOP_ENV: 'production' }), environments.production);
  assert.equal(selectEnvironment(undefined, {}), environments.local);
  assert.throws(() => selectEnvironment('qa', { SWEETSHOP_ENV: 'production' }), { message: /^unknown environment 'qa' \(from --env\): / });
  assert.throws(() => selectEnvironment(undefined, { SWEETSHOP_ENV: 'qa' }), {
    message: /^unknown environment 'qa' \(from SWEETSHOP_ENV\): /,
  });
});

test("local fits a one-node kind/minikube cluster: 2 replicas per section, local images, F5's NGINX Ingress Controller least-connections", () => {
  const { local } = environments;
  assert.equal(local.imagePullPolicy, 'IfNotPresent');
  assert.equal(local.namespace, 'sweetshop');
  assert.deepEqual(local.ingress, {
    controller: 'f5-nginx-ingress',
    className: 'nginx',
    controllerNamespace: 'nginx-ingress',
    loadBalancing: 'least-connections',
  });
  // One node: a drain stops every replica whatever the floor, so local promises nothing more than 1.
  assert.deepEqual(local.availability, { minReplicasFloor: 1, spreadAcrossNodes: 'preferred' });
  for (const section of SECTION_NAMES) {
    const config: SectionConfig = local.sections[section];
    assert.equal(config.minReplicas, 2, section);
    assert.deepEqual(
      config.image,
      { repository: `sweetshop/${section}`, tag: packageVersion },
      `${section}: sweetshop/<section>:<package.json version>`,
    );
    assert.equal(config.path, `/${section}`);
  }
});

test('local-gateway is the local shop behind Envoy Gateway: a Gateway of class eg, least-request', () => {
  const { local, 'local-gateway': localGateway } = environments;
  assert.deepEqual(localGateway.gateway, {
    controller: 'envoy-gateway',
    className: 'eg',
    controllerNamespace: 'envoy-gateway-system',
    loadBalancing: 'least-request',
  });
  assert.equal(localGateway.ingress, undefined);
  const { name: _a, ingress: _b, ...shop } = local;
  const { name: _c, gateway: _d, ...gatewayShop } = localGateway;
  assert.deepEqual(gatewayShop, shop, 'namespace, images, sizes and floor as local');
});

test('production promises a replica through a node drain (floor 2) and routes through Gateway API with least-request', () => {
  const { production } = environments;
  assert.equal(production.ingress, undefined);
  assert.equal(production.gateway?.controller, 'envoy-gateway');
  assert.equal(production.gateway?.loadBalancing, 'least-request');
  assert.deepEqual(production.gateway?.existingGateway, { namespace: 'gateway-infra', name: 'public', sectionName: 'https' });
  assert.deepEqual(production.availability, { minReplicasFloor: 2, spreadAcrossNodes: 'required' });
  for (const section of SECTION_NAMES) {
    assert.ok(production.sections[section].minReplicas >= production.availability.minReplicasFloor, section);
    assert.ok(production.sections[section].maxReplicas > production.sections[section].minReplicas, `${section} can scale out`);
    assert.equal(production.sections[section].image.tag, packageVersion);
  }
});
