import { AtcInputError } from '@adaptive-trend/core';
import { CsvError, parse } from 'csv-parse/sync';
import { splitPlainCsv } from './plain-csv.js';

/** Price columns a CSV may carry (header names, any case). */
export const PRICE_COLUMNS = ['open', 'high', 'low', 'close'] as const;
export type PriceColumn = (typeof PRICE_COLUMNS)[number];

/** What `--source` can take: a column, or Pine's composite sources. */
export const PRICE_SOURCES = ['close', 'open', 'high', 'low', 'hl2', 'hlc3', 'ohlc4'] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** Header names accepted for the time column (lower case). */
const TIME_HEADERS = ['timestamp', 'time', 'date', 'datetime', 'open_time', 'open time', 'ts'];

/** Candles read from one CSV: the columns it has, and each bar's timestamp as written. */
export interface Candles {
  /** The file (or `standard input`), for messages. */
  readonly file: string;
  readonly bars: number;
  /** Each bar's timestamp cell exactly as in the file, when there is a time column. */
  readonly timestamps: readonly string[] | undefined;
  /** The same timestamps as Unix milliseconds. */
  readonly times: Float64Array | undefined;
  /** The price columns present (a header-less file has only `close`: its last column). */
  readonly columns: Readonly<Partial<Record<PriceColumn, Float64Array>>>;
  /** File line (1-based) of a bar, for messages about it (computed on first use). */
  lineOf(bar: number): number;
}

/** `,` unless the first line uses `;` or tabs (European exports use `;` with decimal commas). */
function detectDelimiter(text: string): string {
  const first = text.split(/\r?\n/, 8).find((line) => line.trim() !== '') ?? '';
  if (first.includes(';')) return ';';
  if (first.includes('\t')) return '\t';
  return ',';
}

function looksNumericOrTime(cell: string): boolean {
  return cell === '' || !Number.isNaN(Number(cell)) || ISO_DATE.test(cell);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * Unix milliseconds of a timestamp cell: Unix seconds (< 1e11), milliseconds (< 1e14),
 * microseconds or nanoseconds by magnitude; or ISO 8601 (no zone = UTC, so the result does
 * not depend on the machine's time zone). NaN when it is none of these.
 */
export function parseTimestamp(cell: string): number {
  // A cell starting `yyyy-mm-dd` is never a number (Number() takes `-` only after an exponent's
  // `e`), so testing ISO first gives the same answers and converts each cell once.
  if (ISO_DATE.test(cell)) return Date.parse(ISO_WITHOUT_ZONE.test(cell) ? `${cell.replace(' ', 'T')}Z` : cell);
  const v = cell === '' ? NaN : Number(cell);
  if (Number.isNaN(v)) return NaN;
  const magnitude = Math.abs(v);
  if (magnitude < 1e11) return v * 1000;
  if (magnitude < 1e14) return v;
  if (magnitude < 1e17) return v / 1e3;
  return v / 1e6;
}

function csvFailure(file: string, error: unknown, lineOffset: number): never {
  if (error instanceof CsvError) {
    const lines = (error as CsvError & { lines?: number }).lines;
    const line = lines ? lines + lineOffset : undefined;
    const reason = error.message.replace(/ (on|at) line \d+$/, '').replace(/:$/, '');
    throw new AtcInputError('INVALID_TYPE', file, `${line ? `line ${line}: ` : ''}${reason}`);
  }
  throw error;
}

/**
 * How {@link parseCandles} reads records: `auto` splits a plain file (no quotes, see
 * `plain-csv.ts`) itself and gives the rest to csv-parse; `csv-parse` always uses csv-parse
 * (for tests proving both give the same candles and errors).
 */
export type CsvReader = 'auto' | 'csv-parse';

/**
 * Candles from CSV text, parsed by `csv-parse` (a plain file without quotes is split directly,
 * with the same result): quoted fields, a BOM, `,` `;` or tab
 * separators (decimal commas with `;`), blank lines skipped, a header in any case
 * (`timestamp|time|date…`, `open`, `high`, `low`, `close`) or none (then the last column is the
 * close). Timestamps must increase. Anything else is an {@link AtcInputError} whose message
 * names the file and the line.
 *
 * @example
 * ```ts
 * const candles = parseCandles('Timestamp;Close\n1700000000;1,5\n1700000060;1,6\n', 'prices.csv');
 * candles.columns.close; // Float64Array [1.5, 1.6]
 * ```
 *
 * `lineOffset` is added to every line number in messages (for text that is a piece of a longer
 * input, as `watch` parses one row at a time).
 */
export function parseCandles(text: string, file = 'csv', reader: CsvReader = 'auto', lineOffset = 0): Candles {
  const delimiter = detectDelimiter(text);
  // No `trim` and no `info` on the way every good file takes (each would double the parse
  // time): Number() ignores surrounding blanks, the header and timestamp cells are trimmed
  // below, and line numbers come from a second parse with `info` only when a message needs one.
  const options = { bom: true, delimiter, skip_empty_lines: true, skip_records_with_empty_values: true };
  let records: string[][];
  try {
    records = (reader === 'auto' ? splitPlainCsv(text, delimiter) : undefined) ?? (parse(text, options) as string[][]);
  } catch (error) {
    csvFailure(file, error, lineOffset);
  }
  let recordLines: number[] | undefined;
  const recordLine = (record: number): number =>
    (recordLines ??= (parse(text, { ...options, info: true }) as unknown as { info: { lines: number } }[]).map((r) => r.info.lines))[record]!;
  if (records.length === 0) throw new AtcInputError('EMPTY_SERIES', file, 'has no rows');
  const head = records[0]!.map((h) => h.trim().toLowerCase());
  const hasHeader = head.some((h) => !looksNumericOrTime(h));
  const rows = hasHeader ? records.slice(1) : records;
  if (rows.length === 0) throw new AtcInputError('EMPTY_SERIES', file, 'has a header but no rows');
  const index: Partial<Record<PriceColumn, number>> = {};
  let timeIndex = -1;
  if (hasHeader) {
    for (const name of PRICE_COLUMNS) if (head.includes(name)) index[name] = head.indexOf(name);
    timeIndex = head.findIndex((h) => TIME_HEADERS.includes(h));
    if (Object.keys(index).length === 0) {
      throw new AtcInputError('INVALID_TYPE', file, `has a header without a "close" column (${head.join(', ')})`);
    }
  } else {
    index.close = head.length - 1;
  }
  const decimalComma = delimiter === ';';
  const number = (cell: string, bar: number): number => {
    const value = Number(decimalComma ? cell.replace(',', '.') : cell);
    if (Number.isFinite(value) && (value !== 0 || cell.trim() !== '')) return value; // Number('') is 0
    const shown = cell.trim();
    const line = lineOf(bar);
    if (Number.isNaN(value) || shown === '') throw new AtcInputError('NON_FINITE_VALUE', file, `line ${line}: "${shown}" is not a number`, bar);
    throw new AtcInputError('NON_FINITE_VALUE', file, `line ${line}: "${shown}" is not a finite number`, bar);
  };
  const columns: Partial<Record<PriceColumn, Float64Array>> = {};
  for (const name of PRICE_COLUMNS) if (index[name] !== undefined) columns[name] = new Float64Array(rows.length);
  const timestamps: string[] | undefined = timeIndex >= 0 ? [] : undefined;
  const times = timeIndex >= 0 ? new Float64Array(rows.length) : undefined;
  const first = hasHeader ? 1 : 0;
  const lineOf = (bar: number) => recordLine(bar + first) + lineOffset;
  // The columns present with their cell index, found once instead of on every row.
  const targets = PRICE_COLUMNS.flatMap((name) => (index[name] === undefined ? [] : [[index[name], columns[name]!] as const]));
  rows.forEach((record, bar) => {
    for (const [at, column] of targets) column[bar] = number(record[at] ?? '', bar);
    if (timestamps && times) {
      const cell = (record[timeIndex] ?? '').trim();
      const ms = parseTimestamp(cell);
      if (Number.isNaN(ms)) {
        const line = lineOf(bar);
        throw new AtcInputError('INVALID_TYPE', file, `line ${line}: "${cell}" is not a timestamp (Unix seconds, milliseconds or ISO 8601)`, bar);
      }
      if (bar > 0 && !(ms > times[bar - 1]!)) {
        const line = lineOf(bar);
        throw new AtcInputError('INVALID_TYPE', file, `line ${line}: timestamp "${cell}" is not after the previous bar's (rows must be in time order)`, bar);
      }
      timestamps.push(cell);
      times[bar] = ms;
    }
  });
  return { file, bars: rows.length, timestamps, times, columns, lineOf };
}

/**
 * Whether the first line of `text` is a header (one of its cells is neither a number nor a
 * timestamp): the same test {@link parseCandles} makes, for readers that take a file row by row.
 */
export function isHeaderLine(line: string): boolean {
  const delimiter = detectDelimiter(line);
  let records: string[][];
  try {
    records = splitPlainCsv(line, delimiter) ?? (parse(line, { bom: true, delimiter, skip_empty_lines: true }) as string[][]);
  } catch {
    return false; // not a well-formed row: parseCandles words the error
  }
  return (records[0] ?? []).some((cell) => !looksNumericOrTime(cell.trim().toLowerCase()));
}

/**
 * The series `--source` names, computed as Pine does (`hl2 = (high + low) / 2`, `hlc3`,
 * `ohlc4`); an error naming the file when a column it needs is missing.
 */
export function priceSource(candles: Candles, source: PriceSource): Float64Array {
  const need = (name: PriceColumn): Float64Array => {
    const column = candles.columns[name];
    if (!column) throw new AtcInputError('INVALID_TYPE', candles.file, `has no "${name}" column (needed by --source ${source})`);
    return column;
  };
  switch (source) {
    case 'close':
    case 'open':
    case 'high':
    case 'low':
      return need(source);
    case 'hl2': {
      const [h, l] = [need('high'), need('low')];
      return h.map((_, i) => (h[i]! + l[i]!) / 2);
    }
    case 'hlc3': {
      const [h, l, c] = [need('high'), need('low'), need('close')];
      return h.map((_, i) => (h[i]! + l[i]! + c[i]!) / 3);
    }
    case 'ohlc4': {
      const [o, h, l, c] = [need('open'), need('high'), need('low'), need('close')];
      return h.map((_, i) => (o[i]! + h[i]! + l[i]! + c[i]!) / 4);
    }
  }
}
