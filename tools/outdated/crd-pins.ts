import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Pin, Source } from './pin.ts';
import { GO_MODULE_OF_REPO, HOLDS } from './upstreams.ts';

const FILE = 'crds/README.md';

/** The lookup for an upstream repository's releases: its Go module where one is tagged with them, else GitHub. */
export function releaseSource(repo: string, tagPrefix = ''): Source {
  const module = GO_MODULE_OF_REPO[repo];
  return module ? { type: 'go', module } : { type: 'github-release', repo, tagPrefix };
}

/**
 * The vendored CRD sets: crds/README.md's table names each folder's source repository and tag
 * (`| gateway-api-v1.6.1/ | kubernetes-sigs/gateway-api, tag v1.6.1, ... |`); each row must name a folder
 * that exists, with the same version in its name.
 */
export function crdPins(root: string): Pin[] {
  const folders = new Set(
    readdirSync(join(root, 'crds'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name),
  );
  const rows = readFileSync(join(root, FILE), 'utf8')
    .split('\n')
    .filter((line) => /^\|\s*[\w.-]+\/\s*\|/.test(line));
  if (rows.length === 0) throw new Error(`${FILE}: no table row \`| <folder>/ | <owner>/<repo>, tag <version>, ... |\``);
  return rows.map((line) => {
    const [folder = '', source = ''] = line
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    const name = folder.replace(/\/$/, '');
    const match = /^([\w.-]+\/[\w.-]+), tag (\S+?),/.exec(source);
    if (!match?.[1] || !match[2])
      throw new Error(`${FILE}: row ${name}: expected "<owner>/<repo>, tag <version>, <path>", got '${source}'`);
    if (!folders.has(name)) throw new Error(`${FILE}: row ${name}: no folder crds/${name}/`);
    if (!name.endsWith(`-${match[2]}`)) throw new Error(`${FILE}: row ${name}: the folder's version differs from the tag ${match[2]}`);
    const pin = `${match[1]} CRDs`;
    return { name: pin, file: `crds/${name}/`, current: match[2], source: releaseSource(match[1]), hold: HOLDS[pin] };
  });
}
