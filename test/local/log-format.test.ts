import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { formatAutoscalerTable, formatReplicaTable, formatShopEvent } from '../../tools/local/cli/log-format.ts';
import type { SectionStatus } from '../../tools/local/shop/shop.ts';

const AT = new Date('2026-11-27T12:34:56.789Z');

describe('formatShopEvent', () => {
  test('a service request line reads like an access log', () => {
    const line = JSON.stringify({
      level: 30,
      time: 1,
      pid: 7,
      replica: 'cakes-abc-x1',
      section: 'cakes',
      method: 'GET',
      path: '/cakes',
      status: 200,
      durationMs: 1.2,
      msg: 'request',
    });
    assert.equal(
      formatShopEvent({ type: 'replica-output', section: 'cakes', replica: 'cakes-abc-x1', stream: 'stdout', line }, AT),
      '12:34:56 cakes-abc-x1               info  request GET /cakes 200 1.2ms',
    );
  });

  test('other JSON lines keep their own fields; plain lines are shown as they are', () => {
    const json = JSON.stringify({ level: 40, time: 1, replica: 'r', msg: 'shutdown: draining', signal: 'SIGTERM' });
    assert.match(
      formatShopEvent({ type: 'replica-output', section: 'cakes', replica: 'r', stream: 'stdout', line: json }, AT),
      /warn {2}shutdown: draining signal=SIGTERM$/,
    );
    assert.match(
      formatShopEvent({ type: 'replica-output', section: 'cakes', replica: 'r', stream: 'stderr', line: 'Error: boom' }, AT),
      /err {3}Error: boom$/,
    );
  });
});

test('formatReplicaTable aligns section, replica, port, pid, restarts and status; a replica that died says how, one failing its readinessProbe says not ready', () => {
  assert.equal(
    formatReplicaTable([
      { section: 'chocolates', id: 'chocolates-a-1', port: 8000, pid: 101, ready: true, restarts: 0 },
      {
        section: 'chocolates',
        id: 'chocolates-a-2',
        port: 8002,
        pid: 103,
        exit: { code: null, signal: 'SIGKILL' },
        ready: false,
        restarts: 0,
      },
      { section: 'cakes', id: 'cakes-b-2', port: 8001, pid: 102, exit: { code: 1, signal: null }, ready: false, restarts: 2 },
      { section: 'cakes', id: 'cakes-b-3', port: 8003, pid: 104, starting: true, ready: false, restarts: 0 },
      { section: 'cakes', id: 'cakes-b-4', port: 8004, pid: 105, ready: false, restarts: 1 },
    ]),
    [
      'SECTION     REPLICA         PORT  PID  RESTARTS  STATUS',
      'chocolates  chocolates-a-1  8000  101  0         running',
      'chocolates  chocolates-a-2  8002  103  0         gone (killed by SIGKILL)',
      'cakes       cakes-b-2       8001  102  2         gone (exited with code 1)',
      'cakes       cakes-b-3       8003  104  0         starting',
      'cakes       cakes-b-4       8004  105  1         running, not ready',
    ].join('\n'),
  );
});

test('formatAutoscalerTable: what kubectl get hpa shows, plus the desired count, the telling condition and the last rescale', () => {
  const hpa = (overrides: Partial<SectionStatus>): SectionStatus => ({
    replicas: 2,
    desiredReplicas: 2,
    cpuUtilization: 12,
    hpa: 'x',
    minReplicas: 2,
    maxReplicas: 4,
    targetCPUUtilization: 70,
    lastScaleTime: null,
    lastScaleEvent: null,
    conditions: [
      { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: '' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: '' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: '' },
    ],
    ...overrides,
  });
  const sections: Record<string, SectionStatus> = {
    chocolates: hpa({
      hpa: 'chocolates',
      replicas: 4,
      desiredReplicas: 4,
      cpuUtilization: 812,
      lastScaleTime: new Date(AT.getTime() - 12_000).toISOString(),
      lastScaleEvent: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: '' },
        { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas', message: '' },
      ],
    }),
    candies: hpa({ hpa: 'candies' }),
    cakes: hpa({
      hpa: 'cakes',
      cpuUtilization: null,
      conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: '' }],
    }),
    fudge: { ...hpa({}), hpa: null },
  };
  assert.equal(
    formatAutoscalerTable(sections, AT.getTime()),
    [
      'NAME        REFERENCE              TARGETS             MINPODS  MAXPODS  REPLICAS  DESIRED  CONDITION                LAST SCALE',
      'chocolates  Deployment/chocolates  cpu: 812%/70%       2        4        4         4        TooManyReplicas          12s ago: New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'candies     Deployment/candies     cpu: 12%/70%        2        4        2         2        ScaleDownStabilized      -',
      'cakes       Deployment/cakes       cpu: <unknown>/70%  2        4        2         2        FailedGetResourceMetric  -',
    ].join('\n'),
  );
});
