// The chart writes and local mode reads the same vocabulary (app/environments/vocabulary.ts): every
// pair the chart can render must come back as the algorithm local nginx runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  INGRESS_CONTROLLER_NAMES,
  INGRESS_CONTROLLERS,
  LOAD_BALANCING_ALGORITHMS,
  supportedAlgorithms,
  unsupportedLoadBalancing,
} from '../../app/environments/vocabulary.ts';
import { loadBalancingAnnotations } from '../../charts/load-balancing.ts';
import { balanceFromIngressAnnotations, parseLocalAlgorithm } from '../../tools/local/balance.ts';

// What local nginx (OSS) runs for each portable algorithm: it has no EWMA, least_conn is the closest.
const LOCAL_EQUIVALENT = { 'round-robin': 'round-robin', 'least-connections': 'least-connections', ewma: 'least-connections' };

for (const controller of INGRESS_CONTROLLER_NAMES) {
  for (const algorithm of LOAD_BALANCING_ALGORITHMS) {
    const reason = unsupportedLoadBalancing(controller, algorithm);
    if (reason === undefined) {
      test(`${controller} ${algorithm}: local mode reads the chart's annotation as ${LOCAL_EQUIVALENT[algorithm]}`, () => {
        const annotations = loadBalancingAnnotations(controller, algorithm);
        assert.deepEqual(Object.keys(annotations), [INGRESS_CONTROLLERS[controller].balancing.key]);
        assert.equal(balanceFromIngressAnnotations(annotations, 'sweetshop')?.algorithm, LOCAL_EQUIVALENT[algorithm]);
      });
    } else {
      test(`${controller} ${algorithm}: the chart refuses it with the vocabulary's reason`, () => {
        assert.throws(() => loadBalancingAnnotations(controller, algorithm), { message: reason });
        assert.match(reason, new RegExp(`^${controller} cannot do '${algorithm}' \\(.+; it supports .+\\): .+`));
      });
    }
  }
}

test('every controller runs round-robin and reads its own annotation key', () => {
  for (const controller of INGRESS_CONTROLLER_NAMES) {
    assert.ok(
      supportedAlgorithms(controller).some((each) => each.algorithm === 'round-robin'),
      controller,
    );
  }
  const keys = INGRESS_CONTROLLER_NAMES.map((controller) => INGRESS_CONTROLLERS[controller].balancing.key);
  assert.equal(new Set(keys).size, keys.length);
});

test("--balance accepts the controllers' annotation spellings of what local nginx runs, and nginx's least_conn", () => {
  for (const spelling of ['round_robin', 'roundrobin']) assert.equal(parseLocalAlgorithm(spelling), 'round-robin', spelling);
  for (const spelling of ['leastconn', 'least_conn']) assert.equal(parseLocalAlgorithm(spelling), 'least-connections', spelling);
  assert.throws(() => parseLocalAlgorithm('ewma'), /--balance ewma: expected round-robin or least-connections/);
});
