/**
 * The change a reviewer would apply to an environment file, computed on its text (this tool never
 * writes files). Values are replaced in place, so the edited text has the same lines as the original
 * and the diff is a plain line-by-line comparison.
 */

export interface SectionChanges {
  minReplicas?: number;
  maxReplicas?: number;
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

/** `source` with one section's numbers replaced; throws naming what it could not find. */
export function editSection(source: string, section: string, changes: SectionChanges, file: string): string {
  const block = findBlock(source, new RegExp(`^[ \\t]*${section}:\\s*\\{`, 'm'), 0, source.length);
  if (!block) throw new Error(`${file}: no \`${section}: {\` block found`);
  let text = source;
  const replace = (key: string, value: string | number | undefined, within: { start: number; end: number }, where: string): void => {
    if (value === undefined) return;
    const pattern = new RegExp(`(\\b${key}:\\s*)('[^']*'|"[^"]*"|[\\d.]+)`, 'g');
    pattern.lastIndex = within.start;
    const match = pattern.exec(text);
    if (!match || match.index >= within.end)
      throw new Error(`${file}: ${where}.${key} is not written as a literal in the ${section} block; apply the change by hand`);
    const replacement = typeof value === 'number' ? String(value) : quoteLike(match[2]!, value);
    const at = match.index + match[1]!.length;
    text = text.slice(0, at) + replacement + text.slice(at + match[2]!.length);
    // Later offsets shift by the length difference; blocks are re-found after each edit.
  };
  const sectionBlock = (): { start: number; end: number } =>
    findBlock(text, new RegExp(`^[ \\t]*${section}:\\s*\\{`, 'm'), 0, text.length)!;
  replace('minReplicas', changes.minReplicas, sectionBlock(), section);
  replace('maxReplicas', changes.maxReplicas, sectionBlock(), section);
  for (const group of ['requests', 'limits'] as const) {
    const values = changes[group];
    if (!values) continue;
    for (const key of ['cpu', 'memory'] as const) {
      const outer = sectionBlock();
      const inner = findBlock(text, new RegExp(`\\b${group}:\\s*\\{`, 'g'), outer.start, outer.end);
      if (!inner)
        throw new Error(`${file}: ${section}.${group} is not an object literal in the ${section} block; apply the change by hand`);
      replace(key, values[key], inner, `${section}.${group}`);
    }
  }
  return text;
}

/** The `{ ... }` block opened by the first match of `opener` in [from, to), with balanced braces. */
function findBlock(text: string, opener: RegExp, from: number, to: number): { start: number; end: number } | undefined {
  const pattern = new RegExp(opener.source, opener.flags.includes('g') ? opener.flags : `${opener.flags}g`);
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  if (!match || match.index >= to) return undefined;
  const open = match.index + match[0].length - 1;
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}') {
      depth -= 1;
      if (depth === 0) return { start: open, end: i + 1 };
    }
  }
  return undefined;
}

function quoteLike(original: string, value: string): string {
  const quote = original.startsWith('"') ? '"' : "'";
  return `${quote}${value}${quote}`;
}

/** A unified diff of two texts with the same number of lines; empty when nothing changed. */
export function lineDiff(before: string, after: string, file: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) throw new Error('lineDiff: texts must have the same number of lines');
  const changed = a.map((line, i) => line !== b[i]);
  if (!changed.includes(true)) return '';
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let i = 0;
  while (i < a.length) {
    if (!changed[i]) {
      i += 1;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while the next change is within 2 × context lines.
    while (end < a.length) {
      let next = end + 1;
      while (next < a.length && !changed[next]) next += 1;
      if (next < a.length && next - end <= context * 2) end = next;
      else break;
    }
    const stop = Math.min(a.length, end + context + 1);
    const length = stop - start;
    out.push(`@@ -${start + 1},${length} +${start + 1},${length} @@`);
    for (let j = start; j < stop; j += 1) {
      if (!changed[j]) {
        out.push(` ${a[j]}`);
        continue;
      }
      // A run of changed lines: all old lines, then all new ones, as diff(1) prints them.
      let runEnd = j;
      while (runEnd + 1 < stop && changed[runEnd + 1]) runEnd += 1;
      for (let k = j; k <= runEnd; k += 1) out.push(`-${a[k]}`);
      for (let k = j; k <= runEnd; k += 1) out.push(`+${b[k]}`);
      j = runEnd;
    }
    i = stop;
  }
  return `${out.join('\n')}\n`;
}
