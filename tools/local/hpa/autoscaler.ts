import type { AutoscalerSpec } from './autoscaler-spec.ts';
import { CpuMetrics } from './cpu-metrics.ts';
import { DEFAULT_CONTROLLER_SETTINGS, HorizontalController, type HpaStatus } from './horizontal-controller.ts';
import type { PodMetric, PodState } from './replica-calculator.ts';

/** `--autoscale`: the HPA controller, per section with an HPA, acting on the local replicas. */
export interface AutoscaleOptions {
  /**
   * Divides every HPA period and window by this: the controller's sync period and metrics-server's
   * resolution (both 15 s), the stabilization windows and policy periods of `spec.behavior`, the 5 min
   * cpu initialization period and the 30 s initial readiness delay. From 1 to MAX_HPA_SPEED.
   * @default 1 (the real timings)
   */
  readonly speed?: number;
}

/** --horizontal-pod-autoscaler-sync-period, and metrics-server's --metric-resolution: one 15 s tick here. */
export const SYNC_PERIOD_MS = 15_000;
/** Past this the metric window gets too short for /proc's 10 ms clock tick to measure 50m of CPU. */
const MAX_HPA_SPEED = 60;

/** A replica as the autoscaler sees it; times are Date.now() milliseconds. */
export interface ReplicaTiming {
  readonly id: string;
  readonly pid: number;
  readonly startedAt: number;
  /** When /readyz first answered 200; undefined while it starts. */
  readonly readyAt: number | undefined;
  readonly exitedAt: number | undefined;
}

/** What the HPA acts on locally: a Deployment's scale subresource and its pods. */
export interface ScaleTarget {
  /** The section's replicas, ready or starting (not the ones draining after a scale-in). */
  replicasOf(section: string): readonly ReplicaTiming[];
  /** scale.spec.replicas: the count the section converges to. */
  wantedReplicas(section: string): number;
  /** Sets it; the shop starts or drains replicas until the section has that many. */
  setReplicas(section: string, replicas: number): void;
}

/** One HPA as `kubectl get hpa` and `kubectl describe hpa` show it. */
export interface AutoscalerStatus {
  readonly section: string;
  readonly hpa: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCPUUtilization: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** Percent of the request; undefined when the controller could not compute it (`<unknown>`). */
  readonly cpuUtilization: number | undefined;
  /** The last SuccessfulRescale event (wall-clock ISO time). */
  readonly lastScale: { readonly time: string; readonly from: number; readonly to: number; readonly reason: string } | undefined;
  readonly conditions: HpaStatus['conditions'];
}

export function checkHpaSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < 1 || speed > MAX_HPA_SPEED) {
    throw new Error(`--hpa-speed ${speed}: expected a number from 1 to ${MAX_HPA_SPEED} (it divides every HPA period and window)`);
  }
  return speed;
}

/**
 * The loop around the pure controller: every sync period, scrape every replica's CPU (metrics-server),
 * then sync each HPA with the section's pods and metrics and set the replica count it decides.
 * The controller runs on a clock `speed` times faster than the wall clock, so every period and window
 * it knows shrinks by that factor while the CPU usage it reads stays a real rate.
 */
export class Autoscaler {
  private readonly controllers: HorizontalController[];
  private readonly target: ScaleTarget;
  private readonly speed: number;
  private readonly onEvent: (level: 'info' | 'warn', message: string) => void;
  private readonly metrics: CpuMetrics;
  private readonly lastScale = new Map<string, AutoscalerStatus['lastScale']>();
  private readonly origin = Date.now();
  private timer: NodeJS.Timeout | undefined;

  /** `metrics`: where CPU usage comes from (tests give a CpuMetrics reading their own counters). */
  constructor(
    specs: readonly AutoscalerSpec[],
    target: ScaleTarget,
    options: AutoscaleOptions & { onEvent: (level: 'info' | 'warn', message: string) => void },
    metrics = new CpuMetrics(),
  ) {
    this.speed = checkHpaSpeed(options.speed ?? 1);
    this.metrics = metrics;
    this.controllers = specs.map((spec) => new HorizontalController(spec, DEFAULT_CONTROLLER_SETTINGS));
    this.target = target;
    this.onEvent = options.onEvent;
  }

  /** First scrape now; the first sync one period later, when every running replica has a metric. */
  start(): void {
    this.scrape(Date.now());
    this.timer = setInterval(() => this.tick(), SYNC_PERIOD_MS / this.speed);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get statuses(): AutoscalerStatus[] {
    return this.controllers.map(({ spec, status }) => ({
      section: spec.target,
      hpa: spec.name,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilization: spec.targetCPUUtilization,
      // Before the first sync: the count the section started with.
      currentReplicas: status?.currentReplicas ?? this.target.wantedReplicas(spec.target),
      desiredReplicas: status?.desiredReplicas ?? this.target.wantedReplicas(spec.target),
      cpuUtilization: status?.currentCPUUtilization,
      lastScale: this.lastScale.get(spec.target),
      conditions: status?.conditions ?? {},
    }));
  }

  private tick(): void {
    const now = Date.now();
    this.scrape(now);
    for (const controller of this.controllers) this.sync(controller, now);
  }

  private scrape(now: number): void {
    const running = this.controllers.flatMap((c) => this.target.replicasOf(c.spec.target).filter((r) => r.exitedAt === undefined));
    this.metrics.scrape(running, now);
  }

  private sync(controller: HorizontalController, now: number): void {
    const { spec } = controller;
    const replicas = this.target.replicasOf(spec.target);
    const metrics = new Map<string, PodMetric>();
    for (const replica of replicas) {
      const usage = this.metrics.usageOf(replica.id);
      if (usage)
        metrics.set(replica.id, { valueMilli: usage.milliCores, timestamp: this.hpaTime(usage.at), windowMs: usage.windowMs * this.speed });
    }
    const wasActive = controller.status?.conditions.ScalingActive?.status;
    const currentReplicas = this.target.wantedReplicas(spec.target);
    const pods = replicas.map((r) => podState(r, spec.cpuRequestMilli, (ms) => this.hpaTime(ms)));
    const { status, rescale } = controller.sync({ currentReplicas, pods, metrics, now: this.hpaTime(now) });
    this.reportActivity(spec.name, wasActive, status);
    if (rescale) {
      this.lastScale.set(spec.target, { time: new Date(now).toISOString(), ...rescale });
      const cpu = status.currentCPUUtilization === undefined ? '' : ` (cpu ${status.currentCPUUtilization}%/${spec.targetCPUUtilization}%)`;
      this.onEvent('info', `hpa ${spec.name}: New size: ${rescale.to}; reason: ${rescale.reason}${cpu}`);
    }
    // Every sync, as the ReplicaSet controller resyncs: a section that could not reach its count tries again.
    this.target.setReplicas(spec.target, rescale ? rescale.to : currentReplicas);
  }

  /** Logs when the controller stops or starts being able to compute a count (not on every sync). */
  private reportActivity(hpa: string, wasActive: boolean | undefined, status: HpaStatus): void {
    const active = status.conditions.ScalingActive;
    if (active === undefined || active.status === wasActive) return;
    if (!active.status) this.onEvent('warn', `hpa ${hpa}: ${active.reason}: ${active.message}`);
    else if (wasActive === false) this.onEvent('info', `hpa ${hpa}: ${active.reason}: ${active.message}`);
  }

  /** The controller's clock: `speed` times faster than the wall clock, from the moment autoscaling started. */
  private hpaTime(wallMs: number): number {
    return this.origin + (wallMs - this.origin) * this.speed;
  }
}

/** A local replica as a Running pod: Ready from its first 200 on /readyz until it exits. */
export function podState(replica: ReplicaTiming, cpuRequestMilli: number, at: (wallMs: number) => number): PodState {
  const ready =
    replica.readyAt === undefined
      ? { status: false, lastTransitionTime: at(replica.startedAt) }
      : replica.exitedAt === undefined
        ? { status: true, lastTransitionTime: at(replica.readyAt) }
        : { status: false, lastTransitionTime: at(replica.exitedAt) };
  return { name: replica.id, phase: 'Running', ready, startTime: at(replica.startedAt), cpuRequestMilli };
}
