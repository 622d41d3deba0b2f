import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isJsonObject } from '../../tools/lib/json-object.ts';
import { markdownTable, textTable } from '../../tools/lib/text-table.ts';

test('textTable pads every column to its widest cell, two spaces apart, no trailing spaces; rule adds dashes', () => {
  const rows = [
    ['chocolates', '3000', ''],
    ['cakes', '5', 'x'],
  ];
  assert.equal(textTable(['section', 'rps', 'note'], rows), 'section     rps   note\nchocolates  3000\ncakes       5     x');
  assert.equal(textTable(['a', 'bb'], [['ccc', 'd']], { rule: true }), 'a    bb\n---  --\nccc  d');
});

test('markdownTable aligns its source and has the header rule GitHub needs', () => {
  assert.equal(markdownTable(['section', 'min'], [['cakes', '2 → 3']]), '| section | min   |\n| ------- | ----- |\n| cakes   | 2 → 3 |');
});

test('isJsonObject is true for plain objects only', () => {
  assert.deepEqual([{}, [], null, 'x', 1].map(isJsonObject), [true, false, false, false, false]);
});
