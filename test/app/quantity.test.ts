import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseQuantity } from '../../config/quantity.ts';

test('parses the quantity forms Kubernetes accepts into base units', () => {
  assert.equal(parseQuantity('250m'), 0.25);
  assert.equal(parseQuantity('1'), 1);
  assert.equal(parseQuantity('1.5'), 1.5);
  assert.equal(parseQuantity('128Mi'), 128 * 2 ** 20);
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('0.5Gi'), 2 ** 29);
  assert.equal(parseQuantity('100M'), 1e8);
  assert.equal(parseQuantity('64k'), 64_000);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('.5'), 0.5);
});

test('rejects what an API server would reject', () => {
  for (const text of ['', '50 m', '256MB', '1.2.3', 'Mi', '-1', '1mi', '10KB', 'latest']) {
    assert.equal(parseQuantity(text), undefined, text);
  }
});
