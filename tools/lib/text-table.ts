/** Column widths: the longest cell of each column, header included. */
function columnWidths(header: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
}

/**
 * A terminal table: columns padded to their widest cell and two spaces apart, trailing spaces trimmed;
 * with `rule`, a line of dashes under the header.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], options: { rule?: boolean } = {}): string {
  const widths = columnWidths(header, rows);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const rule = options.rule ? [line(widths.map((width) => '-'.repeat(width)))] : [];
  return [line(header), ...rule, ...rows.map(line)].join('\n');
}

/** A Markdown table whose source is aligned too (it is read in terminals and diffs as well as rendered). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columnWidths(header, rows);
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

type Alignment = 'left' | 'right' | 'center';

/** Cells of one pipe-table row; as in GFM, only an escaped `\|` stays inside its cell (code spans included). */
function splitRow(line: string): string[] {
  const body = line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return body.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

function alignmentOf(rule: string): Alignment {
  if (rule.startsWith(':') && rule.endsWith(':')) return 'center';
  return rule.endsWith(':') ? 'right' : 'left';
}

function pad(cell: string, width: number, alignment: Alignment): string {
  if (alignment === 'right') return cell.padStart(width);
  if (alignment === 'left') return cell.padEnd(width);
  const left = Math.floor((width - cell.length) / 2);
  return cell.padStart(cell.length + left).padEnd(width);
}

function ruleCell(width: number, alignment: Alignment): string {
  if (alignment === 'right') return `${'-'.repeat(width - 1)}:`;
  if (alignment === 'center') return `:${'-'.repeat(width - 2)}:`;
  return '-'.repeat(width);
}

function alignTable(lines: readonly string[]): string[] {
  const [header, rule, ...rows] = lines.map(splitRow);
  const alignments = rule!.map(alignmentOf);
  const widths = columnWidths(header!, rows).map((width) => Math.max(width, 3));
  const line = (cells: readonly string[]) =>
    `| ${alignments.map((alignment, i) => pad(cells[i] ?? '', widths[i]!, alignment)).join(' | ')} |`;
  return [line(header!), `| ${alignments.map((alignment, i) => ruleCell(widths[i]!, alignment)).join(' | ')} |`, ...rows.map(line)];
}

const TABLE_RULE = /^\|(\s*:?-+:?\s*\|)+\s*$/;

/**
 * Every pipe table of a Markdown text with its source aligned the way Biome formats it (right-aligned
 * columns padded on the left), so a generated page passes `biome check` as written.
 */
export function alignMarkdownTables(markdown: string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (lines[i]!.startsWith('|') && TABLE_RULE.test(lines[i + 1] ?? '')) {
      let end = i + 2;
      while (lines[end]?.startsWith('|')) end++;
      out.push(...alignTable(lines.slice(i, end)));
      i = end;
    } else out.push(lines[i++]!);
  }
  return out.join('\n');
}
