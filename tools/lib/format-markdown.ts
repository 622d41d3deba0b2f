import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { REPO_ROOT } from './repo-root.ts';

/**
 * Markdown as the project's formatter (Biome, with biome.json) writes it, so a generated page passes
 * `npm test`'s `biome check` as written: tables aligned, among others.
 */
export function formatMarkdown(markdown: string): string {
  const biome = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'biome'), ['format', '--stdin-file-path=page.md'], {
    cwd: REPO_ROOT,
    input: markdown,
    encoding: 'utf8',
  });
  if (biome.error) throw new Error(`cannot run Biome to format Markdown (npm ci installs it): ${biome.error.message}`);
  if (biome.status !== 0) throw new Error(`Biome could not format the Markdown: ${biome.stderr.trim()}`);
  return biome.stdout;
}
