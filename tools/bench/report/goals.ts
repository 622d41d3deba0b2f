import type { BenchResults, YoungGenerationVariant } from '../../measure/results.ts';

/** One goal a benchmark checks: the figure measured, the bound it must meet, and whether it did. */
export interface GoalVerdict {
  readonly goal: string;
  readonly figure: number;
  readonly bound: string;
  readonly met: boolean;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
const atMost = (goal: string, figure: number, bound: number): GoalVerdict => ({
  goal,
  figure: round3(figure),
  bound: `≤ ${bound}`,
  met: figure <= bound,
});
const atLeast = (goal: string, figure: number, bound: number): GoalVerdict => ({
  goal,
  figure: round3(figure),
  bound: `≥ ${bound}`,
  met: figure >= bound,
});

/** Every goal the benchmarks that ran can judge, in the order of the report's sections. */
export function goalVerdicts({ synth, service, runtime, balancing, memory, spike }: BenchResults): GoalVerdict[] {
  return [
    ...(synth
      ? [
          atMost("`cdk8s synth` time ÷ stock template's", synth.projectCli.medianMs / synth.stock.medianMs, 0.35),
          atMost("`npm run synth` time ÷ stock template's", synth.npmSynth.medianMs / synth.stock.medianMs, 0.15),
        ]
      : []),
    ...(service ? [atLeast('service req/s ÷ bare Express hello', service.ratioVsExpressHello, 1)] : []),
    ...(runtime
      ? [atLeast('service on the current Node ÷ Express hello on the previous', runtime.ratioServiceVsExpressHelloPrevious, 2.5)]
      : []),
    ...(balancing
      ? [
          atLeast('throughput through local mode, 2 ÷ 1 replicas (no limits)', balancing.ratio2vs1Replicas, 0.9),
          atLeast('throughput through local mode, 3 ÷ 1 replicas (no limits)', balancing.ratio3vs1Replicas, 0.9),
          atMost('CPU per request through local mode, 2 ÷ 1 replicas', balancing.cpuRatio2vs1Replicas, 1.1),
          atMost('CPU per request through local mode, 3 ÷ 1 replicas', balancing.cpuRatio3vs1Replicas, 1.1),
          ...balancing.limitedScaling
            .filter((held) => held.balance === balancing.localBalance)
            .flatMap((held) =>
              held.points
                .filter((point) => point.replicas > 1)
                .map((point) =>
                  atLeast(
                    `${point.replicas} replicas held to ${held.cpuLimit ?? 'no'} CPU, ${held.balance}, ÷ ${point.replicas} × one`,
                    point.rpsVsLinear,
                    0.9,
                  ),
                ),
            ),
        ]
      : []),
    ...(memory ? [atMost('replica peak RSS under the standard load (MiB)', memory.peakRssMiB, 100)] : []),
    ...(memory?.youngGeneration ? [leanestReplica(memory.youngGeneration)] : []),
    ...(spike?.runs ?? []).map((run) => atMost(`errors in the festival spike, --hpa-speed ${run.hpaSpeed}`, run.errors + run.non2xx, 0)),
  ];
}

/** The lowest peak RSS among the settings that keep ≥ 0.95 × the req/s of V8's own sizing (the setting before). */
function leanestReplica(variants: readonly YoungGenerationVariant[]): GoalVerdict {
  const fastEnough = variants.filter((v) => ratioVsOwnSizing(v, variants) >= 0.95);
  const leanest = fastEnough.reduce((best, v) => (v.peakRssMiB < best.peakRssMiB ? v : best), fastEnough[0] ?? variants[0]!);
  return atMost(
    `leanest replica at ≥ 0.95 × the req/s of V8's own young generation sizing, peak RSS (MiB; \`${leanest.nodeOptions}\`${leanest.mallocArenaMax === undefined ? '' : `, MALLOC_ARENA_MAX=${leanest.mallocArenaMax}`})`,
    leanest.peakRssMiB,
    100,
  );
}

/** req/s of `variant` ÷ req/s of the setting without `--max-semi-space-size` (V8 sizes it), same rounds. */
export function ratioVsOwnSizing(variant: YoungGenerationVariant, variants: readonly YoungGenerationVariant[]): number {
  const own = variants.find((v) => !v.nodeOptions.includes('--max-semi-space-size'));
  return own && own.rps > 0 ? round3(variant.rps / own.rps) : 1;
}

/** The console's closing lines: one per goal, verdict first. */
export function goalLines(results: BenchResults): string[] {
  return goalVerdicts(results).map((each) => `${each.met ? 'met    ' : 'NOT MET'}  ${each.goal}: ${each.figure} (goal ${each.bound})`);
}
