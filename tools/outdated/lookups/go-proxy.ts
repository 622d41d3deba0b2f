import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { probeCommand } from '../../lib/command.ts';
import { shortDigest } from '../image-pins.ts';
import type { Lookup, Pin } from '../pin.ts';
import { newestVersion } from '../versions.ts';
import { heldLine } from './held-line.ts';

const KIND_MODULE = 'sigs.k8s.io/kind';
const KIND_IMAGE_FILE = 'pkg/apis/config/defaults/image.go';

interface ModuleAnswer {
  readonly Path: string;
  readonly Version: string;
  readonly Versions?: readonly string[];
  readonly Query?: string;
  readonly Dir?: string;
  readonly Error?: { readonly Err: string };
}

/** `go` with the module proxy the user configured, from an empty folder (no go.mod to resolve against), never a newer toolchain. */
async function go(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ answers: ModuleAnswer[] } | { problem: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-outdated-'));
  try {
    const result = await probeCommand(['go', ...args], {
      cwd: dir,
      env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
      timeoutMs: 120_000,
    });
    if (result.error !== undefined) return { problem: `cannot check: go did not run (${result.error})` };
    if (result.status !== 0) return { problem: `cannot check: ${goReason(result.stderr)}` };
    // `go list -json` prints one object after another, not an array.
    return { answers: JSON.parse(`[${result.stdout.replace(/\n}\n{/g, '\n},\n{')}]`) as ModuleAnswer[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for a failed module query: GOPROXY=off and an unreachable proxy are said plainly. */
export function goReason(err: string): string {
  if (err.includes('GOPROXY=off')) return 'Go module proxy disabled (GOPROXY=off)';
  const line = err.trim().split('\n')[0] ?? '';
  if (/dial tcp|no such host|connection refused|i\/o timeout|TLS handshake/.test(line))
    return `Go module proxy unreachable (${line.replace(/^.*?: /, '')})`;
  return line;
}

/** The answer to `module@query`, or why there is none. */
function answerFor(answers: readonly ModuleAnswer[], module: string, query: string): ModuleAnswer | { problem: string } {
  const answer = answers.find((a) => a.Path === module && (a.Query === query || (a.Error && a.Version === query)));
  if (!answer) return { problem: `cannot check: go list gave no answer for ${module}@${query}` };
  if (answer.Error) return { problem: `cannot check: ${goReason(answer.Error.Err)}` };
  return answer;
}

/** kind's default node image at a release, from that release's source (downloaded into the module cache). */
async function kindImageAt(version: string, env: NodeJS.ProcessEnv): Promise<Lookup> {
  const result = await go(['mod', 'download', '-json', `${KIND_MODULE}@${version}`], env);
  if ('problem' in result) return result;
  const dir = result.answers[0]?.Dir;
  if (!dir) return { problem: `cannot check: go mod download gave no folder for ${KIND_MODULE}@${version}` };
  const source = readFileSync(join(dir, KIND_IMAGE_FILE), 'utf8');
  const image = /const Image = "([^"]+)"/.exec(source)?.[1];
  if (!image) return { problem: `cannot check: ${KIND_MODULE}@${version} ${KIND_IMAGE_FILE} has no \`const Image = "..."\`` };
  return { latest: shortDigest(image), note: `kind ${version}'s default` };
}

/** The newest Go release: golang.org/toolchain's versions name every release, per platform. */
async function goToolchainLookup(env: NodeJS.ProcessEnv): Promise<Lookup> {
  const result = await go(['list', '-m', '-versions', '-json', 'golang.org/toolchain'], env);
  if ('problem' in result) return result;
  const releases = (result.answers[0]?.Versions ?? []).flatMap(
    (version) => /^v0\.0\.1-go(\d+\.\d+\.\d+)\.linux-amd64$/.exec(version)?.[1] ?? [],
  );
  const latest = newestVersion(releases);
  return latest ? { latest } : { problem: 'cannot check: golang.org/toolchain lists no Go release' };
}

/**
 * The newest release of every Go-module pin and of kind's node image, in one `go list -m -e` (a held pin
 * also asks for its line, `module@v3.6`), plus one `go mod download` for kind's source.
 */
export async function goLookups(
  goPins: readonly Pin[],
  kindImagePins: readonly Pin[],
  env: NodeJS.ProcessEnv = process.env,
  toolchainPins: readonly Pin[] = [],
): Promise<Map<Pin, Lookup>> {
  const lookups = new Map<Pin, Lookup>();
  if (toolchainPins.length > 0) {
    const toolchain = await goToolchainLookup(env);
    for (const pin of toolchainPins) lookups.set(pin, toolchain);
  }
  const moduleOf = (pin: Pin) => (pin.source.type === 'go' ? pin.source.module : KIND_MODULE);
  const queries = new Set<string>();
  for (const pin of [...goPins, ...kindImagePins]) queries.add(`${moduleOf(pin)}@latest`);
  for (const pin of goPins) {
    const line = heldLine(pin);
    if (line !== undefined) queries.add(`${moduleOf(pin)}@v${line}`);
  }
  if (queries.size === 0) return lookups;
  const result = await go(['list', '-m', '-e', '-json', ...queries], env);
  for (const pin of goPins) {
    if ('problem' in result) {
      lookups.set(pin, result);
      continue;
    }
    const newest = answerFor(result.answers, moduleOf(pin), 'latest');
    const line = heldLine(pin);
    if ('problem' in newest) lookups.set(pin, newest);
    else if (line === undefined) lookups.set(pin, { latest: newest.Version });
    else {
      const inLine = answerFor(result.answers, moduleOf(pin), `v${line}`);
      lookups.set(pin, 'problem' in inLine ? inLine : { latest: inLine.Version, newestOverall: newest.Version });
    }
  }
  if (kindImagePins.length > 0) {
    const kind = 'problem' in result ? result : answerFor(result.answers, KIND_MODULE, 'latest');
    const image = 'problem' in kind ? kind : await kindImageAt(kind.Version, env);
    for (const pin of kindImagePins) lookups.set(pin, image);
  }
  return lookups;
}
