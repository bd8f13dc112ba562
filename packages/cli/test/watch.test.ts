import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@adaptive-trend/backend-js';
import { REFERENCE_OUTPUT_NAMES, createAtc } from '@adaptive-trend/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockExchange, type MockMarket, candlesEndingNow, startMockExchange } from './exchange-server.js';
import { cli, sharedCandles, startCli, tempDir } from './helpers.js';

type Json = Record<string, number | string | null>;
const parseLines = (stdout: string): Json[] => stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Json);

/** The last printed object of each bar (a forming bar is printed again when it changes). */
function lastPerBar(lines: Json[]): Json[] {
  const byBar = new Map<number, Json>();
  for (const line of lines) byBar.set(line.bar as number, line);
  return [...byBar.values()];
}

/** `compute`'s ndjson objects and `watch`'s agree on every key compute prints (timestamp, time, the 13 outputs, entry). */
function expectSameBars(watched: Json[], computed: Json[]): void {
  expect(watched.length).toBe(computed.length);
  computed.forEach((bar, i) => {
    for (const [key, value] of Object.entries(bar)) expect(watched[i]![key], `bar ${i} ${key}`).toBe(value);
  });
}

const csv = (header: string[], rows: string[][]) => [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';

describe('adaptive-trend watch (built command)', () => {
  const market = sharedCandles('ETH_BTC-5m.csv', 700, 100);
  const CLOSE = market.header.indexOf('close');
  const input = csv(market.header, market.rows);

  it.each([
    ['reference', []],
    ['pine, --source hlc3', ['--semantics', 'pine', '--source', 'hlc3']],
  ])('closes from standard input: the ndjson bars equal compute on the same rows (%s)', (_, flags) => {
    const watch = cli(['watch', '-', '--format', 'ndjson', ...flags], { input });
    expect(watch.stderr).toBe('');
    expect(watch.status).toBe(0);
    const compute = cli(['compute', '-', '--format', 'ndjson', ...flags], { input });
    expect(compute.status).toBe(0);
    const watched = parseLines(watch.stdout);
    const computed = parseLines(compute.stdout);
    expectSameBars(watched, computed);
    const first = market.rows.length - computed.length;
    watched.forEach((bar, i) => expect(bar.bar).toBe(first + i));
    if (flags.length === 0) watched.forEach((bar) => expect(bar.close).toBe(Number(market.rows[bar.bar as number]![CLOSE])));
  });

  it('a row with the last row\'s timestamp re-computes that forming bar (printed again); the final bars equal compute on the final rows', async () => {
    const forming = new Map<number, string>([
      [150, String(Number(market.rows[150]![CLOSE]) * 1.004)],
      [420, String(Number(market.rows[420]![CLOSE]) * 0.993)],
    ]);
    const rows = market.rows.flatMap((row, i) => {
      const early = forming.get(i);
      if (early === undefined) return [row];
      const tick = row.slice();
      tick[CLOSE] = early;
      return [tick, row.slice(), row]; // forming close, the same row again (unchanged: not printed), the final close
    });
    const run = cli(['watch', '-', '--format', 'ndjson'], { input: csv(market.header, rows) });
    expect(run.stderr).toBe('');
    const lines = parseLines(run.stdout);
    const computed = parseLines(cli(['compute', '-', '--format', 'ndjson'], { input }).stdout);
    expect(lines.length).toBe(computed.length + forming.size);
    expectSameBars(lastPerBar(lines), computed);
    // The forming line itself is bar k of compute over the rows up to k with the forming close.
    const engine = await createAtc({ backend: 'js' });
    for (const [k, close] of forming) {
      const prefix = Float64Array.from(market.rows.slice(0, k + 1), (r) => Number(r[CLOSE]));
      prefix[k] = Number(close);
      const result = engine.compute(prefix);
      const record = result.toRecord();
      const printed = lines.filter((l) => l.bar === k);
      expect(printed.length).toBe(2);
      expect(printed[0]!.close).toBe(Number(close));
      for (const name of REFERENCE_OUTPUT_NAMES) expect(printed[0]![name]).toBe(record[name].at(-1));
      expect(printed[0]!.entry).toBe(result.entries().at(-1));
    }
  });

  it('--state: a second run continues the first exactly (also re-computing the bar that was still forming)', () => {
    const dir = tempDir();
    const state = join(dir, 'watch.state');
    const split = 400;
    const formingRow = market.rows[split - 1]!.slice();
    formingRow[CLOSE] = String(Number(formingRow[CLOSE]) * 1.01);
    const first = cli(['watch', '-', '--format', 'ndjson', '--state', state], { input: csv(market.header, [...market.rows.slice(0, split - 1), formingRow]) });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { input: string; streams: { lastClose: number; snapshot: string }[] };
    expect(saved.input).toBe('lines');
    expect(saved.streams[0]!.lastClose).toBe(Number(formingRow[CLOSE]));
    const second = cli(['watch', '-', '--format', 'ndjson', '--state', state], { input: csv(market.header, market.rows.slice(split - 1)) });
    expect(second.stderr).toBe('');
    const continued = parseLines(second.stdout);
    expect(continued[0]!.bar).toBe(split - 1);
    const computed = parseLines(cli(['compute', '-', '--format', 'ndjson'], { input }).stdout);
    expectSameBars(lastPerBar([...parseLines(first.stdout), ...continued]), computed);

    const otherConfig = cli(['watch', '-', '--state', state, '--ema-length', '20'], { input: csv(market.header, market.rows.slice(split)) });
    expect(otherConfig.status).toBe(1);
    expect(otherConfig.stderr.trim().split('\n')).toHaveLength(1);
    expect(otherConfig.stderr).toMatch(/^adaptive-trend: .*watch\.state: the saved stream was taken with another config \(.*\); give the config it was saved with/);
  });

  it('Ctrl-C while standard input is still open saves the state and exits 0', async () => {
    const state = join(tempDir(), 'live.json');
    const run = startCli(['watch', '--format', 'ndjson', '--state', state]);
    run.child.stdin!.write(csv(market.header, market.rows.slice(0, 50)));
    let line: Json = {};
    for (let i = 0; i < 50; i++) line = JSON.parse(await run.nextLine()) as Json;
    expect(line.bar).toBe(49);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.stderr).toBe('');
    expect(stopped.status).toBe(0);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { streams: { lastTimestamp: string }[] };
    expect(saved.streams[0]!.lastTimestamp).toBe(market.rows[49]![0]);
  });

  it('table: a line per bar and one per entry event, as compute counts them', () => {
    const run = cli(['watch'], { input });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const computed = parseLines(cli(['compute', '-', '--format', 'ndjson'], { input }).stdout);
    const entries = computed.filter((b) => b.entry !== 0);
    expect(entries.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^time\s+bar\s+close\s+Average_Signal\s+trend$/);
    expect(lines.filter((l) => /^[▲▼] (LONG|SHORT) entry: series bar \d+/.test(l)).map((l) => Number(/bar (\d+)/.exec(l)![1])))
      .toEqual(entries.map((b) => market.rows.findIndex((r) => r[0] === b.timestamp)));
    expect(lines.length).toBe(1 + computed.length + entries.length);
  });

  it('bad rows stop with one line naming the line; the state keeps the bars before it', () => {
    const dir = tempDir();
    const state = join(dir, 's.json');
    const cases: [string[][], RegExp][] = [
      [[...market.rows.slice(0, 3), ['x', '1', '1', '1', '1', '1']], /^adaptive-trend: standard input: line 5: "x" is not a timestamp/],
      [[...market.rows.slice(0, 3), [...market.rows[3]!.slice(0, CLOSE), '0', '1']], /^adaptive-trend: standard input: line 5: value 0; closes must be > 0$/],
      [[market.rows[1]!, market.rows[0]!], /^adaptive-trend: standard input: line 3: timestamp ".*" is before the last bar's/],
    ];
    for (const [k, [rows, message]] of cases.entries()) {
      const run = cli(['watch', ...(k === 0 ? ['--state', state] : [])], { input: csv(market.header, rows) });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toMatch(message);
    }
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { streams: { lastTimestamp: string }[] };
    expect(saved.streams[0]!.lastTimestamp).toBe(market.rows[2]![0]);
  });
});

describe('adaptive-trend watch --exchange (binance spot API on 127.0.0.1)', () => {
  const STEP = 86_400_000;
  let server: MockExchange;
  let market: MockMarket;
  beforeAll(async () => {
    market = { base: 'ETH', quote: 'BTC', candles: candlesEndingNow(sharedCandles('ETH_BTC-5m.csv', 1000).rows.slice(0, 600), STEP) };
    server = await startMockExchange(new Map([['ETHBTC', market]]), 1000);
  });
  afterAll(() => server?.close());

  it('history, a forming candle updated, a new candle, Ctrl-C saves the state, a restart catches up; every bar equal to compute', async () => {
    const state = join(tempDir(), 'ex.state');
    const args = ['watch', '--exchange', 'binance', '--symbols', 'ETH/BTC', '--timeframe', '1d', '--limit', '500', '--poll', '0.05', '--format', 'ndjson', '--state', state, '--exchange-url', server.origin];
    const engine = await createAtc({ backend: 'js' });
    const expectBar = (line: Json, closes: Float64Array) => {
      const result = engine.compute(closes.subarray(0, (line.bar as number) + 1));
      const record = result.toRecord();
      for (const name of REFERENCE_OUTPUT_NAMES) expect(line[name], name).toBe(record[name].at(-1));
      expect(line.entry).toBe(result.entries().at(-1));
      expect(line.symbol).toBe('ETH/BTC');
    };
    const closes = () => Float64Array.from(market.candles.slice(100), (c) => c[4]); // the 500 fetched, then the new ones
    const run = startCli(args);
    const history = JSON.parse(await run.nextLine()) as Json;
    expect(history.bar).toBe(499);
    expect(history.time).toBe(market.candles.at(-1)![0]);
    expectBar(history, closes());

    const last = market.candles.at(-1)!;
    last[4] *= 1.02; // the forming candle moves
    const updated = JSON.parse(await run.nextLine()) as Json;
    expect([updated.bar, updated.close]).toEqual([499, last[4]]);
    expectBar(updated, closes());

    const next = market.candles.at(-1)![0] + STEP;
    market.candles.push([next, 1, 1, 1, market.candles.at(-1)![4] * 0.99, 1]);
    const pushed = JSON.parse(await run.nextLine()) as Json;
    expect([pushed.bar, pushed.time]).toEqual([500, next]);
    expectBar(pushed, closes());

    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.stderr).toBe('');
    expect(stopped.status).toBe(0);
    expect(existsSync(state)).toBe(true);

    // While it was down: the candle it last saw closed higher, and two more opened.
    market.candles.at(-1)![4] *= 1.01;
    for (const k of [1, 2]) market.candles.push([next + k * STEP, 1, 1, 1, market.candles.at(-1)![4] * (1 + 0.01 * k), 1]);
    const restart = startCli(args);
    const caughtUp = [JSON.parse(await restart.nextLine()), JSON.parse(await restart.nextLine()), JSON.parse(await restart.nextLine())] as Json[];
    expect(caughtUp.map((l) => l.bar)).toEqual([500, 501, 502]);
    for (const line of caughtUp) expectBar(line, closes());
    restart.child.kill('SIGINT');
    expect((await restart.done).status).toBe(0);
  });
});
