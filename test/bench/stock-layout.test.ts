import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { forCommonJs, STOCK_MAIN, STOCK_SOURCE_DIRS } from '../../tools/bench/stock-layout.ts';
import { fileGraph, folderGraph } from '../../tools/layers/import-graph.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

test('for the CommonJS stock layout, relative .ts import suffixes are dropped and import.meta.url becomes __filename; package imports stay', () => {
  const source = [
    "import { Chart } from 'cdk8s';",
    "import type { EnvironmentConfig } from '../config/types.ts';",
    'import { hardenDeployment } from "./restricted-pod-hardening.ts";',
    "export { SECTION_NAMES } from './types.ts';",
    "import data from './data.tsx';",
    'const load = createRequire(import.meta.url);',
  ].join('\n');
  assert.equal(
    forCommonJs(source),
    [
      "import { Chart } from 'cdk8s';",
      "import type { EnvironmentConfig } from '../config/types';",
      'import { hardenDeployment } from "./restricted-pod-hardening";',
      "export { SECTION_NAMES } from './types';",
      "import data from './data.tsx';",
      'const load = createRequire(__filename);',
    ].join('\n'),
  );
});

test("the stock layout's main.ts renders what npm run synth renders (it calls the project's chart with the current props)", () => {
  // Run as the project runs TypeScript (the stock layout itself compiles it with ts-node, which needs an npm install).
  const withExtensions = STOCK_MAIN.replace(/(from '\.\/[^']+)'/g, "$1.ts'");
  const main = join(REPO_ROOT, `.stock-main-check-${process.pid}.ts`);
  const out = mkdtempSync(join(tmpdir(), 'sweetshop-stock-main-'));
  try {
    writeFileSync(main, withExtensions);
    const run = spawnSync(process.execPath, [main], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK8S_OUTDIR: out, SWEETSHOP_ENV: 'local' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      readFileSync(join(out, 'sweetshop.k8s.yaml'), 'utf8'),
      readFileSync(join(REPO_ROOT, 'dist', 'sweetshop.k8s.yaml'), 'utf8'),
    );
  } finally {
    rmSync(main, { force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test('the stock layout copies every folder the chart and its entry import (else ts-node cannot compile it)', () => {
  const copied: readonly string[] = STOCK_SOURCE_DIRS;
  const folders = folderGraph(fileGraph());
  const needed = new Set(copied.flatMap((folder) => folders.get(folder) ?? []));
  assert.deepEqual(
    [...needed].filter((folder) => !copied.includes(folder)),
    [],
  );
  assert.ok(needed.has('imports'), 'charts/ imports the generated constructs');
});
