/** A release version as pins spell it: `v1.37.2`, `24.22.3`, `controller-v1.15.1` (prefix dropped). */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** `-rc.1` and the like; a pre-release never counts as the newest. */
  readonly prerelease?: string;
}

// The first version in the text: `v5.0.0 (08c6903)` and `v1.37.0@a1ed56cfb0e7` name v5.0.0 and v1.37.0.
const VERSION = /(?<![\w.])v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?/;

/** The version a tag or pin names, else undefined (a digest, a branch name). */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2] ?? 0), patch: Number(match[3] ?? 0), prerelease: match[4]?.slice(1) };
}

/** Negative when a is older than b, 0 when the same release, positive when newer (pre-releases sort first). */
export function compareVersions(a: Version, b: Version): number {
  const order = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (order !== 0) return order;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

/** The newest stable version among texts (pre-releases and unparsable ones ignored), or undefined. */
export function newestVersion(texts: readonly string[]): string | undefined {
  let newest: { text: string; version: Version } | undefined;
  for (const text of texts) {
    const version = parseVersion(text);
    if (!version || version.prerelease !== undefined) continue;
    if (!newest || compareVersions(version, newest.version) > 0) newest = { text, version };
  }
  return newest?.text;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * How far `current` is behind `latest`, by the most significant part that differs: "1 major",
 * "2 minors", "3 patches"; "up to date" when equal, "ahead" when the pin is newer. Undefined when either
 * is not a version.
 */
export function behindBy(current: string, latest: string): string | undefined {
  const from = parseVersion(current);
  const to = parseVersion(latest);
  if (!from || !to) return undefined;
  const order = compareVersions(from, to);
  if (order === 0) return 'up to date';
  if (order > 0) return 'ahead';
  if (to.major !== from.major) return count(to.major - from.major, 'major', 'majors');
  if (to.minor !== from.minor) return count(to.minor - from.minor, 'minor', 'minors');
  if (to.patch !== from.patch) return count(to.patch - from.patch, 'patch', 'patches');
  return 'pre-release';
}
