import type { Pin } from '../pin.ts';
import { parseVersion } from '../versions.ts';

/** The line a held pin stays on, as a version query prefix: `24` (major) or `3.6` (minor); undefined when not held. */
export function heldLine(pin: Pin): string | undefined {
  const version = parseVersion(pin.current);
  if (!pin.hold || !version) return undefined;
  return pin.hold.line === 'major' ? `${version.major}` : `${version.major}.${version.minor}`;
}

/** Whether a version is on the line (`24.23.0` on `24`, `v3.6.17` on `3.6`). */
export function onLine(version: string, line: string): boolean {
  return version.replace(/^v/, '').startsWith(`${line}.`);
}
