import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Pin } from '../../tools/outdated/pin.ts';
import { exitCode, rowFor, summary, worthShowing } from '../../tools/outdated/report.ts';

const etcd: Pin = {
  name: 'go.etcd.io/etcd/server/v3',
  file: 'tools/control-plane/go/etcd/go.mod',
  current: 'v3.6.16',
  source: { type: 'go', module: 'go.etcd.io/etcd/server/v3' },
  hold: { line: 'minor', reason: 'Kubernetes 1.37 supports etcd 3.6' },
};

test('a held pin is behind only within its line, and the newer line is named with the reason', () => {
  const row = rowFor(etcd, { latest: 'v3.6.17', newestOverall: 'v3.7.4' });
  assert.equal(row.behind, '1 patch');
  assert.equal(row.isBehind, true);
  assert.match(row.note, /held: newest is v3\.7\.4 \(1 minor\), Kubernetes 1\.37 supports etcd 3\.6/);
  const current = rowFor(etcd, { latest: 'v3.6.16', newestOverall: 'v3.7.4' });
  assert.equal(current.isBehind, false);
  assert.ok(worthShowing(current), 'a held pin with a newer line is listed');
});

test('an unreachable source is "cannot check" with its reason, not behind; the summary says it once per reason', () => {
  const problem = 'cannot check: github.com unreachable (ENOTFOUND)';
  const pins = ['actions/checkout', 'actions/setup-go'].map(
    (name): Pin => ({
      name,
      file: '.github/workflows/ci.yml',
      current: 'v5.0.0 (08c6903)',
      source: { type: 'github-release', repo: name, tagPrefix: '' },
    }),
  );
  const rows = pins.map((pin) => rowFor(pin, { problem }));
  assert.deepEqual(
    rows.map((row) => [row.latest, row.behind, row.note, row.isBehind]),
    [
      ['?', 'cannot check', 'github.com unreachable (ENOTFOUND)', false],
      ['?', 'cannot check', 'github.com unreachable (ENOTFOUND)', false],
    ],
  );
  assert.equal(
    summary(rows, 2)
      .split('\n')
      .filter((line) => line.includes(problem)).length,
    1,
  );
});

test('the same tag with another digest is a new digest, which counts as behind', () => {
  const image: Pin = {
    name: 'kindest/node',
    file: 'tools/cluster/kind-config.yaml',
    current: 'v1.37.0@a1ed56cfb0e7',
    source: { type: 'kind-image' },
  };
  assert.equal(rowFor(image, { latest: 'v1.37.0@a1ed56cfb0e7' }).isBehind, false);
  const moved = rowFor(image, { latest: 'v1.37.0@0123456789ab' });
  assert.deepEqual([moved.behind, moved.isBehind], ['new digest', true]);
});

test('--fail-on-behind fails on a pin behind in its line, not on a held newer line or an unchecked pin; without it, 0', () => {
  const behind = rowFor(etcd, { latest: 'v3.6.17', newestOverall: 'v3.7.4' });
  const held = rowFor(etcd, { latest: 'v3.6.16', newestOverall: 'v3.7.4' });
  const unchecked = rowFor(etcd, { problem: 'cannot check: Go module proxy disabled (GOPROXY=off)' });
  assert.equal(exitCode([held, unchecked, behind], true), 1);
  assert.equal(exitCode([held, unchecked], true), 0);
  assert.equal(exitCode([behind], false), 0);
});
