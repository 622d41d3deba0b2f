import { probeCommand } from '../../lib/command.ts';
import type { Lookup, Pin } from '../pin.ts';
import { newestVersion } from '../versions.ts';
import { heldLine } from './held-line.ts';

// One retry, briefly: offline, npm's default retries wait about a minute before saying so. --prefer-online:
// npm otherwise answers from its cached package documents, which lag the registry's dist-tags for minutes.
const NPM_FLAGS = ['--json', '--prefer-online', '--fetch-retries=1', '--fetch-retry-mintimeout=1000', '--fetch-retry-maxtimeout=2000'];

interface OutdatedEntry {
  readonly latest?: string;
}

/** npm's one-line reason from its JSON error (`ECONNREFUSED: request to http://127.0.0.1:9/express failed`). */
function npmProblem(stdout: string, stderr: string): string {
  let error: { code?: string; summary?: string } | undefined;
  try {
    error = (JSON.parse(stdout) as { error?: { code?: string; summary?: string } }).error;
  } catch {
    // not JSON: fall back to stderr's first line
  }
  const summary = error?.summary?.replace(/^FetchError: /, '').replace(/, reason: .*$/, '');
  const reason = error ? [error.code, summary].filter(Boolean).join(': ') : (stderr.split('\n')[0] ?? '').trim();
  return `cannot check: npm registry unreachable (${reason || 'no answer'})`;
}

/**
 * The newest version of every npm pin: one `npm outdated` (it lists only packages not at their newest,
 * so an unlisted pin is current), plus one `npm view <package>@<major>` per held pin for its line.
 */
export async function npmLookups(pins: readonly Pin[], root: string, env: NodeJS.ProcessEnv = process.env): Promise<Map<Pin, Lookup>> {
  const lookups = new Map<Pin, Lookup>();
  const outdated = await probeCommand(['npm', 'outdated', ...NPM_FLAGS], { cwd: root, env, timeoutMs: 120_000 });
  let entries: Record<string, OutdatedEntry> | undefined;
  if (outdated.error === undefined && (outdated.status === 0 || outdated.status === 1)) {
    const parsed = JSON.parse(outdated.stdout || '{}') as Record<string, OutdatedEntry> & { error?: unknown };
    if (parsed.error === undefined) entries = parsed;
  }
  if (!entries) {
    const problem = outdated.error ? `cannot check: npm did not run (${outdated.error})` : npmProblem(outdated.stdout, outdated.stderr);
    for (const pin of pins) lookups.set(pin, { problem });
    return lookups;
  }
  await Promise.all(
    pins.map(async (pin) => {
      const newest = entries[pin.name]?.latest ?? pin.current;
      const line = heldLine(pin);
      if (line === undefined) {
        lookups.set(pin, { latest: newest });
        return;
      }
      const view = await probeCommand(['npm', 'view', `${pin.name}@${line}`, 'version', ...NPM_FLAGS], { cwd: root, env });
      if (view.status !== 0) {
        lookups.set(pin, { problem: npmProblem(view.stdout, view.stderr) });
        return;
      }
      const versions = JSON.parse(view.stdout) as string | string[];
      const latest = newestVersion(typeof versions === 'string' ? [versions] : versions) ?? pin.current;
      lookups.set(pin, { latest, newestOverall: newest });
    }),
  );
  return lookups;
}
