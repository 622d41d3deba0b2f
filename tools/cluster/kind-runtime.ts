/**
 * Which container runtime kind runs its node on, decided the way kind decides it, and whether that
 * runtime answers. kind v0.30 (sigs.k8s.io/kind pkg/internal/runtime/runtime.go and
 * pkg/cluster/provider.go DetectNodeProvider): KIND_EXPERIMENTAL_PROVIDER when it holds a value kind
 * knows (an unknown value is ignored with a warning); otherwise docker if `docker -v` prints one line
 * starting "Docker version" (so podman's docker shim does not count), then nerdctl ("nerdctl version")
 * or else finch ("finch version"), then podman ("podman version"). kind checks only the CLI, never the
 * daemon: a docker CLI without a running daemon is still chosen, and kind then fails.
 */
import { formatCommand, type ProbeResult, probeCommand } from '../lib/command.ts';

/** The values kind honours in KIND_EXPERIMENTAL_PROVIDER; each is also the executable it runs. */
const KIND_PROVIDERS = ['docker', 'podman', 'nerdctl', 'finch', 'nerdctl.lima'] as const;
export type KindRuntime = (typeof KIND_PROVIDERS)[number];

/** kind's runtime and why: the variable, or kind's own detection. */
export interface KindRuntimeChoice {
  readonly runtime: KindRuntime;
  readonly reason: string;
}

/** A runtime that answered `info`, and whether it runs rootless (cannot publish ports below the unprivileged start). */
export interface RuntimeState extends KindRuntimeChoice {
  readonly rootless: boolean;
}

type Probe = (argv: readonly string[]) => Promise<ProbeResult>;

/** The runtime KIND_EXPERIMENTAL_PROVIDER names, when kind honours its value. */
export function runtimeFromEnv(env: NodeJS.ProcessEnv): KindRuntime | undefined {
  const value = env.KIND_EXPERIMENTAL_PROVIDER ?? '';
  return (KIND_PROVIDERS as readonly string[]).includes(value) ? (value as KindRuntime) : undefined;
}

/** kind's `exec.OutputLines(cmd)` then `len(lines) == 1 && HasPrefix(lines[0], prefix)`. */
async function versionLineStartsWith(probe: Probe, tool: string, prefix: string): Promise<boolean | undefined> {
  const result = await probe([tool, '-v']);
  const text = result.stdout.replace(/\r?\n$/, '');
  const lines = text === '' ? [] : text.split(/\r?\n/);
  if (result.status !== 0 || lines.length !== 1) return undefined;
  return lines[0]!.startsWith(prefix);
}

/** kind's DetectNodeProvider, in its order; undefined when kind would find no runtime. */
export async function detectKindRuntime(env: NodeJS.ProcessEnv, probe: Probe = envProbe(env)): Promise<KindRuntimeChoice | undefined> {
  const named = runtimeFromEnv(env);
  if (named) return { runtime: named, reason: `KIND_EXPERIMENTAL_PROVIDER=${named}` };
  const reason = 'found as kind looks for it: docker, then nerdctl or finch, then podman';
  if (await versionLineStartsWith(probe, 'docker', 'Docker version')) return { runtime: 'docker', reason };
  // kind tries finch only when `nerdctl -v` fails outright, not when it prints something else.
  const nerdctl = await versionLineStartsWith(probe, 'nerdctl', 'nerdctl version');
  if (nerdctl) return { runtime: 'nerdctl', reason };
  if (nerdctl === undefined && (await versionLineStartsWith(probe, 'finch', 'finch version'))) return { runtime: 'finch', reason };
  if (await versionLineStartsWith(probe, 'podman', 'podman version')) return { runtime: 'podman', reason };
  return undefined;
}

/** The `info` call that proves the daemon (or podman machine) answers and tells whether it is rootless. */
export function infoCommand(runtime: KindRuntime): string[] {
  return runtime === 'podman'
    ? ['podman', 'info', '--format', '{{.Host.Security.Rootless}}']
    : [runtime, 'info', '--format', '{{json .SecurityOptions}}'];
}

const INSTALL = 'install Docker (https://docs.docker.com/get-docker/) or Podman (https://podman.io/docs/installation)';

/**
 * kind's runtime, checked to answer. Throws one line naming the runtime, why kind picks it, what
 * failed and what to do, so the failure shows here and not halfway through `kind create cluster`.
 */
export async function inspectKindRuntime(env: NodeJS.ProcessEnv, probe: Probe = envProbe(env)): Promise<RuntimeState> {
  const choice = await detectKindRuntime(env, probe);
  if (!choice) throw new Error(`kind finds no container runtime (it looks for docker, nerdctl, finch and podman): ${INSTALL}`);
  const info = infoCommand(choice.runtime);
  const result = await probe(info);
  if (result.status !== 0) {
    const cause = firstLine(result.error ?? result.stderr) || `exit code ${result.status}`;
    throw new Error(
      `kind would use ${choice.runtime} (${choice.reason}), but \`${formatCommand({ argv: info })}\` failed: ${cause}; ` +
        (await remedy(choice, probe)),
    );
  }
  const rootless = choice.runtime === 'podman' ? result.stdout.trim() === 'true' : result.stdout.includes('name=rootless');
  return { ...choice, rootless };
}

/** What to do when the chosen runtime does not answer: start it, or point kind at podman when that is installed. */
async function remedy(choice: KindRuntimeChoice, probe: Probe): Promise<string> {
  const start =
    choice.runtime === 'podman'
      ? 'start podman (macOS: podman machine start)'
      : choice.runtime === 'docker'
        ? 'start the docker daemon'
        : `start ${choice.runtime} and the containerd it talks to`;
  if (choice.runtime === 'podman') return start;
  const podman = await versionLineStartsWith(probe, 'podman', 'podman version');
  return podman ? `${start}, or use podman: export KIND_EXPERIMENTAL_PROVIDER=podman` : start;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find(Boolean) ?? ''
  );
}

function envProbe(env: NodeJS.ProcessEnv): Probe {
  return (argv) => probeCommand(argv, { env });
}
