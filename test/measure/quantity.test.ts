import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatMiB, formatMillicores, memoryToMiB } from '../../tools/measure/quantity.ts';
import { median, ratio } from '../../tools/measure/stats.ts';

test('memory quantities convert to MiB, binary and decimal suffixes alike', () => {
  assert.equal(memoryToMiB('192Mi'), 192);
  assert.equal(memoryToMiB('1Gi'), 1024);
  assert.equal(memoryToMiB('512Ki'), 0.5);
  assert.equal(memoryToMiB('1048576'), 1);
  assert.equal(Math.round(memoryToMiB('128M') * 100) / 100, 122.07);
  assert.throws(() => memoryToMiB('lots'), { message: '"lots" is not a memory quantity (e.g. 128Mi, 1Gi)' });
});

test('millicores and MiB are written as the environment files write them', () => {
  assert.equal(formatMillicores(1000), '1');
  assert.equal(formatMillicores(950), '950m');
  assert.equal(formatMiB(2048), '2Gi');
  assert.equal(formatMiB(96), '96Mi');
});

test('median and ratio on fixed numbers, with clear errors', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), /median of an empty list/);
  assert.equal(ratio(3, 2, 'x'), 1.5);
  assert.throws(() => ratio(3, 0, 'service.ratioVsExpressHello'), { message: 'cannot compute service.ratioVsExpressHello: 3 / 0' });
});
