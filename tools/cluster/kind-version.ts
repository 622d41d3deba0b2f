/**
 * The oldest kind cluster:up accepts. kind supports a node image with the kind release that built it
 * (kind.sigs.k8s.io/docs/design/node-image), and tools/cluster/kind-config.yaml pins the image kind
 * v0.33.0 ships. That also covers NetworkPolicy: kindnet enforces it only from kind v0.24 (older kind
 * applies the policies and silently ignores them).
 */
export const MIN_KIND_VERSION = [0, 33, 0] as const;

const INSTALL = 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation';

/**
 * Undefined when `kind version` output (`kind v0.33.0 go1.26.3 linux/amd64`) is MIN_KIND_VERSION or
 * later, else the one-line error. A pre-release of the minimum (v0.33.0-alpha...) predates it.
 */
export function kindVersionProblem(output: string): string | undefined {
  const minimum = `v${MIN_KIND_VERSION.join('.')}`;
  const match = /\bv(\d+)\.(\d+)\.(\d+)(-[\w.+-]+)?/.exec(output);
  const install = `install kind ${minimum} or later from ${INSTALL}`;
  if (!match) return `could not read the kind version from \`kind version\` (got '${output.trim()}'): ${install}`;
  const found = [Number(match[1]), Number(match[2]), Number(match[3])];
  const order = compare(found, MIN_KIND_VERSION);
  if (order > 0 || (order === 0 && match[4] === undefined)) return undefined;
  return `kind v${found.join('.')}${match[4] ?? ''} is too old: the pinned node image needs kind ${minimum} or later (${INSTALL})`;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
