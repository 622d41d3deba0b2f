import { parseQuantity } from '../../../../config/quantity.ts';
import { rateAtCpuLimit, sustainableRate } from '../../../capacity/planner.ts';
import type { BalancingResults, BenchMeta, LimitedScaling, ServiceResults } from '../../../measure/results.ts';
import { balancedRow, latency, loadDescription, pct } from '../format.ts';
import type { ChartSet, ReportSection } from '../report-section.ts';
import { EXAMPLE_P99_MS } from './capacity.ts';

/** Section 4: round robin against least connections through nginx, and 1/2/3 replicas. */
export function balancingSection(balancing: BalancingResults, meta: BenchMeta, service?: ServiceResults): ReportSection {
  const charts: ChartSet = {};
  const lines: string[] = [];
  charts['latency-by-algorithm.svg'] = {
    title: `Latency through nginx, 2 replicas, one +${balancing.slowDelayMs} ms`,
    unit: 'ms',
    series: ['p50', 'p99'],
    groups: [
      { label: 'round robin', values: [balancing.roundRobin.p50Ms, balancing.roundRobin.p99Ms] },
      { label: 'least connections', values: [balancing.leastConnections.p50Ms, balancing.leastConnections.p99Ms] },
    ],
  };
  charts['throughput-by-replicas.svg'] = {
    title: 'Throughput through nginx by replica count (round robin)',
    unit: 'req/s',
    series: ['req/s'],
    groups: balancing.scaling.map((s) => ({ label: `${s.replicas} replica${s.replicas === 1 ? '' : 's'}`, values: [s.rps] })),
  };
  lines.push(
    '## 4. Load balancing through the local nginx',
    '',
    `Local mode's \`startLocalShop({ stableFront: false })\` (the real nginx, one hop like an ingress controller, upstream keep-alive; compiled replicas), \`GET ${balancing.path}\`, ${loadDescription(balancing.load)}. ` +
      `One of the two ${balancing.section} replicas answers ${balancing.slowDelayMs} ms later (service test hook \`SWEETSHOP_TEST_DELAY_MS\`); ` +
      'shares count the `X-Served-By` header of every response.',
    '',
    '| Algorithm | req/s | p50 | p99 | Replica CPU | Errors / non-2xx | Share fast / slow replica |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    balancedRow('round robin', balancing.roundRobin),
    balancedRow('least connections', balancing.leastConnections),
    '',
    '![Latency by algorithm](img/latency-by-algorithm.svg)',
    '',
    '### 1, 2 and 3 replicas (round robin, no slow replica)',
    '',
    '| Replicas | req/s | p50 | p99 | Replica CPU | ×1 replica | Shares |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...balancing.scaling.map((s) => {
      const base = balancing.scaling[0]!.rps;
      return `| ${s.replicas} | ${s.rps} | ${latency(s.p50Ms)} | ${latency(s.p99Ms)} | ${s.serverCpuCores ?? '-'} | ${base > 0 ? Math.round((s.rps / base) * 100) / 100 : '-'} | ${s.shares.map((r) => pct(r.share)).join(' / ')} |`;
    }),
    '',
    `On this ${meta.cpus}-core machine nginx, every replica and the load generator share the same ${meta.cpus} cores, and the bench process`,
    "also reads every replica's request log (local mode supervises replicas through pipes): these figures are bounded by",
    'the machine and say little about scaling in a cluster, where each replica gets its own CPU. What the table does show',
    'is that nginx spreads load evenly, and that the per-replica rate from section 2 is the unit to plan with.',
    '',
    '![Throughput by replica count](img/throughput-by-replicas.svg)',
    '',
  );
  if (balancing.limitedScaling) lines.push(...limitedScalingLines(balancing.limitedScaling, charts, service));
  return { lines, charts };
}

/** Replicas held to a CPU limit: the table, and a chart of each count against N times one. */
function limitedScalingLines(limited: LimitedScaling, charts: ChartSet, service: ServiceResults | undefined): string[] {
  const one = limited.points[0]!.rps;
  const predicted = service && predictedAtLimit(limited.cpuLimit, service);
  const plural = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;
  charts['throughput-limited-by-replicas.svg'] = {
    title: `Throughput by replica count, each held to ${limited.cpuLimit} CPU`,
    unit: 'req/s',
    series: ['measured', 'N × one replica'],
    groups: limited.points.map((p) => ({ label: plural(p.replicas), values: [p.rps, Math.round(one * p.replicas)] })),
  };
  return [
    `### 1 to ${limited.points.length} replicas, each held to ${limited.cpuLimit} CPU`,
    '',
    `Each replica runs inside a CFS quota of ${limited.cpuLimit} (cgroups, as the kubelet sets a container's CPU limit), so one replica`,
    `serves what a pod with that limit serves, and N replicas should serve N times that while the machine has CPU to spare. All four shops`,
    `run at once, measured in ${limited.rounds} interleaved round(s); each row is its count's median round. Goal: ≥ 0.9 × N × one replica.`,
    ...(limited.notHeld ? ['', `**Not held to the limit in this run**: ${limited.notHeld}. These rows are unlimited replicas.`] : []),
    '',
    '| Replicas | req/s | N × one | ÷ (N × one) | p99 | Replica CPU | Errors / non-2xx |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...limited.points.map(
      (p) =>
        `| ${p.replicas} | ${p.rps} | ${Math.round(one * p.replicas)} | ${p.ratioVsLinear} | ${latency(p.p99Ms)} | ${p.serverCpuCores ?? '-'} | ${p.errors} / ${p.non2xx} |`,
    ),
    '',
    ...(predicted === undefined
      ? []
      : [
          '',
          `\`npm run capacity\` plans from the rate one replica serves inside its CPU limit: the limit over the CPU one request cost at the sustainable rate of section 2 (p99 ≤ ${EXAMPLE_P99_MS} ms), ` +
            `here **${predicted} req/s** at ${limited.cpuLimit}; one replica held to it served ${one} (measured ÷ predicted: ${Math.round((one / predicted) * 100) / 100}).`,
        ]),
    '',
    '![Throughput by replica count, held to a CPU limit](img/throughput-limited-by-replicas.svg)',
    '',
  ];
}

/** What the capacity planner predicts one replica serves inside `cpuLimit`, from the service's load curve. */
function predictedAtLimit(cpuLimit: string, service: ServiceResults): number | undefined {
  try {
    return rateAtCpuLimit(parseQuantity(cpuLimit)!, sustainableRate(service.curve, EXAMPLE_P99_MS));
  } catch {
    return undefined; // no point of the curve met the latency target: section 6 says so
  }
}
