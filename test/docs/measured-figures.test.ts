// Measured figures live in docs/benchmarks.md only (generated from docs/benchmarks.json): a figure copied
// into the README, another page or a code comment drifts from the next run. This test looks for the shapes
// a measurement takes (a rate, a per-request time, a median, an RSS reading) everywhere else.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { sourceFiles } from '../../tools/layers/import-graph.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const MEASUREMENT = [
  /\d[\d,.]*k?\s?req\/s/, // a rate: 21,578 req/s
  /\d[\d,.]*\s?µs/, // a per-request time
  /median of \d/,
  /\d[\d,.]*\s?Mi?B RSS|RSS (?:of |peak )?\d/, // a memory reading
];

/** Where measurements may stand: the generated page, its data, and the code that measures and writes them. */
const MEASURING = ['docs/benchmarks.md', 'docs/benchmarks.json', 'tools/bench/', 'tools/capacity/', 'tools/measure/'];

function measuredFigures(path: string, text: string): string[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => MEASUREMENT.some((shape) => shape.test(line)))
    .map(({ line, index }) => `${path}:${index + 1}: ${line.trim()}`);
}

function pages(): string[] {
  const docs = readdirSync(join(REPO_ROOT, 'docs')).filter((file) => file.endsWith('.md'));
  return ['README.md', ...docs.map((file) => `docs/${file}`)];
}

test('no measured figure outside docs/benchmarks.md: the README, the other pages and the code cite its sections', () => {
  const files = [...pages(), ...['config', 'charts', 'app', 'service', 'tools'].flatMap(sourceFiles)].filter(
    (file) => !MEASURING.some((place) => file.startsWith(place)),
  );
  assert.ok(files.includes('README.md') && files.includes('service/src/logger.ts'), 'the pages and the code are read');
  assert.deepEqual(
    files.flatMap((file) => measuredFigures(file, readFileSync(join(REPO_ROOT, file), 'utf8'))),
    [],
  );
});

test('the check finds a planted measurement of each shape (and leaves settings alone)', () => {
  const planted = ['1 / 2 replicas: 21,578 / 8,270 req/s', 'costs 31.8 µs per request', 'the median of 7 runs', '127 MiB RSS under load'];
  for (const line of planted) assert.equal(measuredFigures('x.md', line).length, 1, line);
  assert.deepEqual(measuredFigures('x.md', 'a 320Mi memory limit, 16 KiB bodies, headers within 10 s'), []);
});
