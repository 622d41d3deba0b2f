// Imports point one way, down the floors of docs/layers.md: config/ (environment data and its vocabulary)
// at the bottom, charts/ above it, app/ (the cdk8s entry) above that, tools/ on top; service/ stands
// alone. These tests read the import specifiers of every source file of the tree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  cycles,
  fileGraph,
  floors,
  folderGraph,
  folderOf,
  localImports,
  SOURCE_FOLDERS,
  sourceFiles,
  specifiers,
} from '../../tools/layers/import-graph.ts';
import { renderLayersPage } from '../../tools/layers/layers-page.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const graph = fileGraph();

/** `file -> target` for every import of a file under `folder` whose target `allowed` refuses. */
function violations(folder: string, allowed: (target: string) => boolean): string[] {
  return [...graph]
    .filter(([file]) => file.startsWith(`${folder}/`))
    .flatMap(([file, targets]) => targets.filter((target) => !allowed(target)).map((target) => `${file} -> ${target}`));
}

const within =
  (...folders: string[]) =>
  (target: string) =>
    folders.some((folder) => target.startsWith(`${folder}/`));

/** `source` without block and line comments (crude, but comments are the only place prose mentions code here). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

test('the import reader sees every form this code base uses (else the layer tests would pass vacuously)', () => {
  const imports = localImports('charts/sweetshop-chart.ts');
  assert.ok(imports.includes('charts/ingress-routing.ts'), imports.join(', '));
  assert.ok(imports.includes('config/vocabulary.ts'), imports.join(', '));
  assert.ok(localImports('charts/gateway-routing.ts').includes('imports/httproute-gateway.networking.k8s.io.ts'));
  assert.ok(specifiers('config/index.ts').includes('./vocabulary.ts'), 're-exports count');
  assert.ok(localImports('tools/local/supervisor/watchdog.mjs').includes('tools/lib/process/process-identity.mjs'), '.mjs files count');
  for (const folder of SOURCE_FOLDERS) assert.ok(sourceFiles(folder).length > 0, `${folder}/ has sources`);
});

test('the vocabulary imports nothing at all, so every layer may read it', () => {
  assert.deepEqual(specifiers('config/vocabulary.ts'), []);
  assert.deepEqual(specifiers('config/kubernetes-names.ts'), []);
});

test('each layer imports only itself and the layers below it', () => {
  assert.deepEqual(
    {
      config: violations('config', within('config')),
      imports: violations('imports', () => false),
      service: violations('service', within('service')),
      charts: violations('charts', within('charts', 'config', 'imports')),
      app: violations('app', within('app', 'charts', 'config')),
      'tools/lib': violations('tools/lib', within('tools/lib')),
    },
    { config: [], imports: [], service: [], charts: [], app: [], 'tools/lib': [] },
  );
});

test('no import cycle between any two files of the tree (config, imports, service, charts, app, tools)', () => {
  assert.deepEqual(cycles(graph), []);
});

test('no two folders import each other, even through others: every arrow of docs/layers.md points down', () => {
  const folders = folderGraph(graph);
  assert.deepEqual(cycles(folders), []);
  const floor = floors(folders);
  const upward = [...folders].flatMap(([from, to]) =>
    to.filter((target) => (floor.get(target) ?? 0) >= (floor.get(from) ?? 0)).map((target) => `${from} -> ${target}`),
  );
  assert.deepEqual(upward, []);
  assert.ok(folders.has('tools/local/supervisor') && folders.has('tools/local/nginx'), 'local mode is read in rooms');
});

test('the checks refuse what they are for: a planted cycle and a folder importing upward are found', () => {
  const planted = new Map([
    ['tools/local/nginx/a.ts', ['tools/local/shop/b.ts']],
    ['tools/local/shop/b.ts', ['tools/local/nginx/a.ts']],
    ['config/c.ts', []],
  ]);
  assert.deepEqual(cycles(planted), ['tools/local/nginx/a.ts -> tools/local/shop/b.ts -> tools/local/nginx/a.ts']);
  assert.deepEqual(cycles(folderGraph(planted)), ['tools/local/nginx -> tools/local/shop -> tools/local/nginx']);
  assert.throws(
    () => renderLayersPage(folderGraph(planted)),
    /import each other in a cycle, so they have no floors: tools\/local\/nginx -> tools\/local\/shop/,
  );
  assert.equal(folderOf('tools/local/main.ts'), 'tools/local');
  assert.equal(folderOf('tools/bench/report/sections/synth.ts'), 'tools/bench');
});

test('docs/layers.md is what the imports draw now (`npm run layers` rewrites it; --check fails on a stale page)', () => {
  assert.equal(readFileSync(join(REPO_ROOT, 'docs/layers.md'), 'utf8'), renderLayersPage(folderGraph(graph)));
  const check = spawnSync(process.execPath, ['tools/layers/main.ts', '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('only entry points read the process environment (app/main.ts, tools/synth/main.ts); everything below takes arguments', () => {
  const readers = ['config', 'app', 'charts', 'tools/synth', 'tools/plan']
    .flatMap(sourceFiles)
    .filter((file) => withoutComments(readFileSync(join(REPO_ROOT, file), 'utf8')).includes('process.env'));
  assert.deepEqual(readers, ['app/main.ts', 'tools/synth/main.ts']);
});
