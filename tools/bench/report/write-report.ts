import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { formatMarkdown } from '../../lib/format-markdown.ts';
import type { BenchResults } from '../../measure/results.ts';
import { renderReport } from './markdown.ts';
import { renderBarChart } from './svg-chart.ts';

/**
 * Writes `<docsDir>/benchmarks.md` (formatted as `npm test` checks it) and `<docsDir>/img/<chart>.svg`; the page links to the results
 * file it was made from. Returns the paths written.
 */
export function writeReport(results: BenchResults, docsDir: string, resultsFile: string): string[] {
  const images = join(docsDir, 'img');
  mkdirSync(images, { recursive: true });
  const report = renderReport(results, relative(docsDir, resultsFile));
  const written: string[] = [];
  for (const [file, chart] of Object.entries(report.charts)) {
    const path = join(images, file);
    writeFileSync(path, renderBarChart(chart));
    written.push(path);
  }
  const markdownPath = join(docsDir, 'benchmarks.md');
  writeFileSync(markdownPath, formatMarkdown(report.markdown));
  written.push(markdownPath);
  return written;
}
