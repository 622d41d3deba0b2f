// The repository's own import graph, read from the sources: which file imports which, which folder
// imports which, and the cycles. The layers test and `npm run layers` (docs/layers.md) both read it, so
// the picture in the docs is the graph the test checks.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';

/** Every folder of source this repository writes or generates (test/ is left out: tests may import anything). */
export const SOURCE_FOLDERS = ['config', 'imports', 'service', 'charts', 'app', 'tools'] as const;

const SOURCE_FILE = /\.(ts|mts|mjs)$/;

/** Every source file under `folder` (repository-relative paths); type declarations (.d.mts) describe an .mjs and are left out. */
export function sourceFiles(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => SOURCE_FILE.test(file) && !file.endsWith('.d.mts') && !file.includes('node_modules'))
    .map((file) => join(folder, file))
    .sort();
}

/** Import and re-export specifiers of `file`: `from '…'`, side-effect `import '…'` and `import('…')`. */
export function specifiers(file: string): string[] {
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...source.matchAll(/(?:^|[\s;}])(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]);
}

/** Repository-relative targets of `file`'s relative imports; package imports are left out. */
export function localImports(file: string): string[] {
  return specifiers(file)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)));
}

/** File -> the files it imports, for every source file of SOURCE_FOLDERS. */
export function fileGraph(folders: readonly string[] = SOURCE_FOLDERS): Map<string, string[]> {
  return new Map(folders.flatMap(sourceFiles).map((file) => [file, localImports(file)]));
}

/**
 * The node a file belongs to in the folder picture: a top folder (config, charts, ...), a tool's folder
 * (tools/cluster) or a room of local mode (tools/local/nginx); a tool's entry (tools/local/main.ts) is its tool.
 */
export function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'tools') return parts[0];
  if (parts[1] === 'local' && parts.length > 3) return parts.slice(0, 3).join('/');
  return parts.slice(0, 2).join('/');
}

/** Folder -> the folders it imports (self-imports left out). */
export function folderGraph(files: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const set = edges.get(from) ?? new Set<string>();
    edges.set(from, set);
    for (const target of targets) if (folderOf(target) !== from) set.add(folderOf(target));
  }
  return new Map([...edges].sort(([a], [b]) => a.localeCompare(b)).map(([from, to]) => [from, [...to].sort()]));
}

/** Every cycle of `graph`, each as `a -> b -> a` (one per back edge a depth-first walk meets). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const done = new Set<string>();
  const found: string[] = [];
  const visit = (node: string, path: readonly string[]) => {
    if (path.includes(node)) {
      found.push([...path.slice(path.indexOf(node)), node].join(' -> '));
      return;
    }
    if (done.has(node)) return;
    for (const target of graph.get(node) ?? []) visit(target, [...path, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

/**
 * Each node's floor in an acyclic graph: 0 for what imports nothing, else one above the highest floor it
 * imports. Drawn bottom-up, every arrow then points to a lower floor.
 */
export function floors(graph: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const floor = new Map<string, number>();
  const of = (node: string): number => {
    const known = floor.get(node);
    if (known !== undefined) return known;
    const value = Math.max(-1, ...(graph.get(node) ?? []).map(of)) + 1;
    floor.set(node, value);
    return value;
  };
  for (const node of graph.keys()) of(node);
  return floor;
}
