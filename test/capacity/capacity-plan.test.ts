import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { EnvironmentConfig, SectionConfig } from '../../app/environments/index.ts';
import { buildCapacityPlan, formatCapacityPlan } from '../../tools/capacity/capacity-plan.ts';
import type { ReplicaMeasurement } from '../../tools/capacity/measure.ts';

const section = (minReplicas: number, maxReplicas: number, cpu: string, memory: string): SectionConfig => ({
  image: { repository: 'r', tag: '1' },
  minReplicas,
  maxReplicas,
  cpuTargetPercent: 65,
  requests: { cpu, memory, ephemeralStorage: '128Mi' },
  limits: { cpu: '1', memory: '384Mi', ephemeralStorage: '256Mi' },
  path: '/x',
});

const ENV = {
  name: 'production',
  sections: { chocolates: section(3, 12, '250m', '192Mi'), candies: section(2, 8, '200m', '160Mi'), cakes: section(2, 6, '200m', '160Mi') },
} as unknown as EnvironmentConfig;

const SOURCE = `export const production = {
  sections: {
    chocolates: {
      minReplicas: 3,
      maxReplicas: 12,
      requests: { cpu: '250m', memory: '192Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '384Mi', ephemeralStorage: '256Mi' },
    },
    candies: {
      minReplicas: 2,
      maxReplicas: 8,
      requests: { cpu: '200m', memory: '160Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '320Mi', ephemeralStorage: '256Mi' },
    },
  },
};
`;

const MEASUREMENT: ReplicaMeasurement = {
  curve: [
    { connections: 4, rps: 2400, p50Ms: 1, p99Ms: 6, serverCpuCores: 0.7, requests: 1, errors: 0, non2xx: 0, durationSec: 3 },
    { connections: 16, rps: 1000, p50Ms: 3, p99Ms: 20, serverCpuCores: 0.62, requests: 1, errors: 0, non2xx: 0, durationSec: 3 },
    { connections: 50, rps: 3200, p50Ms: 9, p99Ms: 61, serverCpuCores: 0.98, requests: 1, errors: 0, non2xx: 0, durationSec: 3 },
  ],
  memory: { idleRssMiB: 60, loadRssMiB: 120 },
  source: 'fixture',
};

describe('buildCapacityPlan', () => {
  test('for 3000 req/s at p99 50 ms: 2400 req/s per replica, 2 for load, HPA 3..4, 700m/160Mi, and a diff per section', () => {
    const plan = buildCapacityPlan({ env: ENV, file: 'app/environments/production.ts', source: SOURCE, rates: { chocolates: 3000, candies: 1000 }, p99TargetMs: 50, measurement: MEASUREMENT });
    assert.equal(plan.sustainable.rps, 2400);
    assert.deepEqual(
      plan.sections.map((s) => [s.section, s.replicas.forLoad, s.replicas.minReplicas, s.replicas.maxReplicas]),
      [
        ['chocolates', 2, 3, 4],
        ['candies', 1, 2, 2],
      ],
    );
    assert.deepEqual([plan.resources.cpuRequest, plan.resources.cpuLimit, plan.resources.memoryRequest, plan.resources.memoryLimit], ['700m', '1', '160Mi', '320Mi']);
    assert.equal(plan.diffProblem, undefined);
    assert.ok(plan.diff.startsWith('--- a/app/environments/production.ts\n+++ b/app/environments/production.ts\n'));
    assert.ok(plan.diff.includes('\n-      maxReplicas: 12,\n'));
    assert.ok(plan.diff.includes('\n+      maxReplicas: 4,\n'));
    assert.ok(plan.diff.includes("+      requests: { cpu: '700m', memory: '160Mi', ephemeralStorage: '128Mi' },"));
    assert.ok(!plan.diff.includes('minReplicas: 3,\n+'), 'chocolates minReplicas already 3: unchanged line');
  });

  test('the printed plan names the source, the table, the reasons and the diff, and says it edits nothing', () => {
    const text = formatCapacityPlan(buildCapacityPlan({ env: ENV, file: 'f.ts', source: SOURCE, rates: { chocolates: 3000 }, p99TargetMs: 50, measurement: MEASUREMENT }));
    assert.match(text, /^Capacity plan for environment 'production', p99 target 50 ms\nSource: fixture\n/);
    assert.match(text, /One replica sustains 2400 req\/s within the target \(p99 6 ms at 4 connection\(s\), 0.7 cores\)/);
    assert.match(text, /chocolates\s+3000\s+2\s+3\s+4\s+1000 \/ 1500\s+3\/12/);
    assert.match(text, /cpu request 700m: one replica used 0.7 cores at 2400 req\/s/);
    assert.match(text, /this tool edits nothing/);
    assert.match(text, /@@ .* @@/);
    assert.doesNotMatch(text, /HPA max equals min/);
  });

  test('when the file is not plain literals, then the plan is still printed with the reason there is no diff', () => {
    const plan = buildCapacityPlan({ env: ENV, file: 'local.ts', source: 'export const local = {};\n', rates: { cakes: 500 }, p99TargetMs: 50, measurement: MEASUREMENT });
    assert.equal(plan.diff, '');
    assert.equal(plan.diffProblem, 'local.ts: no `cakes: {` block found');
    const text = formatCapacityPlan(plan);
    assert.match(text, /No diff: local.ts: no `cakes: \{` block found\./);
    assert.match(text, /cakes: HPA max equals min: 2 replicas carry 2x the target even with one lost/);
  });

  test('when nothing would change, then it says the file already matches', () => {
    const first = buildCapacityPlan({ env: ENV, file: 'f.ts', source: SOURCE, rates: { candies: 1000 }, p99TargetMs: 50, measurement: MEASUREMENT });
    const applied = SOURCE.replace("cpu: '200m', memory: '160Mi'", "cpu: '700m', memory: '160Mi'").replace('maxReplicas: 8', 'maxReplicas: 2');
    assert.notEqual(first.diff, '');
    const again = buildCapacityPlan({ env: ENV, file: 'f.ts', source: applied, rates: { candies: 1000 }, p99TargetMs: 50, measurement: MEASUREMENT });
    assert.equal(again.diff, '');
    assert.match(formatCapacityPlan(again), /f.ts already matches this plan\./);
  });
});
