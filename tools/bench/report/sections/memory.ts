import type { MemoryResults } from '../../../measure/results.ts';
import { pct } from '../format.ts';
import type { ChartSet, ReportSection } from '../report-section.ts';

/** Section 5: one replica's RSS against each environment's memory request and limit. */
export function memorySection(memory: MemoryResults): ReportSection {
  const charts: ChartSet = {};
  const lines: string[] = [];
  lines.push(
    '## 5. Memory of one replica',
    '',
    `RSS from \`/proc/<pid>/status\` (VmRSS, sampled every 200 ms under load; peak = VmHWM) of one compiled ${memory.section} replica: ` +
      `idle after start and a few requests, then under ${memory.load.connections} connections for ${memory.load.durationSec} s (${memory.load.rps} req/s).`,
    '',
    '| Idle | Under load (max sample) | Peak (VmHWM) | Samples |',
    '| ---: | ---: | ---: | ---: |',
    `| ${memory.idleRssMiB} MiB | ${memory.loadRssMiB} MiB | ${memory.peakRssMiB} MiB | ${memory.samplesUnderLoad} |`,
    '',
    `Against the memory request and limit of the ${memory.section} Deployment's container in each environment's manifests (synthesized into \`.bench/\` for the run):`,
    '',
    '| Environment | Request | Limit | Under load ÷ request | Peak ÷ limit |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...memory.budgets.map(
      (b) => `| ${b.environment} | ${b.request.quantity} | ${b.limit.quantity} | ${pct(b.loadVsRequest)} | ${pct(b.peakVsLimit)} |`,
    ),
    '',
  );
  return { lines, charts };
}
