// Every dashboard query is valid PromQL and reads only series that exist: the service's own metrics as a real
// replica serves them on /metrics, or the kube-state-metrics / cAdvisor series documented in docs/monitoring.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { INFRASTRUCTURE_ROUTES, SECTION_LABEL } from '../../charts/dashboard.ts';
import { production } from '../../config/environments/production.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { type SpawnedServer, spawnServer } from '../service/helpers.ts';
import { interpolate, type ParsedQuery, parseExposition, parsePromQL, type Sample } from './promql.ts';
import { findObject, render } from './render.ts';

/** Labels Prometheus puts on every series scraped through a PodMonitor, besides the PodMonitor's relabelings. */
const TARGET_LABELS = ['namespace', 'pod', 'container', 'endpoint', 'job', 'instance'];
const DOCS = join(REPO_ROOT, 'docs', 'monitoring.md');

const manifests = render(production);
const dashboard = JSON.parse(findObject(manifests, 'ConfigMap', 'sweetshop-dashboard').data['sweetshop-production.json']);
const queries: { panel: string; expr: string; parsed: ParsedQuery }[] = dashboard.panels.flatMap((panel: any) =>
  panel.targets.map((target: any) => ({ panel: panel.title, expr: target.expr, parsed: parsePromQL(interpolate(target.expr)) })),
);

test('every dashboard query is valid PromQL once Grafana substitutes its interval variables', () => {
  assert.ok(queries.length >= 10, `only ${queries.length} queries`);
  for (const { panel, expr, parsed } of queries) assert.deepEqual(parsed.errors, [], `${panel}: ${expr}`);
});

test('the PromQL check rejects a malformed query and an unknown Grafana variable (it is really wired up)', () => {
  assert.notDeepEqual(parsePromQL('sum(rate(http_requests_total[1m]) by (section)').errors, []);
  assert.throws(() => interpolate('rate(http_requests_total[$window])'), /unknown Grafana variable \$window/);
});

describe('the metric names the dashboard uses exist', () => {
  let replica: SpawnedServer;
  let samples: Sample[];
  before(async () => {
    replica = await spawnServer({ SHOP_SECTION: 'chocolates' });
    // Counters and histograms only expose a label set once it has been observed: make the traffic the panels read.
    for (const path of ['/chocolates', '/chocolates/items', '/chocolates/items/nope', '/nowhere', ...INFRASTRUCTURE_ROUTES]) {
      await (await fetch(`${replica.url}${path}`)).arrayBuffer();
    }
    const response = await fetch(`${replica.url}/metrics`);
    assert.equal(response.status, 200);
    samples = parseExposition(await response.text());
  });
  after(() => replica?.kill());

  test("every metric is on a real replica's /metrics, or a documented kube-state-metrics / cAdvisor metric", () => {
    const live = new Set(samples.map((sample) => sample.name));
    const documented = documentedClusterMetrics();
    const missing = usedMetrics().filter((metric) => !live.has(metric) && !documented.has(metric));
    assert.deepEqual(missing, []);
    const fromService = usedMetrics().filter((metric) => live.has(metric));
    assert.deepEqual(fromService, ['http_request_duration_seconds_bucket', 'http_requests_total'], 'the service metrics the panels read');
    for (const metric of documented.keys())
      assert.ok(!live.has(metric), `${metric} is documented as a cluster metric but the service serves it`);
  });

  test('queries on service metrics use only labels the replica exposes, Prometheus adds, or the PodMonitor relabels in', () => {
    const podMonitor = findObject(manifests, 'PodMonitor', 'chocolates');
    const relabeled = podMonitor.spec.podMetricsEndpoints[0].relabelings.map((r: any) => r.targetLabel);
    assert.ok(relabeled.includes(SECTION_LABEL), 'the section label comes from the PodMonitor');
    const live = new Set(samples.map((sample) => sample.name));
    for (const { panel, expr, parsed } of queries.filter((q) => q.parsed.selectors.every((s) => live.has(s.metric)))) {
      const exposed = new Set(
        samples.filter((s) => parsed.selectors.some((sel) => sel.metric === s.name)).flatMap((s) => Object.keys(s.labels)),
      );
      const allowed = new Set([...exposed, ...TARGET_LABELS, ...relabeled]);
      assert.deepEqual(
        parsed.labels.filter((label) => !allowed.has(label)),
        [],
        `${panel}: ${expr}`,
      );
    }
  });

  test('the routes left out as infrastructure are route label values the replica really records', () => {
    const routes = new Set(samples.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route));
    for (const route of INFRASTRUCTURE_ROUTES) assert.ok(routes.has(route), `route="${route}" never recorded: ${[...routes]}`);
    for (const { expr, parsed } of queries) {
      for (const matcher of parsed.selectors.flatMap((s) => s.matchers).filter((m) => m.label === 'route')) {
        assert.deepEqual([matcher.op, matcher.value], ['!~', INFRASTRUCTURE_ROUTES.join('|')], expr);
      }
    }
  });

  test('status codes are recorded as three digits, so status=~"5.." selects the server errors', () => {
    const statuses = new Set(samples.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.status));
    assert.ok(statuses.has('404') && statuses.has('200'), [...statuses].join(', '));
    for (const status of statuses) assert.match(status, /^\d{3}$/);
  });
});

test('queries on cluster metrics use only the labels docs/monitoring.md documents for them', () => {
  const documented = documentedClusterMetrics();
  for (const { panel, expr, parsed } of queries.filter((q) => q.parsed.selectors.every((s) => documented.has(s.metric)))) {
    const allowed = new Set(parsed.selectors.flatMap((s) => documented.get(s.metric) ?? []));
    assert.deepEqual(
      parsed.labels.filter((label) => !allowed.has(label)),
      [],
      `${panel}: ${expr}`,
    );
  }
});

function usedMetrics(): string[] {
  return [...new Set(queries.flatMap((q) => q.parsed.selectors.map((s) => s.metric)))].sort();
}

/** The table under "## Cluster metrics the dashboard reads": metric name -> labels the dashboard may use. */
function documentedClusterMetrics(): Map<string, string[]> {
  const text = readFileSync(DOCS, 'utf8');
  const section = text.split('\n## ').find((part) => part.startsWith('Cluster metrics the dashboard reads'));
  assert.ok(section, `${DOCS} has no "## Cluster metrics the dashboard reads" section`);
  const rows = section.split('\n').filter((line) => /^\| `[a-z_]+` /.test(line));
  assert.ok(rows.length > 0, 'the documented table has no rows');
  return new Map(
    rows.map((row) => {
      const [metric, , labels] = row
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      return [metric.replaceAll('`', ''), [...labels.matchAll(/`([a-z_]+)`/g)].map((match) => match[1])];
    }),
  );
}
