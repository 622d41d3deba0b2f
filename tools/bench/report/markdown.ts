import type { BenchResults } from '../../measure/results.ts';
import type { ChartSet, ReportSection } from './report-section.ts';
import { balancingSection } from './sections/balancing.ts';
import { capacitySection } from './sections/capacity.ts';
import { controlPlaneSection } from './sections/control-plane.ts';
import { headlineSection } from './sections/headline.ts';
import { memorySection } from './sections/memory.ts';
import { runtimeSection } from './sections/runtime.ts';
import { serviceSection } from './sections/service.ts';
import { spikeSection } from './sections/spike.ts';
import { synthSection } from './sections/synth.ts';

export type { ChartSet } from './report-section.ts';

export interface RenderedReport {
  markdown: string;
  charts: ChartSet;
}

/**
 * docs/benchmarks.md and its charts, from a results object (plus production's HPA CPU target for the
 * capacity example); no I/O, no clock. A benchmark that did not run leaves its section out.
 */
export function renderReport(results: BenchResults, jsonPath = 'benchmarks.json'): RenderedReport {
  const { meta, synth, service, runtime, balancing, memory, spike, controlPlane } = results;
  const sections: ReportSection[] = [
    ...(synth ? [synthSection(synth)] : []),
    ...(service ? [serviceSection(service, meta)] : []),
    ...(runtime ? [runtimeSection(runtime, meta)] : []),
    ...(balancing ? [balancingSection(balancing, service ?? undefined)] : []),
    ...(memory ? [memorySection(memory)] : []),
    ...(service && memory ? [{ lines: capacitySection(service, memory, meta.cpus), charts: {} }] : []),
    ...(controlPlane ? [controlPlaneSection(controlPlane)] : []),
    ...(spike ? [spikeSection(spike)] : []),
  ];
  const lines = [...headlineSection(results, jsonPath), ...sections.flatMap((section) => section.lines), ...REPRODUCE];
  return {
    markdown: `${lines.join('\n').trimEnd()}\n`,
    charts: Object.assign({}, ...sections.map((section) => section.charts)),
  };
}

const REPRODUCE = [
  '## Reproduce',
  '',
  '```sh',
  'npm run bench -- --quick                          # under 3 minutes, noisier',
  'npm run bench -- --json docs/benchmarks.json --report   # full run, rewrites this page and docs/img/*.svg',
  'npm run bench -- --only service,runtime,memory    # a subset',
  'npm run capacity -- --rps 3000 --p99 50 --from docs/benchmarks.json',
  '```',
  '',
];
