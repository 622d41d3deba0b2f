// A node:test reporter that runs beside `spec` (package.json's test script) and ends the run with the
// skips. node:test counts a skipped describe() as a suite, never as skipped tests, so a whole suite that
// was skipped for a missing system tool still reads "skipped 0" in spec's summary.
import type { TestEvent } from 'node:test/reporters';

interface Skip {
  readonly kind: 'suite' | 'test';
  readonly reason: string;
  readonly file: string;
}

export default async function* skipSummary(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const skips: Skip[] = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' || event.data.skip === undefined) continue;
    const kind = event.data.details.type === 'suite' ? 'suite' : 'test';
    const reason = typeof event.data.skip === 'string' ? event.data.skip : 'skipped';
    skips.push({ kind, reason, file: event.data.file ?? '?' });
  }
  yield closingLines(skips);
}

/** One line per skip reason: how many suites and tests, from which files. */
function closingLines(skips: readonly Skip[]): string {
  if (skips.length === 0) return 'ℹ skipped suites 0, skipped tests 0: everything ran\n';
  const byReason = Map.groupBy(skips, (skip) => skip.reason);
  const lines = [...byReason].map(([reason, group]) => {
    const files = [...new Set(group.map((skip) => relativeFile(skip.file)))].join(', ');
    return `!!! SKIPPED ${count(group, 'suite')} suite(s), ${count(group, 'test')} test(s): ${reason} (${files})`;
  });
  const suites = count(skips, 'suite');
  const tests = count(skips, 'test');
  return `ℹ skipped suites ${suites}, skipped tests ${tests} (a skipped suite's tests are not counted above)\n${lines.join('\n')}\n`;
}

function count(skips: readonly Skip[], kind: Skip['kind']): number {
  return skips.filter((skip) => skip.kind === kind).length;
}

function relativeFile(file: string): string {
  const cwd = `${process.cwd()}/`;
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}
