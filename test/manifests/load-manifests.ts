/** Test helper: every object of the committed dist/ (and of each environment rendered in memory). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseAllDocuments } from 'yaml';

import { environments } from '../../config/index.ts';
import { type Manifest, render } from '../charts/render.ts';

export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));

export function loadManifestDir(dir: string): Manifest[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.k8s.yaml'))
    .sort();
  if (files.length === 0) throw new Error(`no *.k8s.yaml in ${dir}: run npm run synth`);
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as Manifest;
    }),
  );
}

/** dist/ plus every environment rendered in memory, labelled for assertion messages. */
export function allManifestSets(): { label: string; manifests: Manifest[] }[] {
  return [
    { label: 'dist/', manifests: loadManifestDir(DIST_DIR) },
    ...Object.values(environments).map((env) => ({ label: `environment ${env.name}`, manifests: render(env) })),
  ];
}
