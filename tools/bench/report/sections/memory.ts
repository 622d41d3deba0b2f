import type { MemoryResults, YoungGenerationVariant } from '../../../measure/results.ts';
import { pct } from '../format.ts';
import { ratioVsOwnSizing } from '../goals.ts';
import type { ChartSet, ReportSection } from '../report-section.ts';

/** Section 5: one replica's RSS against each environment's memory request and limit. */
export function memorySection(memory: MemoryResults): ReportSection {
  const charts: ChartSet = {};
  const lines: string[] = [];
  lines.push(
    '## 5. Memory of one replica',
    '',
    `RSS from \`/proc/<pid>/status\` (VmRSS, sampled every 200 ms under load; peak = VmHWM) of one compiled ${memory.section} replica: ` +
      `idle after start and a few requests, then under ${memory.load.connections} connections for ${memory.load.durationSec} s (${memory.load.rps} req/s)` +
      (memory.nodeOptions
        ? `, with the memory settings the chart writes (\`NODE_OPTIONS=${memory.nodeOptions}\`${memory.mallocArenaMax === undefined ? '' : ` \`MALLOC_ARENA_MAX=${memory.mallocArenaMax}\``}).`
        : '.'),
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
  if (memory.youngGeneration) lines.push(...youngGenerationLines(memory.youngGeneration, charts));
  return { lines, charts };
}

/** The young generation sizes side by side: a table, and the peak RSS of each as a chart. */
function youngGenerationLines(variants: readonly YoungGenerationVariant[], charts: ChartSet): string[] {
  const label = (v: YoungGenerationVariant) => {
    const semiSpace = /--max-semi-space-size=(\d+)/.exec(v.nodeOptions)?.[1];
    const arenas = v.mallocArenaMax === undefined ? '' : `, ${v.mallocArenaMax} arena${v.mallocArenaMax === 1 ? '' : 's'}`;
    return `${semiSpace ? `semi-space ${semiSpace} MiB` : "V8's own sizing"}${arenas}${v.deployed ? ' (as deployed)' : ''}`;
  };
  charts['young-generation-peak-rss.svg'] = {
    title: 'Peak RSS of one replica under load, by young generation size',
    unit: 'MiB',
    series: ['peak RSS'],
    groups: variants.map((v) => ({ label: label(v), values: [v.peakRssMiB] })),
  };
  return [
    "### A leaner replica: V8's young generation",
    '',
    "Short-lived request objects live in V8's young generation, whose semi-spaces V8 sizes up to 16 MiB each by itself; glibc keeps",
    'freed malloc memory in up to 8 arenas per core (`MALLOC_ARENA_MAX`, environment data `mallocArenaMax`). Each setting below runs a',
    "fresh replica with the chart's heap cap (half the memory limit), loaded as above, in interleaved rounds; each row is its median round.",
    "Goal: peak RSS ≤ 100 MiB at ≥ 0.95 × the req/s of V8's own sizing with glibc's arenas (the settings before `v8SemiSpaceMiB` and `mallocArenaMax`).",
    '',
    "| Setting | NODE_OPTIONS | MALLOC_ARENA_MAX | req/s | ÷ V8's own sizing | Peak RSS |",
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...variants.map(
      (v) =>
        `| ${label(v)} | \`${v.nodeOptions}\` | ${v.mallocArenaMax ?? "glibc's"} | ${v.rps} | ${ratioVsOwnSizing(v, variants)} | ${v.peakRssMiB} MiB |`,
    ),
    '',
    '![Peak RSS by young generation size](img/young-generation-peak-rss.svg)',
    '',
  ];
}
