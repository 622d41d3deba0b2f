import type { BenchMeta, ServiceResults } from '../../../measure/results.ts';
import { CHART_LABELS, latency, loadCells, loadDescription, targetLabel } from '../format.ts';
import type { ChartSet, ReportSection } from '../report-section.ts';

/** The same replica at offered rates below its best: what a request costs at the rates a small CPU limit allows. */
function cpuByRateLines(service: ServiceResults): string[] {
  if (!service.cpuByRate?.length) return [];
  return [
    'At offered rates below its best (open loop, autocannon `overallRate`), a request costs the replica more CPU: fewer requests share',
    'each wake-up of its event loop. `npm run capacity` finds the rate a CPU limit allows between these rows (section 4 checks it).',
    '',
    '| Offered req/s | Served req/s | p99 | Server CPU (cores) | CPU µs/request |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...service.cpuByRate.map(
      (p) =>
        `| ${p.offeredRps} | ${p.rps} | ${latency(p.p99Ms)} | ${p.serverCpuCores} | ${p.rps > 0 ? Math.round((p.serverCpuCores / p.rps) * 1e7) / 10 : '-'} |`,
    ),
    '',
  ];
}

/** Section 2: one replica against the bare hello worlds, and its load curve. */
export function serviceSection(service: ServiceResults, meta: BenchMeta): ReportSection {
  const charts: ChartSet = {};
  const lines: string[] = [];
  charts['service-throughput.svg'] = {
    title: `Requests per second, ${service.load.connections} keep-alive connections`,
    unit: 'req/s',
    series: ['req/s'],
    groups: [service.service, service.serviceWithoutRequestLog, service.expressHello, service.nodeHttpHello].map((t) => ({
      label: CHART_LABELS[t.name] ?? t.name,
      values: [t.rps],
    })),
  };
  lines.push(
    '## 2. Service vs bare hello worlds',
    '',
    `Same load for every server: ${loadDescription(service.load)}. Servers alternate round by round so drift hits them alike; ` +
      `the best of ${service.service.roundsRps.length} round(s) per server is shown (interference only slows a run down; every round's req/s is in the JSON). The service replica runs compiled, with request logging (pino, to a file) and Prometheus metrics on, as deployed; ` +
      `it is asked \`GET ${service.path}\`, the hello worlds \`GET /\`.`,
    '',
    '| Server | Command | req/s | p50 | p99 | Server CPU | Errors / non-2xx | req/s ratio |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${targetLabel(service.service.name)} | \`${service.service.command}\` | ${loadCells(service.service)} | 1 |`,
    `| ${targetLabel(service.serviceWithoutRequestLog.name)} | \`${service.serviceWithoutRequestLog.command}\` | ${loadCells(service.serviceWithoutRequestLog)} | diagnostic |`,
    `| ${targetLabel(service.expressHello.name)} | \`${service.expressHello.command}\` | ${loadCells(service.expressHello)} | service ÷ this = **${service.ratioVsExpressHello}** |`,
    `| ${targetLabel(service.nodeHttpHello.name)} | \`${service.nodeHttpHello.command}\` | ${loadCells(service.nodeHttpHello)} | service ÷ this = **${service.ratioVsNodeHttp}** |`,
    '',
    'The second row is a diagnostic, not a deployment option: the same replica with `LOG_LEVEL=warn`, so the gap between',
    'the first two rows is what writing one JSON log line per request costs. Server CPU is the server process alone',
    '(1 = one core busy); a server well under one core was not the bottleneck: the single-threaded load generator',
    `sharing the same ${meta.cpus} cores was, which caps the node:http figure in particular.`,
    '',
    '![Requests per second](img/service-throughput.svg)',
    '',
    '### Load curve of one replica (input of `npm run capacity`)',
    '',
    "One replica as a pod runs it: behind local mode's nginx (one hop, as an ingress controller or an Envoy proxies it) with its output",
    'read through a pipe (as the container runtime reads it). A request costs the replica more CPU there than in the rounds above',
    "(a bare replica logging to a file), and that cost is what a CPU limit divides: the server CPU column is the replica's alone.",
    '',
    '| Connections | req/s | p50 | p99 | Server CPU (cores) |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...service.curve.map((p) => `| ${p.connections} | ${p.rps} | ${latency(p.p50Ms)} | ${latency(p.p99Ms)} | ${p.serverCpuCores} |`),
    '',
    ...cpuByRateLines(service),
  );
  return { lines, charts };
}
