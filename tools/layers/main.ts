// `npm run layers`: docs/layers.md from the sources' imports; `--check` writes nothing and fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { fileGraph, folderGraph } from './import-graph.ts';
import { renderLayersPage } from './layers-page.ts';

export const LAYERS_PAGE = join('docs', 'layers.md');

const HELP = `Usage: npm run layers [-- --check]

Draws the folders of the tree as floors from their imports into ${LAYERS_PAGE}.

  --check     write nothing: exit 1 with one line if ${LAYERS_PAGE} is not what the imports draw now
  -h, --help  this text`;

try {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
  } else {
    const page = renderLayersPage(folderGraph(fileGraph()));
    const path = join(REPO_ROOT, LAYERS_PAGE);
    if (!values.check) {
      writeFileSync(path, page);
      console.log(`wrote ${LAYERS_PAGE}`);
    } else if (readFileSync(path, 'utf8') !== page) {
      console.error(`${LAYERS_PAGE} is not what the imports draw now: run \`npm run layers\` and commit it`);
      process.exitCode = 1;
    }
  }
} catch (error) {
  console.error(`layers failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
