import { textTable } from '../lib/text-table.ts';
import type { Lookup, Pin } from './pin.ts';
import { behindBy } from './versions.ts';

/** One line of the report. */
export interface Row {
  readonly pin: Pin;
  readonly latest: string;
  /** "2 minors", "up to date", "cannot check". */
  readonly behind: string;
  readonly note: string;
  /** Behind within the line it may move on (a held pin's newer major is not counted). */
  readonly isBehind: boolean;
  readonly problem?: string;
}

/** How a pin compares with what its lookup found. */
export function rowFor(pin: Pin, lookup: Lookup): Row {
  const notes = pin.note ? [pin.note] : [];
  if ('problem' in lookup)
    return {
      pin,
      latest: '?',
      behind: 'cannot check',
      note: [lookup.problem.replace(/^cannot check: /, ''), ...notes].join('; '),
      isBehind: false,
      problem: lookup.problem,
    };
  if (lookup.note) notes.push(lookup.note);
  if (lookup.newestOverall !== undefined && lookup.newestOverall !== lookup.latest && pin.hold) {
    notes.push(`held: newest is ${lookup.newestOverall} (${behindBy(pin.current, lookup.newestOverall)}), ${pin.hold.reason}`);
  }
  let behind = behindBy(pin.current, lookup.latest) ?? (pin.current === lookup.latest ? 'up to date' : 'differs');
  if (behind === 'up to date' && pin.current !== lookup.latest) behind = 'new digest';
  return { pin, latest: lookup.latest, behind, note: notes.join('; '), isBehind: behind !== 'up to date' && behind !== 'ahead' };
}

/** Rows shown by default: behind, uncheckable, or held with a newer line. */
export function worthShowing(row: Row): boolean {
  return row.isBehind || row.problem !== undefined || row.note.includes('held:');
}

export function reportTable(rows: readonly Row[]): string {
  return textTable(
    ['pin', 'where pinned', 'current', 'latest', 'behind by', 'note'],
    rows.map((row) => [row.pin.name, row.pin.file, row.pin.current, row.latest, row.behind, row.note]),
    { rule: true },
  );
}

/** The closing lines: how many are behind, up to date, and one line per reason a group could not be checked. */
export function summary(rows: readonly Row[], shown: number): string {
  const behind = rows.filter((row) => row.isBehind).length;
  const current = rows.filter((row) => !row.isBehind && row.problem === undefined).length;
  const problems = new Map<string, number>();
  for (const row of rows) if (row.problem) problems.set(row.problem, (problems.get(row.problem) ?? 0) + 1);
  const hidden = rows.length - shown;
  const lines = [
    `${rows.length} pins: ${behind} behind, ${current} up to date or held${hidden > 0 ? ` (${hidden} not listed: --all lists them)` : ''}`,
  ];
  for (const [problem, count] of problems) lines.push(`${count} pin(s): ${problem}`);
  return lines.join('\n');
}

/** 1 with --fail-on-behind when a pin is behind (held lines and pins that could not be checked excluded), else 0. */
export function exitCode(rows: readonly Row[], failOnBehind: boolean): number {
  return failOnBehind && rows.some((row) => row.isBehind) ? 1 : 0;
}
