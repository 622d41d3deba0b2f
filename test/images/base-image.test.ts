// The image's Node and the Node that tests and benchmarks ran on are one release: the Dockerfile's
// default BASE_IMAGE and package.json's node-linux-* binaries are bumped together.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const dockerfile = readFileSync(join(REPO_ROOT, 'service/Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};

test('the default base image is the official Node 24 LTS slim image, pinned to the release package.json installs', () => {
  const base = /^ARG BASE_IMAGE=(.+)$/m.exec(dockerfile)?.[1];
  const match = /^docker\.io\/library\/node:(\d+)\.(\d+)\.(\d+)-(trixie|bookworm)-slim$/.exec(base ?? '');
  assert.ok(match, `BASE_IMAGE default ${base} is not a fully qualified, version-pinned node slim image`);
  assert.equal(match[1], '24', 'Node 24 is the LTS line this project runs on');
  const version = match.slice(1, 4).join('.');
  assert.deepEqual(new Set(Object.values(pkg.optionalDependencies)), new Set([version]));
  assert.equal(pkg.engines.node, '>=24');
});
