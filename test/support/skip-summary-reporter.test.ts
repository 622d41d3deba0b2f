import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestEvent } from 'node:test/reporters';

import skipSummary from './skip-summary-reporter.ts';

function passed(name: string, type: 'suite' | 'test', skip?: string): TestEvent {
  return {
    type: 'test:pass',
    data: {
      name,
      nesting: 0,
      testNumber: 1,
      details: { duration_ms: 0, type },
      file: `${process.cwd()}/test/x.test.ts`,
      line: 1,
      column: 1,
      skip,
    },
  } as TestEvent;
}

async function report(events: TestEvent[]): Promise<string> {
  async function* source(): AsyncGenerator<TestEvent> {
    yield* events;
  }
  let output = '';
  for await (const chunk of skipSummary(source())) output += chunk;
  return output;
}

test('a skipped suite is counted and its reason printed, although node:test reports "skipped 0" for it', async () => {
  const output = await report([
    passed('runs', 'test'),
    passed('needs nginx', 'suite', 'nginx is not installed: run `apt-get install nginx-light`'),
    passed('needs buildah', 'suite', 'buildah is not installed'),
    passed('one flaky check', 'test', 'buildah is not installed'),
  ]);
  assert.equal(
    output,
    [
      "ℹ skipped suites 2, skipped tests 1 (a skipped suite's tests are not counted above)",
      '!!! SKIPPED 1 suite(s), 0 test(s): nginx is not installed: run `apt-get install nginx-light` (test/x.test.ts)',
      '!!! SKIPPED 1 suite(s), 1 test(s): buildah is not installed (test/x.test.ts)',
      '',
    ].join('\n'),
  );
});

test('a run without skips says so in one line', async () => {
  assert.equal(await report([passed('runs', 'test')]), 'ℹ skipped suites 0, skipped tests 0: everything ran\n');
});
