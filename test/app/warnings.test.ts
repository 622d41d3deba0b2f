// The one line synth and plan print for an environment naming a retired controller, and its absence otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { local } from '../../config/environments/local.ts';
import { environments, environmentWarnings } from '../../config/index.ts';
import { validateEnvironment } from '../../config/validate.ts';
import { withRouting } from '../charts/render.ts';

const onIngressNginx = withRouting(local, {
  ingress: { controller: 'ingress-nginx', className: 'nginx', controllerNamespace: 'ingress-nginx', loadBalancing: 'round-robin' },
});

test('an environment naming ingress-nginx still validates, and gets one line: retired since when, and what to choose', () => {
  assert.equal(validateEnvironment(onIngressNginx), onIngressNginx);
  assert.deepEqual(environmentWarnings(onIngressNginx), [
    "warning: local.ingress.controller 'ingress-nginx' is retired (no releases or security fixes since March 2026): " +
      "choose ingress.controller 'f5-nginx-ingress' (IngressClass nginx, annotation nginx.org/lb-method) or a gateway with controller 'envoy-gateway'",
  ]);
});

test('no shipped environment gets a warning: the default (local) names a maintained controller', () => {
  assert.equal(local.ingress?.controller, 'f5-nginx-ingress');
  for (const [name, environment] of Object.entries(environments)) assert.deepEqual(environmentWarnings(environment), [], name);
});

test('an unknown controller is no warning (validation names it), and does not throw', () => {
  const unknown = withRouting(local, { ingress: { ...local.ingress!, controller: 'traefik' as 'ingress-nginx' } });
  assert.deepEqual(environmentWarnings(unknown), []);
});
