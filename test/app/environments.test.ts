import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { environmentNamed, environments } from '../../app/environments/index.ts';
import { SECTION_NAMES } from '../../app/environments/types.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('exports at least local and production, each named after its key (docs/contracts.md)', () => {
  assert.deepEqual(Object.keys(environments), ['local', 'production']);
  for (const [key, env] of Object.entries(environments)) assert.equal(env.name, key);
});

test('environmentNamed returns the environment, and an unknown name lists the known ones', () => {
  assert.equal(environmentNamed('production'), environments.production);
  assert.throws(() => environmentNamed('staging'), {
    message: "unknown environment 'staging': choose one of local, production (set SWEETSHOP_ENV)",
  });
  assert.throws(() => environmentNamed('toString'), { message: /unknown environment 'toString'/ });
});

test('local fits a one-node kind/minikube cluster: 2 replicas per section, local images, ingress-nginx round-robin', () => {
  const { local } = environments;
  assert.equal(local.imagePullPolicy, 'IfNotPresent');
  assert.equal(local.namespace, 'sweetshop');
  assert.deepEqual(local.ingress, {
    controller: 'ingress-nginx',
    className: 'nginx',
    controllerNamespace: 'ingress-nginx',
    loadBalancing: 'round-robin',
  });
  for (const section of SECTION_NAMES) {
    const config = local.sections[section];
    assert.equal(config.minReplicas, 2, section);
    assert.deepEqual(
      config.image,
      { repository: `sweetshop/${section}`, tag: packageVersion },
      `${section}: sweetshop/<section>:<package.json version>`,
    );
    assert.equal(config.path, `/${section}`);
  }
});

test('production keeps at least 2 replicas per section and runs behind a least-connections controller', () => {
  const { production } = environments;
  assert.equal(production.ingress.controller, 'haproxy-ingress');
  assert.equal(production.ingress.loadBalancing, 'least-connections');
  for (const section of SECTION_NAMES) {
    assert.ok(production.sections[section].minReplicas >= 2, section);
    assert.ok(production.sections[section].maxReplicas > production.sections[section].minReplicas, `${section} can scale out`);
    assert.equal(production.sections[section].image.tag, packageVersion);
  }
});
