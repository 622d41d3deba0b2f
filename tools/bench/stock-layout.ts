import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { installOnce } from './scratch-install.ts';

/**
 * A project as `cdk8s init typescript-app` makes it (that command needs GitHub, so the layout is
 * recreated from the template shipped in cdk8s-cli/templates/typescript-app): main.ts run by
 * `npx ts-node main.ts` under CommonJS, type-checked, rendering the project's own chart copied next to it.
 */
const STOCK_DIR = join(SCRATCH_DIR, 'synth-stock');

export const STOCK_APP = 'npx ts-node main.ts';

/** The project's folders the stock layout copies: the chart, its entry, and everything they import. */
export const STOCK_SOURCE_DIRS = ['config', 'app', 'charts', 'imports'] as const;

/** The template's dependency ranges; cdk8s libraries pinned to the project's so the chart is identical. */
function stockPackageJson(): Record<string, unknown> {
  const project = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const pinned = (name: string): string => {
    const version = project.devDependencies[name];
    if (!version) throw new Error(`package.json has no devDependency ${name}: the stock layout pins the project's version`);
    return version;
  };
  return {
    name: 'sweetshop-stock-cdk8s',
    version: '1.0.0',
    private: true,
    scripts: { synth: 'cdk8s synth' },
    dependencies: { cdk8s: pinned('cdk8s'), 'cdk8s-plus-27': pinned('cdk8s-plus-27'), constructs: pinned('constructs') },
    // jest and ts-jest are left out: they play no part in synth.
    devDependencies: { 'cdk8s-cli': pinned('cdk8s-cli'), '@types/node': '^14', typescript: '5.9.x', 'ts-node': '^10' },
  };
}

/** The template's tsconfig, except `lib`: the project's chart uses ES2022 library calls (Object.hasOwn). */
const STOCK_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ['es2022'],
    module: 'CommonJS',
    noEmit: false,
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: 'ES2017',
  },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
};

/** The template's main.ts shape (App, one chart, synth) with the project's chart for the local environment. */
export const STOCK_MAIN = `import { App } from 'cdk8s';
import { SweetShopChart } from './charts/sweetshop-chart';
import { environmentNamed } from './config/index';
import { validateEnvironment } from './config/validate';

const app = new App();
new SweetShopChart(app, 'sweetshop', { environment: validateEnvironment(environmentNamed(process.env.SWEETSHOP_ENV ?? 'local')) });
app.synth();
`;

/**
 * Creates or refreshes the stock layout. Dependencies are installed from the registry once and kept
 * in .bench/ (re-installed only when the package list changes); the chart sources are copied every
 * run so the stock layout renders the current chart.
 */
export function prepareStockLayout(progress: (message: string) => void): { dir: string; packages: Record<string, string> } {
  installOnce(STOCK_DIR, stockPackageJson(), join('node_modules', '.bin', 'cdk8s'), progress, 'synth: the stock cdk8s layout');
  writeFileSync(join(STOCK_DIR, 'cdk8s.yaml'), `language: typescript\napp: ${STOCK_APP}\n`);
  writeFileSync(join(STOCK_DIR, 'tsconfig.json'), `${JSON.stringify(STOCK_TSCONFIG, null, 2)}\n`);
  writeFileSync(join(STOCK_DIR, 'main.ts'), STOCK_MAIN);
  for (const dir of STOCK_SOURCE_DIRS) {
    rmSync(join(STOCK_DIR, dir), { recursive: true, force: true });
    copyForCommonJs(join(REPO_ROOT, dir), join(STOCK_DIR, dir));
  }
  return {
    dir: STOCK_DIR,
    packages: installedVersions(['cdk8s', 'cdk8s-cli', 'cdk8s-plus-27', 'constructs', 'ts-node', 'typescript', '@types/node']),
  };
}

/**
 * Copies the project's .ts sources, dropping the `.ts` extension from relative imports: the stock
 * layout compiles to CommonJS with TypeScript 5, where `from './x.ts'` is not allowed.
 */
function copyForCommonJs(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => statSync(source).isDirectory() || source.endsWith('.ts') });
  for (const file of listFiles(to)) writeFileSync(file, forCommonJs(readFileSync(file, 'utf8')));
  if (listFiles(to).length === 0) throw new Error(`nothing copied from ${relative(REPO_ROOT, from)}`);
}

/**
 * The project's ES-module TypeScript as a CommonJS project writes it: `from './x.ts'` -> `from './x'` for
 * relative specifiers (package imports are left alone), and `import.meta.url`, which CommonJS output
 * cannot contain, -> `__filename` (what `createRequire` is given for the charts' on-demand modules).
 */
export function forCommonJs(source: string): string {
  return source.replace(/(from\s+['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2').replaceAll('import.meta.url', '__filename');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

function installedVersions(names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => {
      const manifest = JSON.parse(readFileSync(join(STOCK_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      return [name, manifest.version];
    }),
  );
}
