import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@adaptive-trend/backend-js';
import { createAtc } from '@adaptive-trend/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, column, sharedCandles, syntheticCloses, tempDir, writeCut, writeSeries } from './helpers.js';

interface Row {
  symbol: string;
  signal: number;
  trend: string;
  price: number;
  bars: number;
  barsSinceFlip: number;
}

/** Bars since the sign of the last output changed, counted here independently of the CLI. */
function flipDistance(signal: Float64Array): number {
  const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);
  const last = signal.length - 1;
  for (let i = last - 1; i >= 0; i--) if (sign(signal[i]!) !== sign(signal[last]!)) return last - 1 - i;
  return last;
}

describe('adaptive-trend scan (built command, a directory of real and generated files)', () => {
  const dir = tempDir();
  const market = join(dir, 'market');
  const expected = new Map<string, Float64Array>();
  const HOUR = 3_600_000;
  beforeAll(() => {
    mkdirSync(market);
    for (const name of ['ETH_BTC', 'LTC_BTC', 'ADA_BTC', 'DASH_BTC']) {
      const cut = sharedCandles(`${name}-5m.csv`, 600, 200);
      writeCut(market, `${name}.csv`, cut);
      expected.set(name, column(cut, 'close'));
    }
    const end = Date.UTC(2024, 0, 1);
    for (const [symbol, drift, seed] of [['UP1', 0.004, 1], ['UP2', 0.002, 2], ['DOWN1', -0.004, 3]] as const) {
      const closes = syntheticCloses(500, seed, drift);
      writeSeries(join(market, `${symbol}.csv`), closes, end, HOUR);
      expected.set(symbol, closes);
    }
    writeFileSync(join(market, 'BROKEN.csv'), 'timestamp,close\n1700000000,1\n1700000060,2\n1700000120,oops\n');
    writeFileSync(join(market, 'SHORTY.csv'), 'close\n1\n2\n3\n');
    writeFileSync(join(market, 'notes.txt'), 'not a csv, not scanned');
  });

  it('--format json: ranked LONG / SHORT rows equal to the engine, failed files in errors with their line, exit 1', async () => {
    const run = cli(['scan', market, '--format', 'json']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as { long: Row[]; short: Row[]; errors: { file: string; message: string }[] };
    expect(report.errors).toEqual([
      { file: join(market, 'BROKEN.csv'), message: 'line 4: "oops" is not a number' },
      { file: join(market, 'SHORTY.csv'), message: expect.stringMatching(/\S/) },
    ]);
    const rows = [...report.long, ...report.short];
    const engine = await createAtc({ backend: 'js' });
    const min = 0.01;
    for (const [symbol, closes] of expected) {
      const signal = engine.compute(closes).averageSignal;
      const last = signal.at(-1)!;
      const row = rows.find((r) => r.symbol === symbol);
      if (Math.abs(last) <= min) {
        expect(row).toBeUndefined();
        continue;
      }
      expect(row).toEqual({ symbol, signal: last, trend: last > 0 ? 'LONG' : 'SHORT', price: closes.at(-1), bars: closes.length, barsSinceFlip: flipDistance(signal) });
    }
    expect(report.long.map((r) => r.symbol)).toContain('UP1');
    expect(report.short.map((r) => r.symbol)).toContain('DOWN1');
    expect(report.long.every((r) => r.signal > min)).toBe(true);
    expect(report.short.every((r) => r.signal < -min)).toBe(true);
    const sorted = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! >= x);
    expect(sorted(report.long.map((r) => r.signal))).toBe(true);
    expect(sorted(report.short.map((r) => -r.signal))).toBe(true);
    expect(rows.length).toBe(rows.filter((r, i) => rows.findIndex((s) => s.symbol === r.symbol) === i).length);
  });

  it('--top and --min-signal cut the tables', () => {
    const all = JSON.parse(cli(['scan', market, '--format', 'json']).stdout);
    const top = JSON.parse(cli(['scan', market, '--format', 'json', '--top', '1']).stdout);
    expect(top.long).toEqual(all.long.slice(0, 1));
    expect(top.short).toEqual(all.short.slice(0, 1));
    const strong = JSON.parse(cli(['scan', market, '--format', 'json', '--min-signal', '0.5']).stdout);
    expect(strong.long).toEqual(all.long.filter((r: Row) => r.signal > 0.5));
    expect(strong.short).toEqual(all.short.filter((r: Row) => r.signal < -0.5));
  });

  it('--format table and csv print both tables; each failed file is one stderr line; no progress bar when piped', () => {
    const table = cli(['scan', market]);
    expect(table.status).toBe(1);
    expect(table.stdout).toMatch(/^scanned 9 files, 2 failed/);
    expect(table.stdout).toMatch(/LONG \(signal > 0\.01\):\nsymbol\s+signal\s+trend\s+price\s+bars\s+barsSinceFlip\n/);
    expect(table.stdout).toMatch(/SHORT \(signal < -0\.01\):\n/);
    expect(table.stdout).toMatch(/\nUP1 +\d\.\d{4} +LONG /);
    expect(table.stderr.trim().split('\n')).toEqual([
      `adaptive-trend: ${join(market, 'BROKEN.csv')}: line 4: "oops" is not a number`,
      expect.stringMatching(/^adaptive-trend: .*SHORTY\.csv: /),
    ]);
    expect(table.stderr).not.toContain('\r');
    const csv = cli(['scan', market, '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('side,symbol,signal,trend,price,bars,barsSinceFlip');
    expect(csv.find((l) => l.startsWith('LONG,UP1,'))).toBeDefined();
    expect(csv.find((l) => l.startsWith('SHORT,DOWN1,'))).toBeDefined();
  });

  it('files named one by one; exit 0 when none failed; a missing one lands in errors', () => {
    const ok = cli(['scan', join(market, 'UP1.csv'), join(market, 'DOWN1.csv'), '--format', 'json']);
    expect(ok.status).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.long.map((r: Row) => r.symbol)).toEqual(['UP1']);
    expect(report.short.map((r: Row) => r.symbol)).toEqual(['DOWN1']);
    expect(report.errors).toEqual([]);
    const missing = cli(['scan', join(market, 'UP1.csv'), join(dir, 'GONE.csv'), '--format', 'json']);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stdout).errors).toEqual([{ file: join(dir, 'GONE.csv'), message: 'cannot read: no such file' }]);
    // a price core refuses is reported at its file line (blank lines counted)
    const zero = join(dir, 'ZERO.csv');
    writeFileSync(zero, 'time,close\n1700000000,1\n\n\n1700000060,0\n1700000120,2\n');
    const refused = cli(['scan', join(market, 'UP1.csv'), zero, '--format', 'json']);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout).errors).toEqual([{ file: zero, message: expect.stringMatching(/^line 5: .*> 0/) }]);
    expect(JSON.parse(refused.stdout).long.map((r: Row) => r.symbol)).toEqual(['UP1']);
    const single = cli(['compute', zero]);
    expect(single.status).toBe(1);
    expect(single.stderr.trim()).toMatch(new RegExp(`^adaptive-trend: ${zero}: line 5: .*> 0$`));
  });

  it('--closed-only drops a candle still forming, keeps a closed one', () => {
    const live = join(dir, 'live');
    mkdirSync(live);
    const closes = syntheticCloses(300, 7, 0.003);
    const now = Date.now();
    writeSeries(join(live, 'FORMING.csv'), closes, now - 60_000, HOUR); // opened a minute ago: still forming
    writeSeries(join(live, 'CLOSED.csv'), closes, now - 2 * HOUR, HOUR);
    const bars = (args: string[]) =>
      Object.fromEntries(JSON.parse(cli(['scan', live, '--format', 'json', '--min-signal', '0', ...args]).stdout).long.map((r: Row) => [r.symbol, r.bars]));
    expect(bars([])).toEqual({ CLOSED: 300, FORMING: 300 });
    expect(bars(['--closed-only'])).toEqual({ CLOSED: 300, FORMING: 299 });
  });

  it('81 files: the same rows as the engine, a broken file still reported with its line', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    const engine = await createAtc({ backend: 'js' });
    const expectedRows = new Map<string, Row>();
    for (let k = 0; k < 80; k++) {
      const symbol = `S${String(k).padStart(2, '0')}`;
      const closes = syntheticCloses(300, 100 + k, k % 2 === 0 ? 0.003 : -0.003);
      writeSeries(join(many, `${symbol}.csv`), closes, Date.UTC(2024, 0, 1), HOUR);
      const signal = engine.compute(closes).averageSignal;
      const last = signal.at(-1)!;
      if (last !== 0) expectedRows.set(symbol, { symbol, signal: last, trend: last > 0 ? 'LONG' : 'SHORT', price: closes.at(-1)!, bars: 300, barsSinceFlip: flipDistance(signal) });
    }
    writeFileSync(join(many, 'S40x.csv'), 'time,close\n1700000000,1\n1700000060,2\n1700000120,-\n');
    const run = cli(['scan', many, '--format', 'json', '--min-signal', '0']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.errors).toEqual([{ file: join(many, 'S40x.csv'), message: 'line 4: "-" is not a number' }]);
    const rows = [...report.long, ...report.short] as Row[];
    expect(rows).toHaveLength(expectedRows.size);
    for (const row of rows) expect(row).toEqual(expectedRows.get(row.symbol));
  });

  it('usage and config errors stop the scan with one line', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const cases: [string[], RegExp, number][] = [
      [['scan', empty], /^adaptive-trend: no CSV files in /, 1],
      [['scan'], /^adaptive-trend: scan needs directories or CSV files, or --exchange NAME/, 2],
      [['scan', market, '--top', '0'], /--top <n> argument '0' is invalid/, 2],
      [['scan', market, '--min-signal', '-1'], /--min-signal <x> argument '-1' is invalid/, 2],
      [['scan', market, '--decay', '9'], /^adaptive-trend: config\.decay: /, 1],
    ];
    for (const [args, message, status] of cases) {
      const run = cli(args);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
      expect(run.status).toBe(status);
    }
  });
});
