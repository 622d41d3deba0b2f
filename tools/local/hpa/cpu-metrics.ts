import { cpuSeconds } from '../../lib/process/process-identity.mjs';

/** One replica's CPU usage as metrics-server serves it: the average over `windowMs`, ending at `at`. */
export interface CpuUsage {
  readonly milliCores: number;
  readonly at: number;
  readonly windowMs: number;
}

/**
 * metrics-server, locally. Every scrape reads each replica's cumulative CPU time from /proc/<pid>/stat
 * (where the kubelet reads the container's cgroup), and a replica's usage is the rate between its last
 * two scrapes: a replica has no metric until its second scrape, as a new pod has none for one
 * metric-resolution on a cluster. The resolution is one clock tick (10 ms of CPU per window).
 */
export class CpuMetrics {
  private readonly readCpu: (pid: number) => number | undefined;
  private readonly last = new Map<string, { cpuSeconds: number; at: number }>();
  private readonly usage = new Map<string, CpuUsage>();

  /** `readCpu`: cumulative CPU seconds of a pid, undefined once it is gone (tests pass their own). */
  constructor(readCpu: (pid: number) => number | undefined = cpuSeconds) {
    this.readCpu = readCpu;
  }

  /** Samples these replicas at `now` (ms); replicas not given, or gone, lose their metric. */
  scrape(replicas: ReadonlyArray<{ readonly id: string; readonly pid: number }>, now: number): void {
    const seen = new Set<string>();
    for (const { id, pid } of replicas) {
      const cpu = this.readCpu(pid);
      if (cpu === undefined) continue;
      seen.add(id);
      const previous = this.last.get(id);
      this.last.set(id, { cpuSeconds: cpu, at: now });
      if (previous === undefined || now <= previous.at) continue;
      const windowMs = now - previous.at;
      // Quantity.MilliValue() rounds up, as the HPA reads metrics-server's value; the 1e-6 keeps float
      // noise in the seconds (1.03 - 1.0 = 0.030000000000000027) from adding a millicore.
      const milliCores = ((cpu - previous.cpuSeconds) * 1e6) / windowMs;
      this.usage.set(id, { milliCores: Math.ceil(milliCores - 1e-6), at: now, windowMs });
    }
    for (const id of [...this.last.keys()]) {
      if (seen.has(id)) continue;
      this.last.delete(id);
      this.usage.delete(id);
    }
  }

  usageOf(id: string): CpuUsage | undefined {
    return this.usage.get(id);
  }
}
