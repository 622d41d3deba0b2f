// The shop's temporary directory (nginx configs, pid files, logs, temp files). Plain JavaScript, like
// process-identity.mjs: the watchdog removes it after a kill -9 of the supervisor, and must not load
// Node's TypeScript stripper.
import { chmodSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';

const PREFIX = 'sweetshop-local-';
// What mkdtemp makes of PREFIX: six more characters.
const NAME = /^sweetshop-local-[A-Za-z0-9]{6}$/;

export function makeShopTempDir() {
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  // mkdtemp makes it 0700; nginx started as root runs its workers as another user (nobody or
  // www-data), and they must reach the temp directories to buffer large request bodies.
  chmodSync(dir, 0o755);
  return dir;
}

/** @param {string} dir */
export function removeShopTempDir(dir) {
  // A record is a file, and files get edited: remove only what makeShopTempDir() could have made.
  if (typeof dir !== 'string' || !isAbsolute(dir) || !NAME.test(basename(dir))) return false;
  try {
    if (!lstatSync(dir).isDirectory()) return false; // a symlink is not followed
  } catch {
    return false; // already gone
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  return true;
}
