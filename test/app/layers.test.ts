// Imports point one way: tools -> app (the cdk8s entry) -> charts -> config (environment data) -> vocabulary.
// These tests read the import specifiers of every source file and fail on an import against the flow.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

/** Every .ts file under `folder` (repository-relative paths). */
function sourceFiles(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file))
    .sort();
}

/** Import and re-export specifiers of `file`: `from '…'`, side-effect `import '…'` and `import('…')`. */
function specifiers(file: string): string[] {
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...source.matchAll(/(?:^|[\s;}])(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]);
}

/** Repository-relative targets of `file`'s relative imports; package imports are left out. */
function localImports(file: string): string[] {
  return specifiers(file)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)));
}

/** `source` without block and line comments (crude, but comments are the only place prose mentions code here). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function violations(folder: string, allowed: (target: string) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) =>
    localImports(file)
      .filter((target) => !allowed(target))
      .map((target) => `${file} -> ${target}`),
  );
}

test('the import reader sees every form this code base uses (else the layer tests would pass vacuously)', () => {
  const imports = localImports('charts/sweetshop-chart.ts');
  assert.ok(imports.includes('charts/ingress-routing.ts'), imports.join(', '));
  assert.ok(imports.includes('config/vocabulary.ts'), imports.join(', '));
  assert.ok(localImports('charts/gateway-routing.ts').includes('imports/httproute-gateway.networking.k8s.io.ts'));
  assert.ok(specifiers('config/index.ts').includes('./vocabulary.ts'), 're-exports count');
});

test('the vocabulary imports nothing at all, so every layer may read it', () => {
  assert.deepEqual(specifiers('config/vocabulary.ts'), []);
});

test('config imports nothing outside itself (no charts/, tools/ or service/)', () => {
  assert.deepEqual(
    violations('config', (target) => target.startsWith('config/')),
    [],
  );
});

test('charts/ imports only charts/, config/ and the generated imports/ (never the app entry, tools/ or service/)', () => {
  assert.deepEqual(
    violations('charts', (target) => ['charts/', 'config/', 'imports/'].some((folder) => target.startsWith(folder))),
    [],
  );
});

test('the generated imports/ import no file of this repository (only cdk8s and constructs)', () => {
  assert.deepEqual(
    violations('imports', () => false),
    [],
  );
});

test('the app entry (app/*.ts) imports app/, charts/ and config/ only, never tools/ or service/', () => {
  assert.deepEqual(
    violations('app', (target) => ['app/', 'charts/', 'config/'].some((folder) => target.startsWith(folder))),
    [],
  );
});

test('no import cycle between the files of app/, charts/, tools/synth/ and tools/plan/', () => {
  const files = ['config', 'app', 'charts', 'tools/synth', 'tools/plan'].flatMap(sourceFiles);
  const graph = new Map(files.map((file) => [file, localImports(file)]));
  const done = new Set<string>();
  const cycles: string[] = [];
  const visit = (file: string, path: readonly string[]) => {
    if (path.includes(file)) {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    if (done.has(file)) return;
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    done.add(file);
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('only entry points read the process environment (app/main.ts, tools/synth/main.ts); everything below takes arguments', () => {
  const readers = ['config', 'app', 'charts', 'tools/synth', 'tools/plan']
    .flatMap(sourceFiles)
    .filter((file) => withoutComments(readFileSync(join(REPO_ROOT, file), 'utf8')).includes('process.env'));
  assert.deepEqual(readers, ['app/main.ts', 'tools/synth/main.ts']);
});
