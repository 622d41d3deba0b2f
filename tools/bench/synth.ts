import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';
import type { SynthResults, Timing } from '../measure/results.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { median, ratio, round } from '../measure/stats.ts';
import type { BenchContext } from './context.ts';
import { prepareStockLayout, STOCK_APP } from './stock-layout.ts';

/** The same for every variant: no upgrade check (a network call), the same environment rendered. */
const SYNTH_ENV = { CDK8S_CHECK_UPGRADE: 'false', SWEETSHOP_ENV: 'local' };

interface Variant {
  key: 'stock' | 'projectCli' | 'npmSynth';
  label: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  outDir: string;
}

/**
 * Wall time of three ways to render the same chart, in interleaved rounds after one unmeasured warm-up
 * round: the stock template layout (`cdk8s synth` running `npx ts-node main.ts`), this project's
 * `cdk8s synth` (its cdk8s.yaml app), and `npm run synth`. Output goes to .bench/, never to dist/.
 */
export async function benchSynth(context: BenchContext): Promise<SynthResults> {
  const { profile, progress } = context;
  const stock = prepareStockLayout(progress);
  const outRoot = join(SCRATCH_DIR, 'synth-out');
  const nodeOptions = projectNodeOptions();
  const variants = synthVariants(stock.dir, outRoot, nodeOptions);
  const samples = new Map<Variant['key'], number[]>(variants.map((v) => [v.key, []]));
  const cliStartupMs: number[] = [];
  const cliStartupWithoutPreloadMs: number[] = [];
  for (let round = profile.synthWarmup ? 0 : 1; round <= profile.synthRuns; round += 1) {
    for (const variant of variants) {
      progress(round === 0 ? `synth: warm-up, ${variant.label}` : `synth: run ${round}/${profile.synthRuns}, ${variant.label}`);
      const ms = timeVariant(variant);
      if (round > 0) samples.get(variant.key)!.push(ms);
    }
    const startup = timeCommand(CLI_STARTUP.command, CLI_STARTUP.args, REPO_ROOT, projectEnv(nodeOptions), CLI_STARTUP.label);
    // Without a preload in .npmrc the two start-ups are the same command in the same environment.
    const startupWithoutPreload =
      nodeOptions === undefined ? undefined : timeCommand(CLI_STARTUP.command, CLI_STARTUP.args, REPO_ROOT, plainEnv(), CLI_STARTUP.label);
    if (round > 0) {
      cliStartupMs.push(startup);
      if (startupWithoutPreload !== undefined) cliStartupWithoutPreloadMs.push(startupWithoutPreload);
    }
  }
  assertSameManifests(variants);
  const timing = (variant: Variant): Timing =>
    timingOf(
      variant.label,
      [
        variant.command.replace(`${REPO_ROOT}/`, ''),
        ...variant.args,
        outputFlag(variant),
        variant.outDir.replace(`${REPO_ROOT}/`, ''),
      ].join(' '),
      samples.get(variant.key)!,
      variant.cwd.replace(`${REPO_ROOT}/`, '').replace(REPO_ROOT, '.'),
    );
  const [stockTiming, projectCli, npmSynth] = variants.map(timing) as [Timing, Timing, Timing];
  const cliStartupCommand = ['node_modules/.bin/cdk8s', ...CLI_STARTUP.args].join(' ');
  const cliStartup = timingOf(CLI_STARTUP.label, cliStartupCommand, cliStartupMs);
  return {
    runs: profile.synthRuns,
    warmupRound: profile.synthWarmup,
    env: SYNTH_ENV,
    stockLayout: { dir: stock.dir.replace(`${REPO_ROOT}/`, ''), app: STOCK_APP, packages: stock.packages },
    stock: stockTiming,
    projectCli,
    npmSynth,
    cliStartup,
    ...(nodeOptions === undefined
      ? {}
      : { cliStartupWithoutPreload: timingOf(CLI_STARTUP_WITHOUT_PRELOAD_LABEL, cliStartupCommand, cliStartupWithoutPreloadMs) }),
    ...(nodeOptions === undefined ? {} : { projectNodeOptions: nodeOptions }),
    ratioCliVsStock: ratio(stockTiming.medianMs, projectCli.medianMs, 'synth.ratioCliVsStock'),
    ratioNpmSynthVsStock: ratio(stockTiming.medianMs, npmSynth.medianMs, 'synth.ratioNpmSynthVsStock'),
  };
}

/**
 * The environment of a command run outside this npm project: the bench's own without the project's
 * node-options, which npm exports both as NODE_OPTIONS and as npm_config_node_options (read again by any
 * nested npm or npx, such as the stock layout's `npx ts-node`).
 */
function plainEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(NODE_OPTIONS|npm_config_node_options)$/i.test(name)));
  return { ...env, ...SYNTH_ENV };
}

/** The environment `npx cdk8s ...` gets in this project: NODE_OPTIONS from its .npmrc. */
function projectEnv(nodeOptions: string | undefined): NodeJS.ProcessEnv {
  return nodeOptions === undefined ? plainEnv() : { ...plainEnv(), NODE_OPTIONS: nodeOptions };
}

/** The project's `node-options` as npm reads it from .npmrc (npm prints "null" when there is none). */
function projectNodeOptions(): string | undefined {
  const run = spawnSync('npm', ['config', 'get', 'node-options'], { cwd: REPO_ROOT, env: plainEnv(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm config get node-options failed: ${run.stderr.trim()}`);
  const value = run.stdout.trim();
  return value === '' || value === 'null' ? undefined : value;
}

/** The three ways to render the same chart, each into its own folder under `outRoot`. */
function synthVariants(stockDir: string, outRoot: string, nodeOptions: string | undefined): Variant[] {
  return [
    {
      key: 'stock',
      label: `stock layout: cdk8s synth (app: ${STOCK_APP})`,
      command: join(stockDir, 'node_modules', '.bin', 'cdk8s'),
      args: ['synth'],
      cwd: stockDir,
      env: plainEnv(),
      outDir: join(outRoot, 'stock'),
    },
    {
      key: 'projectCli',
      label: 'project: cdk8s synth',
      command: join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s'),
      args: ['synth'],
      cwd: REPO_ROOT,
      env: projectEnv(nodeOptions),
      outDir: join(outRoot, 'project-cli'),
    },
    {
      key: 'npmSynth',
      label: 'project: npm run synth',
      command: 'npm',
      args: ['run', '--silent', 'synth', '--'],
      cwd: REPO_ROOT,
      // npm sets NODE_OPTIONS for its script itself, from the same .npmrc.
      env: plainEnv(),
      outDir: join(outRoot, 'npm-synth'),
    },
  ];
}

function outputFlag(variant: Variant): string {
  return variant.key === 'npmSynth' ? '--out' : '--output';
}

/** Median, min and max of one command's measured runs. */
function timingOf(label: string, command: string, samplesMs: number[], cwd = '.'): Timing {
  return {
    label,
    command,
    cwd,
    samplesMs,
    medianMs: round(median(samplesMs), 0),
    minMs: Math.min(...samplesMs),
    maxMs: Math.max(...samplesMs),
  };
}

const CLI_STARTUP_WITHOUT_PRELOAD_LABEL = 'project: cdk8s --version without the .npmrc preload (a cdk8s started outside npm)';

/** The project's CLI loading its commands and exiting: what every `cdk8s synth` pays before the app runs. */
const CLI_STARTUP = {
  label: 'project: cdk8s --version (CLI start-up alone)',
  command: join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s'),
  args: ['--version'],
};

function timeVariant(variant: Variant): number {
  // `cdk8s synth` empties its output folder itself; `npm run synth` replaces it: start both from nothing.
  rmSync(variant.outDir, { recursive: true, force: true });
  mkdirSync(join(variant.outDir, '..'), { recursive: true });
  return timeCommand(variant.command, [...variant.args, outputFlag(variant), variant.outDir], variant.cwd, variant.env, variant.label);
}

/** Wall time of one run of a command, in ms; throws with its output when it fails. */
function timeCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, label: string): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) {
    throw new Error(`${label} failed (exit ${run.status ?? run.signal}):\n${`${run.stdout}${run.stderr}`.trim().slice(-2000)}`);
  }
  return Math.round(elapsedMs);
}

/** The ratios only mean something if all three rendered the same manifests. */
function assertSameManifests(variants: Variant[]): void {
  const read = (dir: string): string =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.k8s.yaml'))
      .sort()
      .map((f) => `${f}\n${readFileSync(join(dir, f), 'utf8')}`)
      .join('\n');
  const [first, ...rest] = variants;
  const expected = read(first!.outDir);
  for (const variant of rest) {
    if (read(variant.outDir) !== expected)
      throw new Error(
        `synth: ${variant.label} rendered different manifests than ${first!.label} (compare ${first!.outDir} and ${variant.outDir})`,
      );
  }
}
