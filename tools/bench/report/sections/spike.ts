import type { SpikeResults, SpikeRun } from '../../../measure/results.ts';
import type { ChartSet, ReportSection } from '../report-section.ts';

/** Buckets of the replicas-over-time chart: few enough that each bar stays readable. */
const CHART_BARS = 30;

/** Section 8: the load steps from 10% to 100% of the planned capacity; what shoppers and the HPA see. */
export function spikeSection(spike: SpikeResults): ReportSection {
  const charts: ChartSet = {};
  for (const run of spike.runs) charts[chartFile(run)] = replicasChart(run);
  const lines = [
    '## 8. The festival spike',
    '',
    `Local mode with \`--autoscale\` on the \`${spike.environment}\` manifests, every replica held to its limits (cgroups). The ${spike.section}`,
    `section's planned capacity is what its HPA plans to serve at most: ${spike.maxReplicas} replicas, each at its CPU target's share of its`,
    `request: **${spike.plannedRps} req/s**, from a calibration of one replica behind local mode's nginx at two offered rates (${spike.idleMillicores}m`,
    `of CPU whatever the rate, plus ${spike.cpuUsPerRequest} µs per request). The offered load (autocannon, open`,
    `loop, 50 connections) runs at 10% of that (${spike.lowRps} req/s), then steps to 100% within a second and holds. "During" is from the`,
    'step until the HPA\'s replicas are all ready, "after" the rest. The real HPA timings (sync every 15 s, the environment\'s `behavior`)',
    "and every period and window divided by 5 (`--hpa-speed 5`; at the demo's 20 the metric window is too short to read 10% of the load),",
    'in separate runs. Goal: 0 errors.',
    '',
    '| HPA timings | Errors / non-2xx | Replicas at the step → at the end | All ready after the step | p50 / p99 before | during | after |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...spike.runs.map(
      (run) =>
        `| ${speedLabel(run)} | ${run.errors} / ${run.non2xx} | ${run.replicasAtStep} → ${run.replicasOverTime.at(-1)!.ready} | ${run.secondsUntilReady === null ? 'not within the run' : `${run.secondsUntilReady} s`} | ${latency(run.before)} | ${latency(run.during)} | ${latency(run.after)} |`,
    ),
    '',
    ...spike.runs.flatMap((run) => [`![Replicas over time, ${speedLabel(run)}](img/${chartFile(run)})`, '']),
  ];
  return { lines, charts };
}

const speedLabel = (run: SpikeRun) => (run.hpaSpeed === 1 ? 'real (speed 1)' : `compressed (--hpa-speed ${run.hpaSpeed})`);
const chartFile = (run: SpikeRun) => `spike-replicas-speed-${run.hpaSpeed}.svg`;
const latency = (phase: SpikeRun['before']) => (phase.responses === 0 ? '-' : `${phase.p50Ms} / ${phase.p99Ms} ms`);

/** Ready and desired replicas over the run, the last sample of each bucket; the step is at `stepAtSec`. */
function replicasChart(run: SpikeRun) {
  const end = run.replicasOverTime.at(-1)!.atSec;
  const width = Math.max(1, Math.ceil(end / CHART_BARS));
  const groups = [];
  for (let from = 0; from <= end; from += width) {
    const inBucket = run.replicasOverTime.filter((s) => s.atSec >= from && s.atSec < from + width);
    const last = inBucket.at(-1);
    if (last) groups.push({ label: `${from}s`, values: [last.ready, last.desired] });
  }
  return {
    title: `Replicas over time, ${speedLabel(run)}; load steps up at ${Math.round(run.stepAtSec)} s`,
    unit: 'replicas',
    series: ['ready', 'desired (HPA)'],
    groups,
  };
}
