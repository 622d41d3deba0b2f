import { environmentNamed, type SectionName } from '../../../../config/index.ts';
import {
  peakCpu,
  planReplicas,
  planResources,
  planSectionCpu,
  policyFor,
  rateAtCpuLimit,
  sustainableRate,
} from '../../../capacity/planner.ts';
import { formatMiB, formatMillicores } from '../../../measure/quantity.ts';
import type { BenchResults } from '../../../measure/results.ts';

/** Example rates for the worked capacity example (req/s per section, p99 target ms); HPA CPU target and policy as `npm run capacity` uses them. */
const EXAMPLE_RATES = [1000, 3000, 10000];
export const EXAMPLE_P99_MS = 50;
const EXAMPLE_ENV = 'production';
/** The rate whose CPU and HPA reasoning the page spells out. */
const EXAMPLE_DETAILED_RATE = 3000;

export function capacitySection(
  service: NonNullable<BenchResults['service']>,
  memory: NonNullable<BenchResults['memory']>,
  cpus: number,
): string[] {
  const environment = environmentNamed(EXAMPLE_ENV);
  const cpuTargetPercent = environment.sections[service.section as SectionName].cpuTargetPercent;
  const policy = policyFor(environment);
  const { lostReplicas, burstFactor, minReplicasFloor } = policy;
  const lines = [
    '## 6. What it means for capacity',
    '',
    `\`npm run capacity\` turns the load curve and the memory figures above into replica counts and requests. Worked example at p99 ≤ ${EXAMPLE_P99_MS} ms, ` +
      `${lostReplicas} lost replica${lostReplicas === 1 ? '' : 's'} of headroom, HPA max for ×${burstFactor} the rate, HPA CPU target ${cpuTargetPercent}% and replica floor ${minReplicasFloor} (${EXAMPLE_ENV}'s ${service.section}; rules and tests: tools/capacity/planner.ts):`,
    '',
  ];
  let sustainable: ReturnType<typeof sustainableRate>;
  try {
    sustainable = sustainableRate(service.curve, EXAMPLE_P99_MS, service.cpuByRate);
  } catch (error) {
    return [...lines, `No plan from this run: ${(error as Error).message}.`, ''];
  }
  const resources = planResources(sustainable, peakCpu(service.curve), memory);
  // As `npm run capacity` plans: from what one replica serves inside the CPU limit the plan writes.
  const perReplicaRps = rateAtCpuLimit(resources.cpuLimitMillicores / 1000, sustainable);
  const plans = EXAMPLE_RATES.map((rate) => {
    const replicas = planReplicas(rate, perReplicaRps, policy);
    return { rate, replicas, cpu: planSectionCpu({ replicas, sustainable, resources, cpuTargetPercent }) };
  });
  const detailed = plans.find((p) => p.rate === EXAMPLE_DETAILED_RATE)!;
  lines.push(
    `One replica sustained **${sustainable.rps} req/s** at p99 ${sustainable.p99Ms} ms (${sustainable.connections} connections, ${sustainable.cpuCores} cores); ` +
      `inside the plan's CPU limit of ${formatMillicores(resources.cpuLimitMillicores)} it serves **${perReplicaRps} req/s**, the rate the replica counts are planned from.`,
    '',
    `| Target req/s per section | Replicas for load | HPA min (${lostReplicas} lost) | HPA max (×${burstFactor}) | CPU request | HPA scales out above (req/s per replica) |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...plans.map(
      ({ rate, replicas, cpu }) =>
        `| ${rate} | ${replicas.forLoad} | ${replicas.minReplicas} | ${replicas.maxReplicas} | ${formatMillicores(cpu.requestMillicores)} | ${cpu.scaleOutRpsPerReplica} |`,
    ),
    '',
    `Per replica, whatever the rate: cpu limit ${formatMillicores(resources.cpuLimitMillicores)}; ` +
      `memory request ${formatMiB(resources.memoryRequestMiB)}, limit ${formatMiB(resources.memoryLimitMiB)}. The cpu request follows each section's rate and HPA target.`,
    '',
    ...resources.reasons.map((reason) => `- ${reason}`),
    '',
    `At ${EXAMPLE_DETAILED_RATE} req/s per section:`,
    '',
    ...detailed.cpu.reasons.map((reason) => `- ${reason}`),
    '',
    `These come from a shared ${cpus}-core machine with the load generator on the same cores: the method carries over to a`,
    'cluster, the absolute req/s does not. Re-run `npm run capacity -- --rps <rate>` where it matters.',
    '',
  );
  return lines;
}
