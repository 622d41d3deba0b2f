import { parseQuantity } from '../../../../config/quantity.ts';
import { rateAtCpuLimit, sustainableRate } from '../../../capacity/planner.ts';
import type { BalancingResults, ScaleOut, ScaleOutPoint, ServiceResults } from '../../../measure/results.ts';
import { balancedRow, latency, loadDescription } from '../format.ts';
import type { ChartSet, ReportSection } from '../report-section.ts';
import { EXAMPLE_P99_MS } from './capacity.ts';

const plural = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;

/** Section 4: round robin against least connections through nginx, then 1-3 replicas unlimited and 1-4 held to a CPU limit. */
export function balancingSection(balancing: BalancingResults, service?: ServiceResults): ReportSection {
  const charts: ChartSet = {};
  charts['latency-by-algorithm.svg'] = {
    title: `Latency through nginx, 2 replicas, one +${balancing.slowDelayMs} ms`,
    unit: 'ms',
    series: ['p50', 'p99'],
    groups: [
      { label: 'round robin', values: [balancing.roundRobin.p50Ms, balancing.roundRobin.p99Ms] },
      { label: 'least connections', values: [balancing.leastConnections.p50Ms, balancing.leastConnections.p99Ms] },
    ],
  };
  const lines = [
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
    ...unlimitedLines(balancing.scaling, charts),
    ...limitedLines(balancing, charts, service),
  ];
  return { lines, charts };
}

function setupLine(scaleOut: ScaleOut): string {
  return (
    `Local mode as people run it (\`npm run local\`: both nginx hops, ${algorithmName(scaleOut.balance)}, replica output through the supervisor's pipes), one shop per replica count, all up at once, ` +
    `measured in ${scaleOut.rounds} interleaved round(s) of ${scaleOut.durationSec} s at ${scaleOut.connections} connections (autocannon in a child process); each row is its count's median round, and the ratios to one replica are the median of each round's ratio to one replica's run in the same round. ` +
    `CPU per request is the CPU time (utime + stime, /proc) every process of a role spent, over the responses; machine busy counts every core of the ${scaleOut.cpus} (/proc/stat), the load generator's included.`
  );
}

/** 1, 2 and 3 replicas without limits: throughput and CPU per request against one replica. */
function unlimitedLines(scaling: ScaleOut, charts: ChartSet): string[] {
  charts['throughput-by-replicas.svg'] = {
    title: 'Throughput through local mode by replica count (no limits)',
    unit: 'req/s',
    series: ['req/s'],
    groups: scaling.points.map((p) => ({ label: plural(p.replicas), values: [p.rps] })),
  };
  return [
    `### ${scaling.points.map((p) => p.replicas).join(', ')} replicas, no limits`,
    '',
    setupLine(scaling),
    'Goal: ≥ 0.9 × the req/s of one replica at ≤ 1.1 × its CPU per request. The replicas share the machine with nginx and the load',
    'generator, so more replicas cannot add throughput here; what they must not do is cost more per request. They did before',
    'the replicas batched their request logs (one write and one supervisor read per line at part load) and before nginx kept',
    'enough idle upstream connections for 50 clients (it opened and closed connections to the replicas all the time).',
    '',
    '| Replicas | req/s | ×1 | p50 | p99 | CPU µs/request: front / balancer / replicas / supervisor | total | ×1 | Replica calls / switches per request | Replica cores | Machine busy | Errors / non-2xx |',
    '| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...scaling.points.map(
      (p) =>
        `| ${p.replicas} | ${p.rps} | ${p.rpsVsFirst} | ${latency(p.p50Ms)} | ${latency(p.p99Ms)} | ${cpuByRole(p)} | ${p.cpuUsPerRequest.total} | ${p.cpuVsFirst} | ${replicaCalls(p)} | ${p.replicaCores} | ${busy(p, scaling)} | ${p.errors} / ${p.non2xx} |`,
    ),
    '',
    'Replica calls are read- and write-type system calls (/proc/<pid>/io syscr + syscw), switches voluntary and involuntary context switches',
    "of every replica thread, both per response. Where they stay level while the replicas' CPU per request grows, a request costs more time",
    'on the CPU rather than more work; the likely cause is several replica processes taking turns on the same cores and their caches (this',
    'VM exposes no hardware counters to measure the misses).',
    '',
    '![Throughput by replica count](img/throughput-by-replicas.svg)',
    '',
  ];
}

const ALGORITHM_NAMES: Record<string, string> = { 'round-robin': 'round robin', 'least-connections': 'least connections' };
const algorithmName = (balance: string) => ALGORITHM_NAMES[balance] ?? balance;

/**
 * 1 to N replicas each held to a CPU limit, with each algorithm: every count against N times one replica,
 * and the capacity plan's prediction of one replica's rate.
 */
function limitedLines(balancing: BalancingResults, charts: ChartSet, service: ServiceResults | undefined): string[] {
  const held = balancing.limitedScaling;
  const first = held[0];
  if (!first) return [];
  const counts = first.points.map((p) => p.replicas);
  charts['throughput-limited-by-replicas.svg'] = {
    title: `Throughput by replica count, each held to ${first.cpuLimit ?? 'no'} CPU`,
    unit: 'req/s',
    series: held.flatMap((h) => [`${algorithmName(h.balance)}`, `N × one (${algorithmName(h.balance)})`]),
    groups: counts.map((replicas, index) => ({
      label: plural(replicas),
      values: held.flatMap((h) => [h.points[index]?.rps ?? 0, Math.round(h.points[0]!.rps * replicas)]),
    })),
  };
  return [
    `### 1 to ${counts.length} replicas, each held to ${first.cpuLimit} CPU`,
    '',
    `Each replica runs inside a CFS quota of ${first.cpuLimit} (cgroups, as the kubelet sets a container's CPU limit), so one replica serves what a pod`,
    'with that limit serves, and N replicas should serve N times that while the machine has CPU to spare (the machine busy column says whether it had).',
    setupLine(first),
    'Each shop was loaded for the warm-up first (a replica held to a small limit compiles its hot paths slowly).',
    `Goal, for the local environment's ${algorithmName(balancing.localBalance)}: ≥ 0.9 × N × one replica; the other algorithm ran in the same rounds for comparison.`,
    "÷ (N × one) is the median of each round's own ratio to one replica in that round, so it need not equal req/s ÷ N × one, which are medians over the rounds.",
    'A replica that has used its quota sits out the rest of the 100 ms period. Round robin still hands it its share of the requests,',
    'which wait there while the client connections that sent them stay blocked, so the other replicas run out of work; least connections',
    'sends the next request to the replica with the fewest in flight, one that is running.',
    ...(first.notHeld ? ['', `**Not held to the limit in this run**: ${first.notHeld}. These rows are unlimited replicas.`] : []),
    '',
    '| Algorithm | Replicas | req/s | N × one | ÷ (N × one) | p99 | Replica cores | Machine busy | Errors / non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...held.flatMap((h) =>
      h.points.map(
        (p) =>
          `| ${algorithmName(h.balance)} | ${p.replicas} | ${p.rps} | ${Math.round(h.points[0]!.rps * p.replicas)} | ${p.rpsVsLinear} | ${latency(p.p99Ms)} | ${p.replicaCores} | ${busy(p, h)} | ${p.errors} / ${p.non2xx} |`,
      ),
    ),
    '',
    ...predictionLines(held, service),
    '![Throughput by replica count, held to a CPU limit](img/throughput-limited-by-replicas.svg)',
    '',
  ];
}

/** The capacity plan's rate for one replica held to the limit, against each algorithm's measured one. */
function predictionLines(held: readonly ScaleOut[], service: ServiceResults | undefined): string[] {
  const cpuLimit = held[0]?.cpuLimit;
  const predicted = service && cpuLimit ? predictedAtLimit(cpuLimit, service) : undefined;
  if (predicted === undefined) return [];
  const measured = held.map((h) => {
    const one = h.points[0]!.rps;
    return `${one} with ${algorithmName(h.balance)} (measured ÷ predicted: **${Math.round((one / predicted) * 100) / 100}**)`;
  });
  const heldCost = held.map((h) => `${h.points[0]!.cpuUsPerRequest.replicas} µs with ${algorithmName(h.balance)}`);
  const plannedCost = Math.round((parseQuantity(cpuLimit!)! * 1e6) / predicted);
  return [
    `\`npm run capacity\` plans from the rate one replica serves inside its CPU limit: the rate at which its CPU use reaches the limit, between the offered rates of section 2 (the sustainable rate at p99 ≤ ${EXAMPLE_P99_MS} ms on top), ` +
      `here **${predicted} req/s** at ${cpuLimit}; one replica held to it served ${measured.join(', ')}. ` +
      `That rate means ${plannedCost} µs of replica CPU per request (the curve's cost, measured below the limit); held to the limit, the replica spent ${heldCost.join(' and ')} per request (a replica that uses its whole quota serves the planned rate × the planned cost ÷ its own).`,
    '',
  ];
}

function replicaCalls(point: ScaleOutPoint): string {
  const calls = point.replicaCallsPerRequest;
  return calls ? `${calls.io} / ${calls.switches}` : '–';
}

function cpuByRole(point: ScaleOutPoint): string {
  const { front, balancer, replicas, supervisor } = point.cpuUsPerRequest;
  return `${front} / ${balancer} / ${replicas} / ${supervisor}`;
}

function busy(point: ScaleOutPoint, scaleOut: ScaleOut): string {
  return `${point.machineBusyCores} of ${scaleOut.cpus}`;
}

/** What the capacity planner predicts one replica serves inside `cpuLimit`, from the service's load curve. */
export function predictedAtLimit(cpuLimit: string, service: ServiceResults): number | undefined {
  try {
    return rateAtCpuLimit(parseQuantity(cpuLimit)!, sustainableRate(service.curve, EXAMPLE_P99_MS, service.cpuByRate));
  } catch {
    return undefined; // no point of the curve met the latency target: section 6 says so
  }
}
