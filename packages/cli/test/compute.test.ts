import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@adaptive-trend/backend-js';
import { REFERENCE_OUTPUT_NAMES, createAtc } from '@adaptive-trend/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Cut, cli, column, sharedCandles, tempDir, writeCut } from './helpers.js';

/** Parses a csv output cell back to the double it printed ('' = NaN). */
const cell = (text: string) => (text === '' ? NaN : Number(text));

describe('adaptive-trend compute (built command, real files)', () => {
  const dir = tempDir();
  let cut: Cut;
  let file: string;
  beforeAll(() => {
    cut = sharedCandles('ETH_BTC-5m.csv', 400);
    file = writeCut(dir, 'ETH_BTC.csv', cut);
  });
  const engine = () => createAtc({ backend: 'js' });

  it('--format csv: the reference header, the input timestamps from the cutout on, every output bit for bit', async () => {
    const run = cli(['compute', file, '--cutout', '30']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [header, ...rows] = run.stdout.trim().split('\n');
    expect(header).toBe(`timestamp,${REFERENCE_OUTPUT_NAMES.join(',')}`);
    expect(header).toMatch(/^timestamp,EMA_Signal,.*,KAMA_S,Average_Signal$/);
    const expected = (await engine()).compute(column(cut, 'close'), { cutout: 30 }).toRecord();
    expect(rows).toHaveLength(400 - 30);
    rows.forEach((row, i) => {
      const cells = row.split(',');
      expect(cells[0]).toBe(cut.rows[i + 30]![0]);
      REFERENCE_OUTPUT_NAMES.forEach((name, k) => expect(Object.is(cell(cells[k + 1]!), expected[name][i])).toBe(true));
    });
  });

  it('--format csv keeps the sign of −0 (String(-0) would print 0), so every bit round-trips', async () => {
    const window = sharedCandles('ETH_BTC-5m.csv', 700, 1000);
    const path = writeCut(dir, 'ETH_window.csv', window);
    const rows = cli(['compute', path, '--cutout', '40']).stdout.trim().split('\n').slice(1);
    const expected = (await engine()).compute(column(window, 'close'), { cutout: 40 }).toRecord();
    const cells = rows.map((r) => r.split(',').slice(1));
    expect(cells.flat()).toContain('-0');
    cells.forEach((row, i) => REFERENCE_OUTPUT_NAMES.forEach((name, k) => expect(Object.is(cell(row[k]!), expected[name][i])).toBe(true)));
  });

  it('--format ndjson and json carry the entry events of result.entries(); pine bars before the warm-up are null', async () => {
    const config = { semantics: 'pine' as const, cutout: 20, emaLength: 20 };
    const result = (await engine()).compute(column(cut, 'close'), config);
    const ndjson = cli(['compute', file, '--format', 'ndjson', '--semantics', 'pine', '--cutout', '20', '--ema-length', '20']);
    expect(ndjson.status).toBe(0);
    const bars = ndjson.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(bars).toHaveLength(400);
    expect(bars.map((b) => b.entry)).toEqual([...result.entries()]);
    // JSON has no −0 (it prints 0): values compared with −0 read as 0
    expect(bars.map((b) => b.Average_Signal ?? NaN)).toEqual(Array.from(result.averageSignal, (v) => (v === 0 ? 0 : v)));
    expect(bars[0].Average_Signal).toBeNull();
    expect(bars.map((b) => b.timestamp)).toEqual(cut.rows.map((r) => r[0]));
    expect(bars[1].time - bars[0].time).toBe(5 * 60_000);
    expect(result.entries().some((e) => e !== 0)).toBe(true);
    const json = JSON.parse(cli(['compute', file, '--format', 'json', '--semantics', 'pine', '--cutout', '20', '--ema-length', '20']).stdout);
    expect(json.config.semantics).toBe('pine');
    expect(json.backend).toBe('js');
    expect(json.bars).toEqual(bars);
  });

  it('--entries adds the entry column to csv and table', async () => {
    const entries = [...(await engine()).compute(column(cut, 'close')).entries()];
    const csv = cli(['compute', file, '--entries']).stdout.trim().split('\n');
    expect(csv[0]).toMatch(/,Average_Signal,entry$/);
    expect(csv.slice(1).map((r) => Number(r.split(',').at(-1)))).toEqual(entries);
    const table = cli(['compute', file, '--format', 'table', '--entries']).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^timestamp\s+EMA_Signal\s+EMA_S\s.*Average_Signal\s+entry$/);
    expect(table).toHaveLength(401);
    expect(table.slice(1).map((r) => Number(r.split(/\s+/).at(-1)))).toEqual(entries);
  });

  it('every config key is a flag, over a --config file; --source hl2; standard input; --out', async () => {
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ robustness: 'Wide', lambda: 0.1, emaLength: 40 }));
    const hl2 = column(cut, 'high').map((h, i) => (h + column(cut, 'low')[i]!) / 2);
    const config = { robustness: 'Wide' as const, lambda: 0.1, emaLength: 30, decay: 0.1, strategyMode: true, longThreshold: 0.2 };
    const expected = (await engine()).compute(hl2, config).averageSignal;
    const out = join(dir, 'out.csv');
    const args = ['compute', '-', '--config', cfg, '--ema-length', '30', '--decay', '0.1', '--strategy-mode', '--long-threshold', '0.2', '--source', 'hl2', '--out', out];
    const text = readFileSync(file, 'utf8');
    const run = cli(args, { input: text });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const got = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((r) => cell(r.split(',').at(-1)!));
    expect(got).toEqual([...expected]);
    const defaults = (await engine()).compute(column(cut, 'close')).averageSignal;
    expect(got).not.toEqual([...defaults]);
  });

  it('--backend wins over ATC_BACKEND', () => {
    const run = cli(['compute', file, '--format', 'json', '--backend', 'js'], { env: { ATC_BACKEND: 'wasm' } });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).backend).toBe('js');
    expect(JSON.parse(cli(['compute', file, '--format', 'json'], { env: { ATC_BACKEND: 'js' } }).stdout).backend).toBe('js');
  });

  it('--backend wasm and native print the same bits as js', () => {
    const js = cli(['compute', file, '--backend', 'js'], { env: { ATC_BACKEND: undefined } });
    for (const backend of ['wasm', 'native']) {
      const run = cli(['compute', file, '--format', 'json', '--backend', backend], { env: { ATC_BACKEND: undefined } });
      if (run.status !== 0) {
        expect(run.stderr).toMatch(new RegExp(`^adaptive-trend: .*${backend}`)); // not built here: a clear one-line error
        continue;
      }
      expect(JSON.parse(run.stdout).backend).toBe(backend);
      expect(cli(['compute', file, '--backend', backend], { env: { ATC_BACKEND: undefined } }).stdout).toBe(js.stdout);
    }
  });

  describe('bad input: one line on stderr, exit 2 for usage, 1 for data', () => {
    const cases: [string, () => string[], RegExp, number][] = [
      ['a flag value that is not a number', () => ['compute', file, '--lambda', 'abc'], /^adaptive-trend: option --lambda <n> argument 'abc' is invalid/, 2],
      ['a value outside a choice list', () => ['compute', file, '--robustness', 'Huge'], /^adaptive-trend: option --robustness <robustness> argument 'Huge' is invalid/, 2],
      ['an unknown format', () => ['compute', file, '--format', 'xml'], /--format <format> argument 'xml' is invalid/, 2],
      ['a missing file argument', () => ['compute'], /^adaptive-trend: compute needs a file \(- = standard input\) or --exchange NAME --symbols A/, 2],
      ['a config value core refuses', () => ['compute', file, '--lambda', '5'], /^adaptive-trend: config\.lambda: must be within \[0\.005, 0\.5\], got 5$/, 1],
      ['a config file that is not JSON', () => ['compute', file, '--config', file], /^adaptive-trend: .*ETH_BTC\.csv: not valid JSON/, 1],
      ['an unknown key in the config file', () => {
        writeFileSync(join(dir, 'bad.json'), '{"emaLen": 3}');
        return ['compute', file, '--config', join(dir, 'bad.json')];
      }, /^adaptive-trend: .*emaLen/, 1],
      ['a column --source needs', () => {
        writeFileSync(join(dir, 'close.csv'), 'close\n1\n2\n');
        return ['compute', join(dir, 'close.csv'), '--source', 'ohlc4'];
      }, /close\.csv: has no "open" column \(needed by --source ohlc4\)$/, 1],
    ];
    it.each(cases)('%s', (_, args, message, exitCode) => {
      const run = cli(args());
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
      expect(run.status).toBe(exitCode);
    });
  });

  it('the plain command (npm run demo) still prints the last bar, now with --source and config flags', async () => {
    const plain = cli([]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^adaptive-trend: embedded synthetic sample .*1500 bars in, 1500 out\nbackend: js/);
    const low = column(cut, 'low');
    const expected = (await engine()).compute(low, { robustness: 'Narrow' }).averageSignal.at(-1)!;
    const run = cli([file, '--source', 'low', '--robustness', 'Narrow']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Average_Signal: ${expected.toFixed(6)}`);
    expect(run.stdout).toMatch(/400 bars in, 400 out/);
  });

  it('--help per command and --version', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/compute/);
    const compute = cli(['compute', '--help']);
    expect(compute.status).toBe(0);
    for (const flag of ['--ema-length', '--robustness', '--lambda', '--decay', '--cutout', '--semantics', '--backend', '--source', '--config', '--format', '--out']) {
      expect(compute.stdout).toContain(flag);
    }
    const version = cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });
});
