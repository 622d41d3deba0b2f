// The festival spike: local mode with --autoscale and the replicas held to their limits, offered load that
// steps from 10% to 100% of the environment's planned capacity within a second and holds. What a shopper
// sees (errors, latency before, during and after the step) and what the HPA does (replicas over time).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import autocannon from 'autocannon';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environmentNamed } from '../../config/index.ts';
import { parseQuantity } from '../../config/quantity.ts';
import { randomReplicaBasePort } from '../lib/process/ports.ts';
import { SYNC_PERIOD_MS } from '../local/hpa/autoscaler.ts';
import { type LocalShop, type StartLocalShopOptions, startLocalShop } from '../local/shop/shop.ts';
import { COMPILED_SERVICE } from '../measure/behind-nginx.ts';
import { measureCpu } from '../measure/processes.ts';
import { buildService } from '../measure/replica.ts';
import type { SpikePhase, SpikeResults, SpikeRun } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { round } from '../measure/stats.ts';
import { SECTION } from './bench-shop.ts';
import type { BenchContext } from './context.ts';

const ENVIRONMENT = 'local';
const MANIFESTS_DIR = join(SCRATCH_DIR, 'manifests-spike');
const LOW_SHARE = 0.1;
const SAMPLE_MS = 500;
/**
 * The real timings, and a compression of 5: at the autoscaling demo's 20 the metric window (0.75 s) holds
 * so few of /proc's 10 ms CPU ticks that 10% of the planned load already reads as past the target now and then.
 */
const HPA_SPEEDS = [1, 5] as const;

/**
 * Seconds of 10% load before the step and of 100% after it, by HPA speed: the real HPA syncs every 15 s
 * and adds at most max(+4 pods, +100%) per 15 s, so a full run waits out a few syncs; compressed runs are short.
 */
function phaseSeconds(speed: number, quick: boolean): { low: number; high: number } {
  if (speed === 1) return quick ? { low: 10, high: 40 } : { low: 20, high: 90 };
  return quick ? { low: 6, high: 20 } : { low: 8, high: 30 };
}

export async function benchSpike(context: BenchContext): Promise<SpikeResults> {
  const { progress } = context;
  buildService(progress);
  const environment = environmentNamed(ENVIRONMENT);
  synthesizeInto(environment, MANIFESTS_DIR);
  const section = environment.sections[SECTION];
  // What the HPA plans to serve at its ceiling: every replica at its CPU target share of its request.
  const requestCores = parseQuantity(section.requests.cpu)!;
  const targetCores = requestCores * (section.cpuTargetPercent / 100);
  const model = await measureCpuModel(context);
  const rateAtTarget = Math.max(0, targetCores - model.idleCores) / model.coresPerRequest;
  const plannedRps = Math.round(section.maxReplicas * rateAtTarget);
  progress(
    `spike: planned capacity of ${ENVIRONMENT}/${SECTION} ${plannedRps} req/s (${section.maxReplicas} replicas at ${section.cpuTargetPercent}% of ${section.requests.cpu})`,
  );
  const runs: SpikeRun[] = [];
  for (const speed of HPA_SPEEDS) runs.push(await spikeRun(context, speed, plannedRps));
  return {
    environment: ENVIRONMENT,
    section: SECTION,
    cpuUsPerRequest: round(model.coresPerRequest * 1e6, 1),
    idleMillicores: round(model.idleCores * 1000, 1),
    plannedRps,
    lowRps: Math.round(plannedRps * LOW_SHARE),
    minReplicas: section.minReplicas,
    maxReplicas: section.maxReplicas,
    runs,
  };
}

/** Two offered rates and how long each runs: far enough apart that /proc's 10 ms CPU ticks tell them apart. */
const CALIBRATION_RATES = [50, 500] as const;
const CALIBRATION_WARMUP_SEC = 10;
const CALIBRATION_SECONDS = 8;

/** A replica's CPU as a line over its rate: a fixed part (timers, probes, log flushes) and a part per request. */
interface CpuModel {
  idleCores: number;
  coresPerRequest: number;
}

/**
 * How a replica's CPU grows with its rate, measured where the spike runs: one replica behind local mode's
 * nginx, held to its limits, its logs read by the supervisor, at two offered rates. A single figure would
 * not do: a replica pays a fixed part whatever its rate, so its cost per request falls as the rate rises.
 */
async function measureCpuModel(context: BenchContext): Promise<CpuModel> {
  const shop = await startLocalShop({ ...shopOptions(context), replicas: { [SECTION]: 1 } });
  try {
    const url = `${shop.url}/${SECTION}`;
    const pid = shop.replicas.find((r) => r.section === SECTION)!.pid;
    // A replica held to its limit compiles its hot paths slowly; that start-up CPU must not count as the fixed part.
    await offer(url, CALIBRATION_RATES.at(-1)!, CALIBRATION_WARMUP_SEC);
    const points = [];
    for (const rate of CALIBRATION_RATES) {
      const { value, cores } = await measureCpu([pid], () => offer(url, rate, CALIBRATION_SECONDS));
      points.push({ rps: value.responses.length / CALIBRATION_SECONDS, cores });
      context.progress(`spike: calibration: ${rate} req/s offered, ${round1(points.at(-1)!.rps)} served, ${cores} cores`);
    }
    const [low, high] = points as [{ rps: number; cores: number }, { rps: number; cores: number }];
    const coresPerRequest = Math.max((high.cores - low.cores) / (high.rps - low.rps), 1e-6);
    return { idleCores: Math.max(0, low.cores - coresPerRequest * low.rps), coresPerRequest };
  } finally {
    await shop.stop();
  }
}

/** How the spike's shops run: the environment's manifests, the compiled service, replicas held to their limits. */
function shopOptions(context: BenchContext): StartLocalShopOptions {
  return {
    manifestsDir: MANIFESTS_DIR,
    port: 0,
    serviceCommand: COMPILED_SERVICE,
    basePort: randomReplicaBasePort(),
    onEvent: (event) => {
      if (event.type === 'message' && event.level === 'warn') context.progress(`spike: local shop: ${event.message}`);
    },
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

async function spikeRun(context: BenchContext, speed: number, plannedRps: number): Promise<SpikeRun> {
  const { progress, profile } = context;
  const seconds = phaseSeconds(speed, profile.mode === 'quick');
  progress(
    `spike: --hpa-speed ${speed}: ${seconds.low} s at ${Math.round(plannedRps * LOW_SHARE)} req/s, then ${seconds.high} s at ${plannedRps} req/s`,
  );
  const shop = await startLocalShop({ ...shopOptions(context), autoscale: { speed } });
  try {
    // The replicas' start-up CPU fills the first metric windows: two of them pass idle, or the HPA
    // would scale out on the boot before any shopper came.
    await sleep((2 * SYNC_PERIOD_MS) / speed);
    const started = Date.now();
    const samples = sampleReplicas(shop, started);
    const url = `${shop.url}/${SECTION}`;
    const low = await offer(url, Math.round(plannedRps * LOW_SHARE), seconds.low);
    const stepAt = Date.now();
    const high = await offer(url, plannedRps, seconds.high);
    samples.stop();
    return summarizeRun({ speed, started, stepAt, samples: samples.points }, low, high);
  } finally {
    await shop.stop();
  }
}

export interface Sample {
  atSec: number;
  ready: number;
  desired: number;
}

/** Every SAMPLE_MS: the section's ready replicas and the HPA's desired count. */
function sampleReplicas(shop: LocalShop, started: number): { points: Sample[]; stop(): void } {
  const points: Sample[] = [];
  const take = () => {
    const ready = shop.replicas.filter((r) => r.section === SECTION && r.ready && r.exit === undefined).length;
    points.push({ atSec: round((Date.now() - started) / 1000, 1), ready, desired: shop.sections[SECTION]!.desiredReplicas });
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  const stop = () => {
    clearInterval(timer);
    take();
  };
  return { points, stop };
}

export interface Offered {
  /** Wall-clock end time (ms) and latency of every response, in order. */
  responses: { at: number; latencyMs: number }[];
  errors: number;
  non2xx: number;
}

/** Open-loop load: `rps` requests per second whatever the answers take (shoppers do not wait for each other). */
async function offer(url: string, rps: number, durationSec: number): Promise<Offered> {
  const responses: Offered['responses'] = [];
  const result = await autocannon({
    url,
    connections: 50,
    overallRate: rps,
    duration: durationSec,
    setupClient: (client) => {
      client.on('response', (_status: number, _bytes: number, latencyMs: number) => responses.push({ at: Date.now(), latencyMs }));
    },
  });
  // autocannon's `errors` counts its timeouts too.
  return { responses, errors: result.errors, non2xx: result.non2xx };
}

/**
 * The phases: before the step (10%), during it (100%, until the HPA's replicas are all ready), after it.
 * "All ready": after the HPA's last increase following the step, the first sample with that many replicas
 * ready; null when the HPA did not scale, or its replicas were not ready within the run.
 */
export function summarizeRun(
  run: { speed: number; started: number; stepAt: number; samples: readonly Sample[] },
  low: Offered,
  high: Offered,
): SpikeRun {
  const { speed, started, samples } = run;
  const stepAtSec = (run.stepAt - started) / 1000;
  const atStep = samples.findLast((s) => s.atSec <= stepAtSec) ?? samples[0]!;
  const afterStep = samples.filter((s) => s.atSec >= stepAtSec);
  // The HPA's last increase after the step, then the first sample with that many replicas ready.
  const lastRise = afterStep.findLastIndex((s, i) => s.desired > (i === 0 ? atStep.desired : afterStep[i - 1]!.desired));
  const settled = lastRise === -1 ? undefined : afterStep.slice(lastRise).find((s) => s.ready >= s.desired);
  const settledAt = settled === undefined ? Number.POSITIVE_INFINITY : started + settled.atSec * 1000;
  return {
    hpaSpeed: speed,
    stepAtSec: round(stepAtSec, 1),
    replicasAtStep: atStep.desired,
    secondsUntilReady: settled === undefined ? null : round(settled.atSec - stepAtSec, 1),
    errors: low.errors + high.errors,
    non2xx: low.non2xx + high.non2xx,
    before: phase(low.responses),
    during: phase(high.responses.filter((r) => r.at < settledAt)),
    after: phase(high.responses.filter((r) => r.at >= settledAt)),
    replicasOverTime: [...samples],
  };
}

function phase(responses: readonly { latencyMs: number }[]): SpikePhase {
  const sorted = responses.map((r) => r.latencyMs).sort((a, b) => a - b);
  const at = (share: number) =>
    sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!, 1);
  return { responses: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}
