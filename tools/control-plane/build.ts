// Builds the control plane's programs from their wrapper modules, as upstream's release builds do
// (CGO off, -trimpath, stripped, version stamped), each into a temporary file renamed into place, so a
// half-written or interrupted build never leaves a program that looks current.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { cacheRoot, restoreFromCache, saveToCache } from './build-cache.ts';
import {
  BIN_DIR,
  type BuildStamp,
  MANIFESTS_DIR,
  moduleDir,
  programPath,
  STAMP_DIR,
  sourceDigest,
  staleReason,
  stampPath,
} from './build-state.ts';
import { fetchOpenApiSpecs } from './openapi-specs.ts';
import { GO_MODULES, type GoModule } from './programs.ts';

const LOG_DIR = join(BIN_DIR, '..', 'logs');
/** How often a running build prints a progress line. */
const PROGRESS_EVERY_MS = 20_000;

/**
 * The environment of every go command: this Go, never a toolchain download (GOTOOLCHAIN=local); no
 * go.work of the user's; go.mod and go.sum as committed (-mod=readonly: a missing sum fails instead of
 * editing them).
 */
export function goEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, GOTOOLCHAIN: 'local', GOWORK: 'off', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
}

/** The `go build` arguments for one program of `module`, written to `output`. */
export function buildArguments(module: GoModule, program: string, output: string): string[] {
  const stamp = Object.entries(module.stamp.variables).map(([variable, value]) => `-X ${variable}=${value}`);
  return [
    'build',
    '-v',
    '-trimpath',
    ...(module.tags.length > 0 ? ['-tags', module.tags.join(',')] : []),
    '-ldflags',
    ['-s', '-w', ...stamp].join(' '),
    '-o',
    output,
    module.programs[program]!,
  ];
}

/** `go env GOVERSION`, or undefined when Go is not installed. */
export function goVersion(): string | undefined {
  const result = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnvironment() });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export interface BuildOptions {
  readonly log: (line: string) => void;
  /** Rebuild even what is current. */
  readonly force?: boolean;
}

/** What a run did: the seconds each module's build took, and the modules restored from the cache. */
export interface BuildOutcome {
  readonly built: Record<string, number>;
  readonly restored: string[];
}

/** Builds (or restores from the cache) every module whose programs are missing or stale, and fetches the OpenAPI documents. */
export async function buildControlPlane(options: BuildOptions): Promise<BuildOutcome> {
  const go = goVersion();
  if (go === undefined) throw new Error('go is not installed: install Go 1.26 (https://go.dev/doc/install), then run this again');
  const built: Record<string, number> = {};
  const restored: string[] = [];
  for (const module of GO_MODULES) {
    const reason = options.force ? 'forced' : staleReason(module, go);
    if (reason === undefined) {
      options.log(`${module.name}: current (${Object.keys(module.programs).join(', ')})`);
      continue;
    }
    if (!options.force && restoreFromCache(module, go)) {
      writeStamp(module, go, 0);
      options.log(`${module.name}: restored from ${cacheRoot()} (${reason})`);
      restored.push(module.name);
      continue;
    }
    options.log(`${module.name}: building ${module.upstream.path}@${module.upstream.version} (${reason})`);
    built[module.name] = await buildModule(module, go, options.log);
    const problem = saveToCache(module, go);
    if (problem) options.log(`${module.name}: not cached (${problem}); the next clean checkout builds it again`);
  }
  fetchOpenApiSpecs(options.log);
  return { built, restored };
}

async function buildModule(module: GoModule, go: string, log: (line: string) => void): Promise<number> {
  const started = Date.now();
  mkdirSync(BIN_DIR, { recursive: true });
  mkdirSync(STAMP_DIR, { recursive: true });
  rmSync(stampPath(module), { force: true });
  for (const program of Object.keys(module.programs)) {
    const partial = `${programPath(program)}.partial-${process.pid}`;
    try {
      await goBuild(module, program, partial, log);
      renameSync(partial, programPath(program));
    } finally {
      rmSync(partial, { force: true });
    }
  }
  copyManifests(module, log);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  writeStamp(module, go, seconds);
  log(`${module.name}: built in ${seconds} s`);
  return seconds;
}

function writeStamp(module: GoModule, go: string, seconds: number): void {
  mkdirSync(STAMP_DIR, { recursive: true });
  const stamp: BuildStamp = { digest: sourceDigest(module), goVersion: go, seconds };
  writeFileSync(stampPath(module), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** The module's manifest folders, from the module cache copies `go build` just used (`go list -m` finds them). */
function copyManifests(module: GoModule, log: (line: string) => void): void {
  for (const [name, { module: path, folder }] of Object.entries(module.manifests ?? {})) {
    const listed = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}\t{{.Version}}', path], {
      cwd: moduleDir(module),
      env: goEnvironment(),
      encoding: 'utf8',
    });
    const [source, version] = listed.stdout.trim().split('\t');
    if (listed.status !== 0 || !source) throw new Error(`go list -m ${path} failed: ${listed.stderr.trim()}`);
    const target = join(MANIFESTS_DIR, name);
    rmSync(target, { recursive: true, force: true });
    cpSync(join(source, folder), target, { recursive: true });
    makeWritable(target);
    log(`  ${name}: copied ${path}@${version}/${folder}`);
  }
}

/** The module cache is read-only, and so are copies of it; the next build must be able to replace them. */
function makeWritable(folder: string): void {
  chmodSync(folder, 0o755);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

/** Where a `go build` runs and logs: by default this machine's Go caches, and .control-plane/logs/<program>.log. */
export interface GoBuildSettings {
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
}

/** One `go build`, its output in the log file, a progress line every PROGRESS_EVERY_MS. */
export function goBuild(
  module: GoModule,
  program: string,
  output: string,
  log: (line: string) => void,
  settings: GoBuildSettings = { env: goEnvironment(), logFile: join(LOG_DIR, `${program}.log`) },
): Promise<void> {
  const { logFile } = settings;
  mkdirSync(dirname(logFile), { recursive: true });
  const sink = createWriteStream(logFile);
  const started = Date.now();
  let compiled = 0;
  let tail: string[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn('go', buildArguments(module, program, output), {
      cwd: moduleDir(module),
      env: settings.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const progress = setInterval(() => {
      log(`  ${program}: ${compiled} packages compiled, ${Math.round((Date.now() - started) / 1000)} s`);
    }, PROGRESS_EVERY_MS);
    const read = (chunk: Buffer) => {
      sink.write(chunk);
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      compiled += lines.filter((line) => !line.startsWith('go: ') && !line.includes(' ')).length;
      tail = [...tail, ...lines].slice(-15);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (error) => {
      clearInterval(progress);
      reject(new Error(`could not start go: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(progress);
      sink.end();
      if (code === 0) {
        log(`  ${program}: linked after ${Math.round((Date.now() - started) / 1000)} s (${compiled} packages compiled)`);
        resolve();
        return;
      }
      const status = signal ? `signal ${signal}` : `exit code ${code}`;
      reject(new Error(`go build of ${program} failed (${status}); full log ${logFile}; last lines:\n${tail.join('\n')}`));
    });
  });
}
