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
