import { AtcInputError } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { parseCandles, parseTimestamp, priceSource } from '../src/candles.js';
import { dropFormingCandle, timeframeMillis } from '../src/input.js';

describe('CSV candles (csv-parse)', () => {
  it('reads quoted fields, a BOM, a header in any case and CRLF lines', () => {
    const c = parseCandles('\uFEFF"Timestamp","Open","HIGH","low","Close"\r\n"2024-01-01T00:00:00Z","1","2","0.5","1.5"\r\n2024-01-01T00:01:00Z,2,3,1,2.5\r\n', 'f.csv');
    expect(c.bars).toBe(2);
    expect([...c.columns.close!]).toEqual([1.5, 2.5]);
    expect([...c.columns.high!]).toEqual([2, 3]);
    expect(c.timestamps).toEqual(['2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z']);
    expect(c.times![1]! - c.times![0]!).toBe(60_000);
  });
  it('a quoted field may hold the separator', () => {
    const c = parseCandles('date,note,close\n2024-01-01,"up, strongly",10\n2024-01-02,"",11\n');
    expect([...c.columns.close!]).toEqual([10, 11]);
  });
  it('reads ; separators with decimal commas, and tabs', () => {
    expect([...parseCandles('time;close\n1700000000;1,25\n1700000060;1,5\n').columns.close!]).toEqual([1.25, 1.5]);
    expect([...parseCandles('time\tclose\n1700000000\t3\n1700000060\t4\n').columns.close!]).toEqual([3, 4]);
  });
  it('Unix seconds, milliseconds and ISO (no zone = UTC) name the same instant', () => {
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5);
    expect(parseTimestamp(String(ms / 1000))).toBe(ms);
    expect(parseTimestamp(String(ms))).toBe(ms);
    expect(parseTimestamp('2024-01-02T03:04:05Z')).toBe(ms);
    expect(parseTimestamp('2024-01-02 03:04:05')).toBe(ms);
    expect(parseTimestamp('yesterday')).toBeNaN();
  });
  it('errors name the file and the line', () => {
    const bad = (text: string) => () => parseCandles(text, 'p.csv');
    expect(bad('time,close\n1,2\n2,3,4\n')).toThrow(/^p\.csv: line 3: /);
    expect(bad('time,close\n1700000000,2\nsoon,3\n')).toThrow('p.csv: line 3: "soon" is not a timestamp');
    expect(bad('time,close\n1700000060,2\n1700000000,3\n')).toThrow(/p\.csv: line 3: .*not after the previous/);
    expect(bad('time,close\n1700000000,2\n\n1700000060,x\n')).toThrow('p.csv: line 4: "x" is not a number');
    expect(bad('time,close\n1700000000,2\n1700000060,"unterminated\n')).toThrow(/^p\.csv: /);
    expect(bad('time,close\n')).toThrow(AtcInputError);
    expect(bad('time,volume\n1,2\n')).toThrow(/without a "close" column/);
  });
  it('--source composes Pine hl2 / hlc3 / ohlc4 and names a missing column', () => {
    const c = parseCandles('open,high,low,close\n1,4,2,3\n2,6,2,5\n');
    expect([...priceSource(c, 'hl2')]).toEqual([3, 4]);
    expect([...priceSource(c, 'hlc3')]).toEqual([(4 + 2 + 3) / 3, (6 + 2 + 5) / 3]);
    expect([...priceSource(c, 'ohlc4')]).toEqual([(1 + 4 + 2 + 3) / 4, (2 + 6 + 2 + 5) / 4]);
    expect(() => priceSource(parseCandles('close\n1\n', 'x.csv'), 'hl2')).toThrow('x.csv: has no "high" column (needed by --source hl2)');
  });
  it('--closed-only drops a last candle still forming, by the timeframe', () => {
    const minute = 60_000;
    const rows = (end: number) => `time,close\n${[3, 2, 1, 0].map((k, i) => `${end - k * minute},${i + 1}`).join('\n')}\n`;
    const now = Date.UTC(2024, 5, 1, 12, 0, 30);
    const forming = parseCandles(rows(Date.UTC(2024, 5, 1, 12, 0, 0)));
    expect(timeframeMillis(forming.times!)).toBe(minute);
    expect([...dropFormingCandle(forming, now).columns.close!]).toEqual([1, 2, 3]);
    const closed = parseCandles(rows(Date.UTC(2024, 5, 1, 11, 59, 0)));
    expect(dropFormingCandle(closed, now).bars).toBe(4);
    expect(() => dropFormingCandle(parseCandles('close\n1\n2\n', 'n.csv'))).toThrow('n.csv: --closed-only needs a timestamp column');
  });
});
