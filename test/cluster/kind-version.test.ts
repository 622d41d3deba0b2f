// cluster:up refuses a kind older than the release whose node image kind-config.yaml pins.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { kindVersionProblem, MIN_KIND_VERSION } from '../../tools/cluster/kind-version.ts';

test('the minimum is kind v0.33.0, the release the pinned node image ships with', () => {
  assert.deepEqual(MIN_KIND_VERSION, [0, 33, 0]);
});

test('`kind version` output at or above the minimum passes, pre-releases of later versions included', () => {
  for (const output of [
    'kind v0.33.0 go1.26.3 linux/amd64\n',
    'kind v0.33.1 go1.26.3 darwin/arm64',
    'kind v0.34.0-alpha.12+0123456789abcd go1.26.3 linux/amd64',
    'kind v1.0.0 go1.26.0 linux/amd64',
  ]) {
    assert.equal(kindVersionProblem(output), undefined, output);
  }
});

test('older kind, or a pre-release of the minimum, is refused naming the version and where to get a newer one', () => {
  assert.equal(
    kindVersionProblem('kind v0.32.0 go1.25.5 linux/amd64'),
    'kind v0.32.0 is too old: the pinned node image needs kind v0.33.0 or later (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)',
  );
  assert.match(kindVersionProblem('kind v0.23.0 go1.21.10 linux/amd64') ?? '', /^kind v0\.23\.0 is too old/);
  assert.match(kindVersionProblem('kind v0.33.0-alpha.3+abc go1.26.3 linux/amd64') ?? '', /^kind v0\.33\.0-alpha\.3\+abc is too old/);
});

test('unreadable output says so', () => {
  assert.equal(
    kindVersionProblem('command not understood\n'),
    "could not read the kind version from `kind version` (got 'command not understood'): install kind v0.33.0 or later from https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
  );
});
