/**
 * Rows as an aligned text table: a header line, then one line per row; numbers (cells that
 * parse as numbers) right-aligned, text left-aligned.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // a loop, not Math.max(...rows): spreading one argument per row overflows the stack on long series
  const widths = header.map((h, c) => rows.reduce((width, r) => Math.max(width, r[c]!.length), h.length));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => r[c] === '' || !Number.isNaN(Number(r[c]))));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A CSV cell: quoted when it holds a separator, a quote or a line break. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
