import type { EnvironmentConfig, SectionConfig, SectionName } from '../../config/index.ts';
import { textTable } from '../lib/text-table.ts';
import { formatMiB, formatMillicores, memoryToMiB } from '../measure/quantity.ts';
import { editEnvironmentSource, unifiedDiff } from './environment-edit.ts';
import {
  type PeakCpu,
  type PlanPolicy,
  peakCpu,
  planReplicas,
  planResources,
  planSectionCpu,
  policyFor,
  type ReplicaPlan,
  type ResourcePlan,
  rateAtCpuLimit,
  type SectionCpuPlan,
  type Sustainable,
  sustainableRate,
} from './planner.ts';
import type { ReplicaMeasurement } from './replica-measurement.ts';

export interface SectionPlan {
  section: string;
  current: { minReplicas: number; maxReplicas: number; cpuTargetPercent: number; cpuRequest: string };
  replicas: ReplicaPlan;
  /** The CPU request for this section's rate and HPA target, and what the HPA then does. */
  cpu: SectionCpuPlan & { cpuRequest: string };
}

export interface CapacityPlan {
  environment: string;
  file: string;
  p99TargetMs: number;
  source: string;
  sustainable: Sustainable;
  peakCpu: PeakCpu;
  burstFactor: number;
  /** Replicas the HPA min keeps in reserve (policy.lostReplicas). */
  lostReplicas: number;
  sections: SectionPlan[];
  /** Shared by every section (same service code): CPU per request, CPU limit, memory. */
  resources: ResourcePlan & { cpuLimit: string; memoryRequest: string; memoryLimit: string };
  /** Unified diff against the environment file; empty when nothing would change. */
  diff: string;
  /** Why no diff could be computed (a value is not a literal, or a shared one would need two values), if so. */
  diffProblem?: string;
}

export interface CapacityPlanInput {
  environment: EnvironmentConfig;
  file: string;
  source: string;
  rates: Record<string, number>;
  p99TargetMs: number;
  measurement: ReplicaMeasurement;
  policy?: PlanPolicy;
}

/**
 * Everything `npm run capacity` prints, from the measurement, the environment config and the text
 * of its file. Pure: the caller reads files and measures.
 */
export function buildCapacityPlan(input: CapacityPlanInput): CapacityPlan {
  const policy = input.policy ?? policyFor(input.environment);
  const sustainable = sustainableRate(input.measurement.curve, input.p99TargetMs, input.measurement.cpuByRate);
  const peak = peakCpu(input.measurement.curve);
  const planned = keepStatedMemory(planResources(sustainable, peak, input.measurement.memory, policy), input);
  const resources = {
    ...planned,
    cpuLimit: formatMillicores(planned.cpuLimitMillicores),
    memoryRequest: formatMiB(planned.memoryRequestMiB),
    memoryLimit: formatMiB(planned.memoryLimitMiB),
  };
  const sections = Object.entries(input.rates).map(([section, rate]) =>
    planSection(input.environment, section, rate, { sustainable, resources, policy }),
  );
  return {
    environment: input.environment.name,
    file: input.file,
    p99TargetMs: input.p99TargetMs,
    source: input.measurement.source,
    sustainable,
    peakCpu: peak,
    burstFactor: policy.burstFactor,
    lostReplicas: policy.lostReplicas,
    sections,
    resources,
    ...environmentDiff(input, sections, resources),
  };
}

/**
 * Memory is only ever raised: a request the environment states above this measurement's is kept (it may
 * cover a higher RSS of an earlier run: production's comment names one), and the reasons say so. Lowering
 * a reviewed request is a decision for a person, across runs.
 */
function keepStatedMemory(planned: ResourcePlan, input: CapacityPlanInput): ResourcePlan {
  const stated = (pick: (config: SectionConfig) => string) =>
    Math.max(...Object.keys(input.rates).map((section) => memoryToMiB(pick(input.environment.sections[section as SectionName]!))));
  const request = stated((config) => config.requests.memory);
  const limit = stated((config) => config.limits.memory);
  if (planned.memoryRequestMiB >= request) return planned;
  return {
    ...planned,
    memoryRequestMiB: request,
    memoryLimitMiB: Math.max(planned.memoryLimitMiB, limit),
    reasons: [
      ...planned.reasons,
      `memory: this measurement needs ${formatMiB(planned.memoryRequestMiB)}, but ${input.environment.name} states ${formatMiB(request)} ` +
        `(limit ${formatMiB(limit)}): kept, as capacity only raises memory; lower it by hand once several runs agree`,
    ],
  };
}

/** The HPA min the patch writes: the plan's, never below what the environment states (an availability choice under review). */
function suggestedMin(section: SectionPlan): number {
  return Math.max(section.replicas.minReplicas, section.current.minReplicas);
}

function planSection(
  environment: EnvironmentConfig,
  section: string,
  rate: number,
  shared: { sustainable: Sustainable; resources: ResourcePlan; policy: PlanPolicy },
): SectionPlan {
  const config = environment.sections[section as SectionName];
  if (!config) throw new Error(`environment ${environment.name} has no section ${section}`);
  // Sized from what a pod gets: the rate one replica serves inside the CPU limit the plan writes.
  const perReplicaRps = rateAtCpuLimit(shared.resources.cpuLimitMillicores / 1000, shared.sustainable);
  const replicas = planReplicas(rate, perReplicaRps, shared.policy);
  const cpu = planSectionCpu({ replicas, ...shared, cpuTargetPercent: config.cpuTargetPercent });
  return {
    section,
    current: {
      minReplicas: config.minReplicas,
      maxReplicas: config.maxReplicas,
      cpuTargetPercent: config.cpuTargetPercent,
      cpuRequest: config.requests.cpu,
    },
    replicas,
    cpu: { ...cpu, cpuRequest: formatMillicores(cpu.requestMillicores) },
  };
}

/**
 * The HPA max the patch writes. A plan whose max equals its min leaves the HPA no room to act (the plan
 * says so): the patch then keeps the file's max rather than pin the section at its floor.
 */
function suggestedMax(section: SectionPlan): number {
  const { minReplicas, maxReplicas } = section.replicas;
  return maxReplicas > minReplicas
    ? Math.max(maxReplicas, suggestedMin(section))
    : Math.max(section.current.maxReplicas, suggestedMin(section));
}

/** The plan written into the environment file's text, as a diff; or why it cannot be. */
function environmentDiff(
  input: CapacityPlanInput,
  sections: SectionPlan[],
  resources: CapacityPlan['resources'],
): Pick<CapacityPlan, 'diff' | 'diffProblem'> {
  const changes = Object.fromEntries(
    sections.map((s) => [
      s.section,
      {
        minReplicas: suggestedMin(s),
        maxReplicas: suggestedMax(s),
        requests: { cpu: s.cpu.cpuRequest, memory: resources.memoryRequest },
        limits: { cpu: resources.cpuLimit, memory: resources.memoryLimit },
      },
    ]),
  );
  try {
    return { diff: unifiedDiff(input.source, editEnvironmentSource(input.source, input.file, changes), input.file) };
  } catch (error) {
    return { diff: '', diffProblem: (error as Error).message };
  }
}

/** The plan as the terminal shows it. */
export function formatCapacityPlan(plan: CapacityPlan): string {
  const { sustainable } = plan;
  const lines = [
    `Capacity plan for environment '${plan.environment}', p99 target ${plan.p99TargetMs} ms`,
    `Source: ${plan.source}`,
    `One replica sustains ${sustainable.rps} req/s within the target (p99 ${sustainable.p99Ms} ms at ${sustainable.connections} connection(s), ${sustainable.cpuCores} cores); ` +
      `inside the CPU limit of ${plan.resources.cpuLimit} it serves ${rateAtCpuLimit(plan.resources.cpuLimitMillicores / 1000, sustainable)} req/s, the rate the replica counts are planned from.`,
    'Measured with the load generator on the same machine: re-measure on a cluster node before trusting absolute numbers.',
    '',
    textTable(
      [
        'section',
        'target req/s',
        'replicas for load',
        `HPA min (${plan.lostReplicas} lost)`,
        `HPA max (x${plan.burstFactor} burst)`,
        'req/s per replica at min / after loss',
        'cpu request (HPA target)',
        'HPA scales out above req/s per replica',
        'now min/max/cpu',
      ],
      plan.sections.map((s) => [
        s.section,
        String(s.replicas.targetRps),
        String(s.replicas.forLoad),
        // What the diff writes, so the table and the diff never disagree.
        String(suggestedMin(s)),
        String(suggestedMax(s)),
        `${s.replicas.perReplicaRpsAtMin} / ${s.replicas.perReplicaRpsAfterLoss}`,
        `${s.cpu.cpuRequest} (${s.cpu.cpuTargetPercent}%)`,
        String(s.cpu.scaleOutRpsPerReplica),
        `${s.current.minReplicas}/${s.current.maxReplicas}/${s.current.cpuRequest}`,
      ]),
    ),
    '',
    'Per replica (every section runs the same service code; measured on one section):',
    ...plan.resources.reasons.map((reason) => `  - ${reason}`),
    '',
    'CPU request and HPA per section (the request is what the planned load needs at the HPA target, so the HPA scales on it):',
    ...groupSections(plan.sections, plan.lostReplicas).flatMap(({ names, lines }) => [
      `  ${names.join(', ')}:`,
      ...lines.map((line) => `    - ${line}`),
    ]),
    '',
  ];
  if (plan.diffProblem) {
    lines.push(`No diff: ${plan.diffProblem}.`);
  } else if (plan.diff === '') {
    lines.push(`${plan.file} already matches this plan.`);
  } else {
    lines.push(`Suggested change (this tool edits nothing; review, then apply with \`git apply\` or by hand):`, '', plan.diff.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** Sections whose CPU reasoning reads the same (same rate and HPA target) are printed once. */
function groupSections(sections: SectionPlan[], lostReplicas: number): Array<{ names: string[]; lines: string[] }> {
  const groups = new Map<string, { names: string[]; lines: string[] }>();
  for (const s of sections) {
    const lines = [
      ...s.cpu.reasons,
      ...(suggestedMin(s) > s.replicas.minReplicas
        ? [
            `HPA min: the plan needs ${s.replicas.minReplicas}; the environment states ${s.current.minReplicas}, kept: capacity never lowers a stated minimum (an availability choice); lower it by hand`,
          ]
        : []),
      ...(s.replicas.maxReplicas === s.replicas.minReplicas
        ? [
            `HPA max equals min: ${s.replicas.minReplicas} replicas carry ${s.cpu.burst.rps} req/s even with ${lostReplicas} lost, so the HPA has no room to act; ` +
              `fine for capacity; the diff keeps the current max (${suggestedMax(s)}); pass a larger --burst for a planned one`,
          ]
        : []),
    ];
    const key = lines.join('\n');
    const group = groups.get(key);
    if (group) group.names.push(s.section);
    else groups.set(key, { names: [s.section], lines });
  }
  return [...groups.values()];
}
