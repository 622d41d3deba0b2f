// The control plane of the kwok provider (tools/control-plane, tools/cluster/kwok.ts): how long a build
// takes when nothing changed (and, with --cold-build, from an empty Go build cache), the disk it uses, how
// long `cluster:up -- --provider kwok` and a production deploy take, the memory of each component with
// production deployed, and how long each control-plane test file runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { environments } from '../../config/index.ts';
import { deployRunbook } from '../cluster/deploy.ts';
import { kwokDownRunbook, kwokUpRunbook } from '../cluster/kwok.ts';
import { freeKwokPorts } from '../cluster/kwok-cluster.ts';
import { executeRunbook, type Runbook } from '../cluster/runbook.ts';
import { buildControlPlane, goBuild, goEnvironment } from '../control-plane/build.ts';
import { cacheRoot } from '../control-plane/build-cache.ts';
import { BIN_DIR, controlPlaneProblem } from '../control-plane/build-state.ts';
import { OPENAPI_DIR } from '../control-plane/openapi-specs.ts';
import { GO_MODULES } from '../control-plane/programs.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { readRssMiB } from '../measure/processes.ts';
import type { ControlPlaneResults, DiskUse, ModuleBuild } from '../measure/results.ts';
import { median } from '../measure/stats.ts';
import type { BenchContext } from './context.ts';

const TEST_DIR = join(REPO_ROOT, 'test', 'control-plane');

export async function benchControlPlane(context: BenchContext, options: { coldBuild: boolean }): Promise<ControlPlaneResults> {
  const problem = controlPlaneProblem();
  if (problem !== undefined) throw new Error(problem);
  const noOpMs = await timeNoOpBuilds(context);
  const coldBuild = options.coldBuild ? await coldBuilds(context) : null;
  const clusters = [];
  for (let round = 1; round <= context.profile.serviceRounds; round += 1) {
    context.progress(`control-plane: cluster round ${round}/${context.profile.serviceRounds}`);
    clusters.push(await clusterRound());
  }
  const testFiles = context.profile.mode === 'full' ? await timeTestFiles(context) : [];
  return {
    measuredAt: new Date().toISOString(),
    noOpBuildMs: noOpMs,
    coldBuild,
    disk: diskUse(),
    upSeconds: clusters.map((each) => each.upSeconds),
    deploySeconds: clusters.map((each) => each.deploySeconds),
    downSeconds: clusters.map((each) => each.downSeconds),
    rssMiB: clusters.at(-1)!.rssMiB,
    testFiles,
  };
}

/** `npm run control-plane:build`'s own check when everything is current (its stamps and files). */
async function timeNoOpBuilds(context: BenchContext): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const started = performance.now();
    const { built, restored } = await buildControlPlane({ log: () => undefined });
    if (Object.keys(built).length + restored.length > 0) throw new Error('the control plane was not current: build it before the bench');
    samples.push(performance.now() - started);
  }
  context.progress(`control-plane: a build with nothing to do takes ${median(samples).toFixed(0)} ms`);
  return Math.round(median(samples));
}

/** Every program built from an empty Go build cache (the module cache stays: downloads are not timed). */
async function coldBuilds(context: BenchContext): Promise<{ modules: ModuleBuild[]; buildCacheMiB: number }> {
  const scratch = mkdtempSync(join(tmpdir(), 'sweetshop-cold-build-'));
  try {
    const env = { ...goEnvironment(), GOCACHE: join(scratch, 'gocache') };
    const modules: ModuleBuild[] = [];
    for (const module of GO_MODULES) {
      const started = performance.now();
      for (const program of Object.keys(module.programs)) {
        context.progress(`control-plane: cold build of ${program}`);
        const settings = { env, logFile: join(context.logDir, `cold-build-${program}.log`) };
        await goBuild(module, program, join(scratch, program), (line) => context.progress(`control-plane: ${line.trim()}`), settings);
      }
      modules.push({
        name: module.name,
        programs: Object.keys(module.programs),
        seconds: Math.round((performance.now() - started) / 100) / 10,
      });
    }
    return { modules, buildCacheMiB: duMiB(join(scratch, 'gocache')) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function duMiB(path: string): number {
  if (!existsSync(path)) return 0;
  const result = spawnSync('du', ['-sk', path], { encoding: 'utf8' });
  return Math.round(Number(result.stdout.split('\t')[0]) / 1024);
}

function goEnv(name: string): string {
  return spawnSync('go', ['env', name], { encoding: 'utf8', env: goEnvironment() }).stdout.trim();
}

function diskUse(): DiskUse {
  return {
    programsMiB: duMiB(BIN_DIR),
    openApiMiB: duMiB(OPENAPI_DIR),
    outerCacheMiB: duMiB(cacheRoot()),
    goBuildCacheMiB: duMiB(goEnv('GOCACHE')),
    goModuleCacheMiB: duMiB(goEnv('GOMODCACHE')),
  };
}

/** One cluster up (as cluster:up does, in a folder of its own), production deployed, memory read, cluster down. */
async function clusterRound(): Promise<{ upSeconds: number; deploySeconds: number; downSeconds: number; rssMiB: Record<string, number> }> {
  const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-bench-kwok-'));
  const env = { ...process.env, KUBECONFIG: join(workdir, 'kubeconfig') };
  const options = { workdir, ports: await freeKwokPorts() };
  const run = async (runbook: Runbook) => {
    const started = performance.now();
    await executeRunbook(runbook, { cwd: REPO_ROOT, env, log: () => undefined, output: () => undefined });
    return Math.round((performance.now() - started) / 100) / 10;
  };
  try {
    const upSeconds = await run(kwokUpRunbook(Object.values(environments), options));
    const deploySeconds = await run(deployRunbook('kwok', environments.production!, { yes: true, stateDir: join(workdir, 'state') }));
    const rssMiB = componentRss(workdir);
    const downSeconds = await run(kwokDownRunbook(options));
    return { upSeconds, deploySeconds, downSeconds, rssMiB };
  } finally {
    await executeRunbook(kwokDownRunbook(options), { cwd: REPO_ROOT, env, log: () => undefined, output: () => undefined }).catch(
      () => undefined,
    );
    rmSync(workdir, { recursive: true, force: true });
  }
}

/** VmRSS of every process whose command line names the cluster's folder, by program (kubectl calls are gone by then). */
function componentRss(workdir: string): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    // kwokctl runs its copies of the programs from the cluster's folder (kwok as kwok-controller).
    if (!argv.some((arg) => arg.includes(workdir))) continue;
    const program = basename(argv[0]!);
    rss[program] = (rss[program] ?? 0) + Math.round(readRssMiB(Number(pid)));
  }
  return rss;
}

/** Each control-plane test file on its own, as `npm test` runs it. */
async function timeTestFiles(context: BenchContext): Promise<{ file: string; seconds: number; passed: boolean }[]> {
  const files = readdirSync(TEST_DIR)
    .filter((file) => file.endsWith('.test.ts'))
    .sort();
  const timings = [];
  for (const file of files) {
    context.progress(`control-plane: test file ${file}`);
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--test', join(TEST_DIR, file)], { cwd: REPO_ROOT, stdio: 'ignore' });
      child.on('close', resolve);
    });
    timings.push({ file: `test/control-plane/${file}`, seconds: Math.round((performance.now() - started) / 1000), passed: code === 0 });
  }
  return timings;
}
