import type { BarChart } from './svg-chart.ts';

/** Chart files the report links to (under docs/img/), keyed by file name. */
export type ChartSet = Record<string, BarChart>;

/** One part of docs/benchmarks.md: its Markdown lines and the charts those lines link to. */
export interface ReportSection {
  lines: string[];
  charts: ChartSet;
}
