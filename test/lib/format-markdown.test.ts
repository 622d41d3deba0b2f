import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatMarkdown } from '../../tools/lib/format-markdown.ts';

test('formatMarkdown aligns a table the way biome check wants it, and leaves prose alone', () => {
  const page = '# Title\n\nSome text | with a pipe.\n\n| section | rps |\n| --- | ---: |\n| chocolates | 5 |\n';
  assert.equal(
    formatMarkdown(page),
    '# Title\n\nSome text | with a pipe.\n\n| section    | rps |\n| ---------- | --: |\n| chocolates |   5 |\n',
  );
});
