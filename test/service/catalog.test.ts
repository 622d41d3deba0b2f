import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SECTION_NAMES as DEPLOYED_SECTION_NAMES } from '../../config/vocabulary.ts';
import { SECTION_NAMES } from '../../service/src/catalog.ts';
import { sections } from '../../service/src/sections/index.ts';

// The image builds service/ alone, so the service keeps its own copy of the names: it must match the deployed ones.
test('the service serves exactly the sections the environments deploy', () => {
  assert.deepEqual([...SECTION_NAMES].sort(), [...DEPLOYED_SECTION_NAMES].sort());
});

for (const name of SECTION_NAMES) {
  test(`the ${name} catalog has 6-12 sweets with unique ids, integer prices in minor units and the section's currency`, () => {
    const section = sections[name];
    assert.equal(section.name, name);
    assert.ok(section.sweets.length >= 6 && section.sweets.length <= 12, `${section.sweets.length} sweets`);
    assert.equal(new Set(section.sweets.map((sweet) => sweet.id)).size, section.sweets.length, 'ids are unique');
    for (const sweet of section.sweets) {
      assert.match(sweet.id, /^[a-z0-9-]+$/, 'ids are URL-safe');
      assert.ok(sweet.name.length > 0);
      assert.ok(Number.isSafeInteger(sweet.price) && sweet.price > 0, `${sweet.id} price ${sweet.price}`);
      assert.equal(sweet.currency, section.currency, `${sweet.id} currency`);
      assert.match(sweet.currency, /^[A-Z]{3}$/);
    }
  });
}
