/** Where a pin's newest version is looked up. */
export type Source =
  | { readonly type: 'npm'; readonly package: string }
  | { readonly type: 'go'; readonly module: string }
  /** kind's default node image at the newest kind release (sigs.k8s.io/kind, pkg/apis/config/defaults/image.go). */
  | { readonly type: 'kind-image' }
  /** Go releases, as the Go module proxy serves them (golang.org/toolchain's `v0.0.1-go1.26.8.linux-amd64`). */
  | { readonly type: 'go-toolchain' }
  | { readonly type: 'github-release'; readonly repo: string; readonly tagPrefix: string }
  | { readonly type: 'docker-hub'; readonly repository: string; readonly tagSuffix: string }
  | { readonly type: 'helm'; readonly repo: string; readonly chart: string };

/** A pin kept on purpose on one major (or minor) line, and why; newer lines are reported, not counted as behind. */
export interface Hold {
  readonly line: 'major' | 'minor';
  readonly reason: string;
}

/** One pinned version, read from the file that pins it. */
export interface Pin {
  /** What is pinned, as a reader knows it: `express`, `kindest/node`, `actions/checkout`. */
  readonly name: string;
  /** The pinning file, relative to the repository root. */
  readonly file: string;
  readonly current: string;
  readonly source: Source;
  readonly hold?: Hold;
  /** Something a reader of the table should know (e.g. "retired upstream"). */
  readonly note?: string;
}

/** What a lookup found for one pin: the newest version (within its held line), or why it could not check. */
export type Lookup = { readonly latest: string; readonly newestOverall?: string; readonly note?: string } | { readonly problem: string };
