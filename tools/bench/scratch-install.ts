import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Installs `packageJson`'s dependencies from the registry into `dir` (under .bench/), once: re-installs
 * only when the package list changed or `marker` (a file the install must produce) is missing.
 */
export function installOnce(dir: string, packageJson: object, marker: string, progress: (message: string) => void, what: string): void {
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(packageJson, null, 2)}\n`;
  const file = join(dir, 'package.json');
  if (existsSync(join(dir, marker)) && existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(file, text);
  progress(`${what}: npm install in ${dir} (once; cached there)`);
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=optional', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`npm install in ${dir} failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`);
  }
  if (!existsSync(join(dir, marker))) throw new Error(`npm install in ${dir} did not produce ${marker}`);
}
