import type { BalancedResult, LoadResult, Timing } from '../../measure/results.ts';

export const CHART_LABELS: Record<string, string> = {
  service: 'replica',
  serviceWithoutRequestLog: 'replica, log off',
  expressHello: 'Express hello',
  nodeHttpHello: 'node:http hello',
};

export function ms(value: number): string {
  return value >= 1000 ? `${Math.round(value / 10) / 100} s` : `${value} ms`;
}

/** autocannon records whole milliseconds: 0 means under one. */
export function latency(msValue: number): string {
  return msValue === 0 ? '< 1 ms' : `${msValue} ms`;
}

export function pct(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

export function shortLabel(timing: Timing): string {
  return timing.label.startsWith('stock') ? 'stock (ts-node)' : timing.label.replace('project: ', '');
}

export function timingRow(timing: Timing, speedUp: number): string {
  return `| ${timing.label} | \`${timing.command}\` (in \`${timing.cwd}\`) | ${ms(timing.medianMs)} | ${ms(timing.minMs)} | ${ms(timing.maxMs)} | ×${speedUp} |`;
}

export function targetLabel(name: string): string {
  return (
    {
      service: 'sweet shop replica',
      serviceWithoutRequestLog: 'replica, request log off (not as deployed)',
      expressHello: 'bare Express 5 hello',
      nodeHttpHello: 'bare node:http hello',
    }[name] ?? name
  );
}

export function loadDescription(load: { connections: number; durationSec: number; generator: string }): string {
  return `autocannon, ${load.connections} keep-alive connections, ${load.durationSec} s per measured run after a warm-up, no pipelining; ${load.generator}`;
}

export function loadCells(run: LoadResult): string {
  return `${run.rps} | ${latency(run.p50Ms)} | ${latency(run.p99Ms)} | ${run.serverCpuCores ?? '-'} | ${run.errors} / ${run.non2xx}`;
}

export function balancedRow(label: string, run: BalancedResult): string {
  const fast = run.shares.filter((s) => !s.slow).reduce((sum, s) => sum + s.share, 0);
  const slow = run.shares.filter((s) => s.slow).reduce((sum, s) => sum + s.share, 0);
  return `| ${label} | ${run.rps} | ${latency(run.p50Ms)} | ${latency(run.p99Ms)} | ${run.serverCpuCores ?? '-'} | ${run.errors} / ${run.non2xx} | ${pct(fast)} / ${pct(slow)} |`;
}
