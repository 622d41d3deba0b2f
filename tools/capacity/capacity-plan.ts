import type { EnvironmentConfig, SectionName } from '../../app/environments/index.ts';
import { formatMiB, formatMillicores } from '../bench/quantity.ts';
import { editSection, lineDiff } from './environment-edit.ts';
import type { ReplicaMeasurement } from './measure.ts';
import { DEFAULT_POLICY, planReplicas, planResources, sustainableRate, type PlanPolicy, type ReplicaPlan, type ResourcePlan, type Sustainable } from './planner.ts';

export interface SectionPlan {
  section: string;
  current: { minReplicas: number; maxReplicas: number; cpuTargetPercent: number };
  replicas: ReplicaPlan;
  /** CPU utilisation (percent of the suggested request) per replica at the target rate and minReplicas. */
  utilisationAtMinPercent: number;
}

export interface CapacityPlan {
  environment: string;
  file: string;
  p99TargetMs: number;
  source: string;
  sustainable: Sustainable;
  burstFactor: number;
  sections: SectionPlan[];
  resources: ResourcePlan & { cpuRequest: string; cpuLimit: string; memoryRequest: string; memoryLimit: string };
  /** Unified diff against the environment file; empty when nothing would change. */
  diff: string;
  /** Why no diff could be computed (the file is not written as plain literals), if so. */
  diffProblem?: string;
}

/**
 * Everything `npm run capacity` prints, from the measurement, the environment config and the text
 * of its file. Pure: the caller reads files and measures.
 */
export function buildCapacityPlan(input: {
  env: EnvironmentConfig;
  file: string;
  source: string;
  rates: Record<string, number>;
  p99TargetMs: number;
  measurement: ReplicaMeasurement;
  policy?: PlanPolicy;
}): CapacityPlan {
  const policy = input.policy ?? DEFAULT_POLICY;
  const sustainable = sustainableRate(input.measurement.curve, input.p99TargetMs);
  const resources = planResources(sustainable, input.measurement.memory, policy);
  const quantities = {
    cpuRequest: formatMillicores(resources.cpuRequestMillicores),
    cpuLimit: formatMillicores(resources.cpuLimitMillicores),
    memoryRequest: formatMiB(resources.memoryRequestMiB),
    memoryLimit: formatMiB(resources.memoryLimitMiB),
  };
  const sections: SectionPlan[] = [];
  let edited = input.source;
  let diffProblem: string | undefined;
  for (const [section, rate] of Object.entries(input.rates)) {
    const config = input.env.sections[section as SectionName];
    if (!config) throw new Error(`environment ${input.env.name} has no section ${section}`);
    const replicas = planReplicas(rate, sustainable.rps, policy);
    sections.push({
      section,
      current: { minReplicas: config.minReplicas, maxReplicas: config.maxReplicas, cpuTargetPercent: config.cpuTargetPercent },
      replicas,
      utilisationAtMinPercent: Math.round((replicas.perReplicaRpsAtMin / sustainable.rps) * 100),
    });
    if (diffProblem === undefined) {
      try {
        edited = editSection(
          edited,
          section,
          {
            minReplicas: replicas.minReplicas,
            maxReplicas: replicas.maxReplicas,
            requests: { cpu: quantities.cpuRequest, memory: quantities.memoryRequest },
            limits: { cpu: quantities.cpuLimit, memory: quantities.memoryLimit },
          },
          input.file,
        );
      } catch (error) {
        diffProblem = (error as Error).message;
      }
    }
  }
  return {
    environment: input.env.name,
    file: input.file,
    p99TargetMs: input.p99TargetMs,
    source: input.measurement.source,
    sustainable,
    burstFactor: policy.burstFactor,
    sections,
    resources: { ...resources, ...quantities },
    diff: diffProblem === undefined ? lineDiff(input.source, edited, input.file) : '',
    ...(diffProblem === undefined ? {} : { diffProblem }),
  };
}

/** The plan as the terminal shows it. */
export function formatCapacityPlan(plan: CapacityPlan): string {
  const { sustainable } = plan;
  const lines = [
    `Capacity plan for environment '${plan.environment}', p99 target ${plan.p99TargetMs} ms`,
    `Source: ${plan.source}`,
    `One replica sustains ${sustainable.rps} req/s within the target (p99 ${sustainable.p99Ms} ms at ${sustainable.connections} connection(s), ${sustainable.cpuCores} cores).`,
    'Measured with the load generator on the same machine: re-measure on a cluster node before trusting absolute numbers.',
    '',
    table(
      ['section', 'target req/s', 'replicas for load', 'HPA min (1 lost)', `HPA max (x${plan.burstFactor} burst)`, 'req/s per replica at min / after loss', 'now min/max'],
      plan.sections.map((s) => [
        s.section,
        String(s.replicas.targetRps),
        String(s.replicas.forLoad),
        String(s.replicas.minReplicas),
        String(s.replicas.maxReplicas),
        `${s.replicas.perReplicaRpsAtMin} / ${s.replicas.perReplicaRpsAfterLoss}`,
        `${s.current.minReplicas}/${s.current.maxReplicas}`,
      ]),
    ),
    '',
    'Per replica (every section runs the same service code; measured on one section):',
    ...plan.resources.reasons.map((reason) => `  - ${reason}`),
    ...[...new Set(plan.sections.map((s) => s.current.cpuTargetPercent))].map(
      (percent) =>
        `  - with the HPA target at ${percent}% of that cpu request, the HPA adds replicas once each serves more than about ` +
        `${Math.round((sustainable.rps * percent) / 100)} req/s (${percent}% of the sustainable rate)`,
    ),
    ...plan.sections
      .filter((s) => s.replicas.maxReplicas === s.replicas.minReplicas)
      .map(
        (s) =>
          `  - ${s.section}: HPA max equals min: ${s.replicas.minReplicas} replicas carry ${plan.burstFactor}x the target even with one lost, ` +
          'so the HPA has no room to act; keep the current max or pass a larger --burst if you want it to',
      ),
    ...plan.sections
      .filter((s) => s.utilisationAtMinPercent > s.current.cpuTargetPercent)
      .map(
        (s) =>
          `  - ${s.section}: at the target rate each of ${s.replicas.minReplicas} replicas runs at ${s.utilisationAtMinPercent}% of its CPU request, above the HPA target ` +
          `${s.current.cpuTargetPercent}%: the HPA will hold more than minReplicas at that rate (max allows it).`,
      ),
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

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
