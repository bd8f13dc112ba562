import { AtcInputError } from '@adaptive-trend/core';

/**
 * Close prices from CSV text: the `close` column (any case) when there is a header, else the
 * last column. Blank lines are skipped; any other unparsable cell is an error naming its line.
 */
export function parseCloses(text: string, source = 'csv'): Float64Array {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new AtcInputError('EMPTY_SERIES', source, 'has no rows');
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  const hasHeader = header.some((h) => h !== '' && Number.isNaN(Number(h)));
  const column = hasHeader ? header.indexOf('close') : header.length - 1;
  if (column < 0) throw new AtcInputError('INVALID_TYPE', source, `has a header without a "close" column (${header.join(', ')})`);
  const rows = hasHeader ? lines.slice(1) : lines;
  return Float64Array.from(rows, (line, i) => {
    const cell = line.split(',')[column]?.trim() ?? '';
    const value = cell === '' ? NaN : Number(cell);
    if (Number.isNaN(value)) {
      throw new AtcInputError('NON_FINITE_VALUE', source, `line ${i + (hasHeader ? 2 : 1)}: "${cell}" is not a number`, i);
    }
    return value;
  });
}
