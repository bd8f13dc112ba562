import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type CsvReader, parseCandles } from '../src/candles.js';
import { splitPlainCsv } from '../src/plain-csv.js';

const SHARED = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const CSV_PARSE_OPTIONS = { bom: true, skip_empty_lines: true, skip_records_with_empty_values: true };

/** What parseCandles gives through one reader: the candles (line of every bar included) or the error. */
function outcome(text: string, reader: CsvReader) {
  try {
    const c = parseCandles(text, 'f.csv', reader);
    const lines = Array.from({ length: c.bars }, (_, bar) => c.lineOf(bar));
    return { bars: c.bars, timestamps: c.timestamps, times: c.times && [...c.times], columns: Object.fromEntries(Object.entries(c.columns).map(([k, v]) => [k, [...v]])), lines };
  } catch (error) {
    return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

/** The fast path agrees with csv-parse on `text`: same records when it takes the file, same candles or error always. */
function expectSameAsCsvParse(text: string, delimiter: string): boolean {
  const fast = splitPlainCsv(text, delimiter);
  if (fast) expect(fast).toEqual(parse(text, { ...CSV_PARSE_OPTIONS, delimiter }));
  expect(outcome(text, 'auto')).toEqual(outcome(text, 'csv-parse'));
  return fast !== undefined;
}

/** mulberry32: the same adversarial files on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('plain CSV fast path = csv-parse', () => {
  const files = readdirSync(SHARED).filter((f) => f.endsWith('.csv'));

  it('on every shared data file, cut at run time (whole, windows, CRLF, BOM, `;` with decimal commas)', () => {
    expect(files.length).toBeGreaterThan(0);
    let taken = 0;
    for (const name of files) {
      const lines = readFileSync(`${SHARED}${name}`, 'utf8').trim().split('\n');
      const windows = [lines, [lines[0]!, ...lines.slice(1, 1501)], [lines[0]!, ...lines.slice(-40)], lines.slice(1, 300)];
      for (const window of windows) {
        const text = `${window.join('\n')}\n`;
        if (expectSameAsCsvParse(text, ',')) taken++;
        if (expectSameAsCsvParse(`\uFEFF${window.slice(0, 200).join('\r\n')}`, ',')) taken++;
        const semicolons = window.slice(0, 200).map((l) => l.replaceAll(',', ';').replaceAll('.', ',')).join('\n');
        if (expectSameAsCsvParse(semicolons, ';')) taken++;
      }
    }
    // Every one of these files is plain: the fast path must have read them all.
    expect(taken).toBe(files.length * 12);
  });

  it('on generated adversarial files (quotes, mixed line endings, blank and delimiter-only lines, ragged rows, bad cells)', () => {
    const next = random(20261129);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const cells = ['1', '2.5', '-3', '1e3', '', ' ', ' 4 ', 'abc', 'Infinity', '0', '1,5', '"7"', '"8', '2024-01-01', '1700000000', '17000000001', 'x"y', '\t'];
    const heads = ['timestamp,open,high,low,close', 'Time;Close', 'date\tclose', 'close', 'a,b', '"close"', ''];
    const endings = ['\n', '\n', '\n', '\r\n', '\r', ''];
    let taken = 0;
    const runs = 3000;
    for (let run = 0; run < runs; run++) {
      const delimiter = pick([',', ',', ';', '\t']);
      const width = 1 + Math.floor(next() * 5);
      const crlf = next() < 0.3;
      const lines = [pick(heads)];
      let time = 1700000000;
      for (let r = Math.floor(next() * 8); r > 0; r--) {
        const row = Array.from({ length: next() < 0.1 ? width + pick([-1, 1]) : width }, (_, k) =>
          next() < 0.7 ? (k === 0 ? String((time += 60)) : String(Math.round(next() * 1e4) / 100)) : pick(cells),
        );
        lines.push(next() < 0.08 ? pick(['', '  ', delimiter.repeat(width - 1), ' \t ']) : row.join(delimiter));
      }
      let text = lines.map((line) => line + (next() < 0.05 ? pick(endings) : crlf ? '\r\n' : '\n')).join('');
      if (next() < 0.1) text = `\uFEFF${text}`;
      if (next() < 0.2) text = text.trimEnd();
      // The delimiter parseCandles will detect from the first line (as candles.ts does).
      const first = text.split(/\r?\n/, 8).find((line) => line.trim() !== '') ?? '';
      const detected = first.includes(';') ? ';' : first.includes('\t') ? '\t' : ',';
      if (expectSameAsCsvParse(text, detected)) taken++;
    }
    // The generator must exercise both paths, or this test proves nothing about one of them.
    expect(taken).toBeGreaterThan(runs / 10);
    expect(taken).toBeLessThan(runs * 0.9);
  });

  it('leaves quoted files to csv-parse', () => {
    expect(splitPlainCsv('close\n"1"\n', ',')).toBeUndefined();
    expect(splitPlainCsv('close\n1\r2\n', ',')).toBeUndefined();
    expect(splitPlainCsv('close,x\n1,2\n\n3,4\n', ',')).toBeUndefined();
    expect(splitPlainCsv('\uFEFFclose\r\n1\r\n', ',')).toEqual([['close'], ['1']]);
  });
});
