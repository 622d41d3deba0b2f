// The OpenAPI v3 documents of every Kubernetes minor the toolkit supports, as each release publishes them
// (k8s.io/kubernetes's api/openapi-spec/v3, generated from the same types the API server serves). The
// strict schema tests (test/manifests/openapi-strict.test.ts) read them. The API server serves the same
// schemas plus enum values (test/control-plane/openapi.test.ts), so the current minor is checked against
// what its built API server serves as well.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { KUBERNETES_VERSION } from './programs.ts';

/** One release whose documents are fetched: the module version, and the go.sum hash it must have. */
export interface OpenApiRelease {
  readonly minor: string;
  readonly version: string;
  /** The module zip's hash (`go mod download -json`'s Sum): the download is refused when it differs. */
  readonly sum: string;
}

/**
 * The three maintained minors (1.34 reached end of life on 2026-10-27), each at its newest patch the Go
 * module proxy serves; 1.37 is the control plane's own version (tools/control-plane/programs.ts).
 */
export const SUPPORTED_RELEASES: readonly OpenApiRelease[] = [
  { minor: '1.35', version: 'v1.35.4', sum: 'h1:o/8dBC/pHVpYoGV4OAIytAlNPZbdYVTXJHoYvXC4qzM=' },
  { minor: '1.36', version: 'v1.36.3', sum: 'h1:qDQdoMiluAE2Eab6Fa52YV+WjiGz9mZFFoagEA6cI+o=' },
  { minor: '1.37', version: KUBERNETES_VERSION, sum: 'h1:A2VDEiObzkYqFTKhSsn0ZEb0RlLEXpHWj93gi2HqEwE=' },
];

const MODULE = 'k8s.io/kubernetes';
const SPEC_FOLDER = 'api/openapi-spec/v3';
/** .control-plane/openapi/<version>/*.json (git-ignored, like the programs). */
export const OPENAPI_DIR = join(REPO_ROOT, '.control-plane', 'openapi');

export function releaseDir(release: OpenApiRelease, root = OPENAPI_DIR): string {
  return join(root, release.version);
}

/** One line naming the releases whose documents are missing and how to fetch them, or undefined. */
export function openApiProblem(releases = SUPPORTED_RELEASES, root = OPENAPI_DIR): string | undefined {
  const missing = releases.filter((release) => !existsSync(releaseDir(release, root))).map((release) => release.version);
  if (missing.length === 0) return undefined;
  return `the OpenAPI documents of Kubernetes ${missing.join(', ')} are not fetched: run \`npm run control-plane:build\``;
}

/** Fetches what is missing through the Go module proxy (checked against `sum` and Go's checksum database). */
export function fetchOpenApiSpecs(log: (line: string) => void, releases = SUPPORTED_RELEASES, root = OPENAPI_DIR): void {
  for (const release of releases) {
    if (existsSync(releaseDir(release, root))) {
      log(`openapi ${release.minor}: current (${release.version})`);
      continue;
    }
    const source = downloadModule(release);
    const partial = `${releaseDir(release, root)}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(join(source, SPEC_FOLDER), partial, { recursive: true });
    // The module cache is read-only, and so would the copy be; the next fetch must be able to replace it.
    chmodSync(partial, 0o755);
    for (const file of readdirSync(partial)) chmodSync(join(partial, file), 0o644);
    renameSync(partial, releaseDir(release, root));
    log(`openapi ${release.minor}: copied ${MODULE}@${release.version}/${SPEC_FOLDER}`);
  }
}

function downloadModule(release: OpenApiRelease): string {
  // An empty folder: outside any module, `go mod download` fetches exactly the named version.
  const cwd = mkdtempSync(join(tmpdir(), 'sweetshop-openapi-'));
  try {
    const result = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@${release.version}`], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '-mod=mod' },
    });
    const answer = result.stdout ? (JSON.parse(result.stdout) as { Dir?: string; Sum?: string; Error?: string }) : {};
    if (result.status !== 0 || !answer.Dir) {
      throw new Error(`go mod download ${MODULE}@${release.version} failed: ${answer.Error ?? result.stderr.trim()}`);
    }
    if (answer.Sum !== release.sum) {
      throw new Error(`${MODULE}@${release.version} has hash ${answer.Sum}, tools/control-plane/openapi-specs.ts pins ${release.sum}`);
    }
    return answer.Dir;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
