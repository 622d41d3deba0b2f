// Stand-ins for kind, kubectl and the container runtimes: small sh scripts in a temp dir that becomes
// the whole PATH. Each appends its argv to $CALLS and prints canned output chosen by FAKE_* variables.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPTS: Readonly<Record<string, string>> = {
  kind: `case "$1 $2" in
  "version ") echo "\${FAKE_KIND_VERSION:-kind v0.33.0 go1.26.3 linux/amd64}" ;;
  "get clusters") if [ -n "$FAKE_KIND_CLUSTERS" ]; then echo "$FAKE_KIND_CLUSTERS"; fi ;; # none: stdout stays empty
esac`,
  // deploy: FAKE_NO_CONTEXT (no kubectl context for the cluster), FAKE_KUBECTL_MINOR (default 33), FAKE_NAMESPACE (an existing namespace), FAKE_DIFF (differences:
  // printed, exit 1), FAKE_PRUNED (objects the applyset apply prunes). Like the real one, it knows --applyset
  // only with KUBECTL_APPLYSET=true. cluster:up: FAKE_INGRESS_CLASS_CONTROLLER (spec.controller of IngressClass nginx).
  kubectl: `case "$*" in
  *" get deployment metrics-server "*) echo "$FAKE_METRICS_SERVER_ARGS" ;;
  *" get ingressclass nginx "*) if [ -n "$FAKE_INGRESS_CLASS_CONTROLLER" ]; then printf '%s' "$FAKE_INGRESS_CLASS_CONTROLLER"; fi ;;
  "config get-contexts "*) if [ -z "$FAKE_NO_CONTEXT" ]; then echo "$3"; fi ;;
  "version --client --output=json") echo "{\\"clientVersion\\":{\\"major\\":\\"1\\",\\"minor\\":\\"\${FAKE_KUBECTL_MINOR:-33}\\"}}" ;;
  *" get namespace "*) if [ -n "$FAKE_NAMESPACE" ]; then echo "namespace/$FAKE_NAMESPACE"; fi ;;
  *" get deployments --output=json") if [ -n "$FAKE_DEPLOYMENTS" ]; then printf '%s\\n' "$FAKE_DEPLOYMENTS"; else echo '{"items":[]}'; fi ;;
  *" diff "*) if [ -n "$FAKE_DIFF" ]; then echo "$FAKE_DIFF"; exit 1; fi ;;
  *" --applyset="*)
    if [ "$KUBECTL_APPLYSET" != "true" ]; then echo "error: unknown flag: --applyset" >&2; exit 1; fi
    case "$*" in *" --dry-run=server "*) suffix=" (server dry run)" ;; *) suffix="" ;; esac
    echo "namespace/sweetshop serverside-applied$suffix"
    for object in $FAKE_PRUNED; do echo "$object pruned$suffix"; done ;;
esac`,
  docker: `case "$1" in
  -v) echo "\${FAKE_DOCKER_VERSION:-Docker version 28.2.2, build e6534b4}" ;;
  info)
    if [ -n "$FAKE_DOCKER_DOWN" ]; then
      echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
      exit 1
    fi
    echo "\${FAKE_DOCKER_SECURITY:-[\\"name=seccomp,profile=builtin\\",\\"name=cgroupns\\"]}" ;;
esac`,
  podman: `case "$1" in
  -v) echo "podman version 5.4.2" ;;
  info) echo "\${FAKE_PODMAN_ROOTLESS:-false}" ;;
esac`,
  nerdctl: `case "$1" in
  -v) echo "nerdctl version 2.1.2" ;;
  info) echo '["name=seccomp,profile=default"]' ;;
esac`,
};

export type FakeTool = keyof typeof SCRIPTS;

export interface FakeBin {
  /** The directory holding the fakes (also a scratch root for .cluster/). */
  readonly dir: string;
  /** A process environment whose PATH holds only the fakes, plus the given FAKE_* settings. */
  env(settings?: Record<string, string>): NodeJS.ProcessEnv;
  /** Every fake call so far, as "tool arg arg ...". */
  calls(): string[];
  remove(): void;
}

/** Writes the named fakes (any tool not named is simply not installed). */
export function fakeBin(tools: readonly FakeTool[]): FakeBin {
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-fake-bin-'));
  const callsFile = join(dir, 'calls.log');
  writeFileSync(callsFile, '');
  for (const tool of tools) {
    const path = join(dir, tool);
    writeFileSync(path, `#!/bin/sh\necho "${tool} $*" >> "$CALLS"\n${SCRIPTS[tool]}\nexit 0\n`);
    chmodSync(path, 0o755);
  }
  return {
    dir,
    env: (settings = {}) => ({ PATH: dir, HOME: dir, CALLS: callsFile, ...settings }),
    calls: () => readFileSync(callsFile, 'utf8').split('\n').filter(Boolean),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Replaces one fake with a script of the test's own (e.g. podman's docker shim). */
export function overrideFake(bin: FakeBin, tool: string, body: string): void {
  const path = join(bin.dir, tool);
  writeFileSync(path, `#!/bin/sh\necho "${tool} $*" >> "$CALLS"\n${body}\n`);
  chmodSync(path, 0o755);
}
