import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { behindBy, newestVersion, parseVersion } from '../../tools/outdated/versions.ts';

describe('behindBy', () => {
  test('names the most significant part that differs, with its count', () => {
    assert.equal(behindBy('5.1.0', '5.3.0'), '2 minors');
    assert.equal(behindBy('v0.8.1', 'v0.9.1'), '1 minor');
    assert.equal(behindBy('7.29.15', '7.29.17'), '2 patches');
    assert.equal(behindBy('2.6.8', '2.6.9'), '1 patch');
    assert.equal(behindBy('24.22.3', '26.12.1'), '2 majors');
    assert.equal(behindBy('v3.6.16', 'v3.7.4'), '1 minor');
  });

  test('equal is up to date, newer is ahead, and a non-version answers undefined', () => {
    assert.equal(behindBy('v1.9.0', '1.9.0'), 'up to date');
    assert.equal(behindBy('v1.37.0@a1ed56cfb0e7', 'v1.37.0@0000000000ff'), 'up to date');
    assert.equal(behindBy('1.10.0', '1.9.9'), 'ahead');
    assert.equal(behindBy('main', 'v1.0.0'), undefined);
  });
});

describe('parseVersion and newestVersion', () => {
  test('read the first version of a pin as tables write it; a pre-release is never the newest', () => {
    assert.deepEqual(parseVersion('v5.0.0 (08c6903)'), { major: 5, minor: 0, patch: 0, prerelease: undefined });
    assert.deepEqual(parseVersion('v1.10.0-rc.1'), { major: 1, minor: 10, patch: 0, prerelease: 'rc.1' });
    assert.equal(newestVersion(['v1.9.0', 'v1.10.0-rc.1', 'v1.10.0', 'v1.2.0', 'nightly']), 'v1.10.0');
    assert.equal(newestVersion(['24.9.0', '24.10.1']), '24.10.1');
  });
});
