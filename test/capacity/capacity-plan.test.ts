import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { EnvironmentConfig, SectionConfig } from '../../config/index.ts';
import { buildCapacityPlan, formatCapacityPlan } from '../../tools/capacity/capacity-plan.ts';
import { policyFor } from '../../tools/capacity/planner.ts';
import type { ReplicaMeasurement } from '../../tools/capacity/replica-measurement.ts';

const section = (minReplicas: number, maxReplicas: number, cpu: string, memory: string, cpuTargetPercent = 65): SectionConfig => ({
  image: { repository: 'r', tag: '1' },
  minReplicas,
  maxReplicas,
  cpuTargetPercent,
  requests: { cpu, memory, ephemeralStorage: '128Mi' },
  limits: { cpu: '1', memory: '384Mi', ephemeralStorage: '256Mi' },
  path: '/x',
});

const ENV = {
  name: 'production',
  availability: { minReplicasFloor: 2 },
  sections: {
    chocolates: section(3, 12, '250m', '192Mi'),
    candies: section(2, 8, '200m', '160Mi', 80),
    cakes: section(2, 6, '200m', '160Mi'),
  },
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
  cpuByRate: [],
  memory: { idleRssMiB: 60, loadRssMiB: 120 },
  source: 'fixture',
};

// Sustainable: 2400 req/s at 0.7 cores (p99 6 ms, the 4-connection level): 700m / 2400 = 0.29167m per req/s.
// Peak CPU on the curve: 0.98 cores (50 connections) -> limit 1000m (floor). Memory: 120 MiB × 1.25 = 150 -> 160Mi, limit 320Mi.
describe('buildCapacityPlan', () => {
  test('chocolates 3000 req/s at 65%: HPA 3..4, 1000 req/s × 0.29167m = 291.7m ÷ 0.65 = 448.7m -> 450m; candies 1000 req/s at 80%: HPA 2..2, 145.8m ÷ 0.8 = 182.3m -> 200m', () => {
    const plan = buildCapacityPlan({
      environment: ENV,
      file: 'config/environments/production.ts',
      source: SOURCE,
      rates: { chocolates: 3000, candies: 1000 },
      p99TargetMs: 50,
      measurement: MEASUREMENT,
    });
    assert.equal(plan.sustainable.rps, 2400);
    assert.deepEqual(plan.peakCpu, { cores: 0.98, connections: 50, rps: 3200 });
    assert.deepEqual(
      plan.sections.map((s) => [
        s.section,
        s.replicas.forLoad,
        s.replicas.minReplicas,
        s.replicas.maxReplicas,
        s.cpu.cpuRequest,
        s.cpu.utilisationAtMinPercent,
        s.cpu.scaleOutRpsPerReplica,
      ]),
      [
        // max = ceil(6000 / 2400) + 1 = 4; 291.7 / 450 = 65%; 450 × 0.65 / 0.29167 = 1002.9 req/s
        ['chocolates', 2, 3, 4, '450m', 65, 1003],
        // max = max(ceil(2000 / 2400) + 1, 2) = 2; 145.8 / 200 = 73%; 200 × 0.8 / 0.29167 = 548.6 req/s
        ['candies', 1, 2, 2, '200m', 73, 549],
      ],
    );
    // The measurement needs 160Mi / 320Mi; chocolates states 192Mi / 384Mi, which capacity keeps (it never lowers memory).
    assert.deepEqual([plan.resources.cpuLimit, plan.resources.memoryRequest, plan.resources.memoryLimit], ['1', '192Mi', '384Mi']);
    assert.equal(plan.diffProblem, undefined);
    assert.ok(plan.diff.startsWith('--- a/config/environments/production.ts\n+++ b/config/environments/production.ts\n'));
    assert.ok(plan.diff.includes('\n-      maxReplicas: 12,\n'));
    assert.ok(plan.diff.includes('\n+      maxReplicas: 4,\n'));
    assert.ok(
      plan.diff.includes("+      requests: { cpu: '450m', memory: '192Mi', ephemeralStorage: '128Mi' },"),
      'chocolates request for its own rate',
    );
    assert.ok(
      plan.diff.includes("\n+      requests: { cpu: '200m', memory: '192Mi', ephemeralStorage: '128Mi' },"),
      'candies keeps its 200m, and its memory follows the shared request (every section runs the same code)',
    );
    assert.ok(!plan.diff.includes('minReplicas: 3,\n+'), 'chocolates minReplicas already 3: unchanged line');
  });

  test('capacity never lowers a stated HPA min or memory request and says why; it raises memory the measurement needs (the twin)', () => {
    const plan = buildCapacityPlan({
      environment: ENV,
      file: 'config/environments/production.ts',
      source: SOURCE,
      rates: { chocolates: 500 },
      p99TargetMs: 50,
      measurement: MEASUREMENT,
    });
    const chocolates = plan.sections[0]!;
    assert.equal(chocolates.replicas.minReplicas, 2, 'the plan alone would go down to the floor');
    assert.ok(!/^[-+] +minReplicas/m.test(plan.diff), 'the diff keeps minReplicas: 3');
    const text = formatCapacityPlan(plan);
    assert.match(text, /\nchocolates\s+500\s+1\s+3\s+/, 'the table shows the kept min, as the diff writes it');
    assert.match(text, /HPA min: the plan needs 2; the environment states 3, kept: capacity never lowers a stated minimum/);
    assert.match(text, /memory: this measurement needs 160Mi, but production states 192Mi \(limit 384Mi\): kept/);

    const hungrier = buildCapacityPlan({
      environment: ENV,
      file: 'config/environments/production.ts',
      source: SOURCE,
      rates: { chocolates: 500 },
      p99TargetMs: 50,
      measurement: { ...MEASUREMENT, memory: { idleRssMiB: 60, loadRssMiB: 200 } },
    });
    assert.equal(hungrier.resources.memoryRequest, '256Mi', '200 MiB x 1.25 = 250 -> 256Mi: above the stated 192Mi, so raised');
    assert.ok(!hungrier.resources.reasons.some((line) => line.includes('kept')));
  });

  test('the printed plan names the source, the table, the shared and per-section reasons and the diff, and says it edits nothing', () => {
    const text = formatCapacityPlan(
      buildCapacityPlan({
        environment: ENV,
        file: 'f.ts',
        source: SOURCE,
        rates: { chocolates: 3000, candies: 1000 },
        p99TargetMs: 50,
        measurement: MEASUREMENT,
      }),
    );
    assert.match(text, /^Capacity plan for environment 'production', p99 target 50 ms\nSource: fixture\n/);
    assert.match(text, /One replica sustains 2400 req\/s within the target \(p99 6 ms at 4 connection\(s\), 0.7 cores\)/);
    assert.match(text, /\nchocolates\s+3000\s+2\s+3\s+4\s+1000 \/ 1500\s+450m \(65%\)\s+1003\s+3\/12\/250m\n/);
    assert.match(text, /\ncandies\s+1000\s+1\s+2\s+8\s+500 \/ 1000\s+200m \(80%\)\s+549\s+2\/8\/200m\n/);
    assert.match(text, / {2}- cpu per request: 0.7 cores at 2400 req\/s \(p99 6 ms\) = 0.2917m per req\/s \(291.7 µs of CPU per request\)/);
    assert.match(text, / {2}- cpu limit 1000m: at least one core/);
    assert.match(
      text,
      /\n {2}chocolates:\n {4}- cpu request 450m: at HPA min each of 3 replicas serves 1000 req\/s, which needs 291.7m; ÷ 65% \(the HPA CPU target\) = 448.7m, rounded up to a multiple of 50m;/,
    );
    assert.match(text, /\n {4}- the HPA adds replicas once the average replica serves more than about 1003 req\/s \(65% of 450m = 292.5m;/);
    assert.match(
      text,
      /\n {2}candies:\n {4}- cpu request 200m: at HPA min each of 2 replicas serves 500 req\/s, which needs 145.8m; ÷ 80% \(the HPA CPU target\) = 182.3m, rounded up to a multiple of 50m;/,
    );
    assert.match(text, /\n {4}- HPA max equals min: 2 replicas carry 2000 req\/s even with 1 lost/);
    assert.match(text, /this tool edits nothing/);
    assert.match(text, /@@ .* @@/);
  });

  test('the printed headroom follows the policy: with 2 lost replicas the table and the max = min note say 2', () => {
    const text = formatCapacityPlan(
      buildCapacityPlan({
        environment: ENV,
        file: 'f.ts',
        source: SOURCE,
        rates: { candies: 1000 },
        p99TargetMs: 50,
        measurement: MEASUREMENT,
        policy: policyFor(ENV, { lostReplicas: 2 }),
      }),
    );
    // min = 1 for load + 2 lost = 3; max = max(ceil(2000 / 2400) + 2, 3) = 3 = min, so the diff and the
    // table keep the file's max of 8
    assert.match(text, /HPA min \(2 lost\)/);
    assert.match(text, /\ncandies\s+1000\s+1\s+3\s+8\s/);
    assert.match(text, /HPA max equals min: 3 replicas carry 2000 req\/s even with 2 lost/);
  });

  test('when sections share a rate and an HPA target, then their CPU reasoning is printed once for all of them', () => {
    const environment = { ...ENV, sections: { ...ENV.sections, candies: section(2, 8, '200m', '160Mi') } } as EnvironmentConfig;
    const text = formatCapacityPlan(
      buildCapacityPlan({
        environment,
        file: 'f.ts',
        source: SOURCE,
        rates: { chocolates: 3000, candies: 3000 },
        p99TargetMs: 50,
        measurement: MEASUREMENT,
      }),
    );
    assert.match(text, /\n {2}chocolates, candies:\n {4}- cpu request 450m:/);
    assert.equal(text.split('cpu request 450m:').length, 2);
  });

  test('when the file is not plain literals, then the plan is still printed with the reason there is no diff', () => {
    const plan = buildCapacityPlan({
      environment: ENV,
      file: 'local.ts',
      source: 'export const local = {};\n',
      rates: { cakes: 500 },
      p99TargetMs: 50,
      measurement: MEASUREMENT,
    });
    assert.equal(plan.diff, '');
    assert.equal(plan.diffProblem, 'local.ts: expected one exported environment object with a `sections` object, found 0');
    // 250 req/s × 0.29167m = 72.9m ÷ 0.65 = 112.2m -> 150m
    assert.equal(plan.sections[0]!.cpu.cpuRequest, '150m');
    const text = formatCapacityPlan(plan);
    assert.match(text, /No diff: local.ts: expected one exported environment object with a `sections` object, found 0\./);
    assert.match(text, /HPA max equals min: 2 replicas carry 1000 req\/s even with 1 lost/);
  });

  test("the HPA floor is the environment's availability.minReplicasFloor, not a number of the planner's", () => {
    const plan = (minReplicasFloor: number) =>
      buildCapacityPlan({
        environment: { ...ENV, availability: { minReplicasFloor } } as EnvironmentConfig,
        file: 'f.ts',
        source: SOURCE,
        rates: { candies: 100 },
        p99TargetMs: 50,
        measurement: MEASUREMENT,
      }).sections[0]!.replicas.minReplicas;
    // 100 req/s needs 1 replica, + 1 lost = 2: a floor of 3 lifts it, a floor of 1 leaves it.
    assert.equal(plan(3), 3);
    assert.equal(plan(1), 2);
  });

  test('when nothing would change, then it says the file already matches', () => {
    // candies at 1000 req/s, HPA target 80%: 200m / 160Mi / limits 1 and 320Mi are what SOURCE has; 300m differs.
    const edited = SOURCE.replace("requests: { cpu: '200m', memory: '160Mi'", "requests: { cpu: '300m', memory: '160Mi'");
    const plan = (source: string) =>
      buildCapacityPlan({ environment: ENV, file: 'f.ts', source, rates: { candies: 1000 }, p99TargetMs: 50, measurement: MEASUREMENT });
    assert.match(plan(edited).diff, /-\s+requests: \{ cpu: '300m'.*\n\+\s+requests: \{ cpu: '200m'/);
    assert.equal(plan(SOURCE).diff, '');
    assert.match(formatCapacityPlan(plan(SOURCE)), /f.ts already matches this plan\./);
  });

  test("when the plan's HPA max equals its min, the patch keeps the file's max instead of pinning the section at its floor", () => {
    const plan = buildCapacityPlan({
      environment: ENV,
      file: 'f.ts',
      source: SOURCE,
      rates: { candies: 1000 },
      p99TargetMs: 50,
      measurement: MEASUREMENT,
    });
    assert.deepEqual([plan.sections[0]!.replicas.minReplicas, plan.sections[0]!.replicas.maxReplicas], [2, 2]);
    assert.ok(!plan.diff.includes('maxReplicas'), plan.diff);
    assert.match(formatCapacityPlan(plan), /HPA max equals min: 2 replicas carry/);
    // The table's HPA max column shows what the diff keeps (the file's), not the plan's 2.
    const kept = plan.sections[0]!.current.maxReplicas;
    const row = formatCapacityPlan(plan)
      .split('\n')
      .find((line) => /^\|? *candies *\|/.test(line) || line.startsWith('candies'))!;
    const cells = row.split(/ *\| *| {2,}/).filter((cell) => cell !== '');
    assert.equal(cells[4], String(kept), row);
    assert.match(formatCapacityPlan(plan), new RegExp(`the diff keeps the current max \\(${kept}\\)`));
  });
});
