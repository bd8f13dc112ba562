import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import '@adaptive-trend/backend-js';
import { REFERENCE_OUTPUT_NAMES, createAtc } from '@adaptive-trend/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockExchange, type MockMarket, candlesEndingNow, startMockExchange } from './exchange-server.js';
import { cliAsync, sharedCandles, syntheticCloses, tempDir } from './helpers.js';

// Daily candles: the newest opens at 00:00 UTC today, so a run crosses a period boundary only at midnight.
const STEP = 86_400_000;
const closesOf = (market: MockMarket, from = 0) => Float64Array.from(market.candles.slice(from), (c) => c[4]);

interface Row {
  symbol: string;
  signal: number;
  bars: number;
  price: number;
}

describe('exchanges through ccxt (binance spot API served on 127.0.0.1 from the shared CSVs)', () => {
  let server: MockExchange;
  const markets = new Map<string, MockMarket>();
  const exchangeArgs = () => ['--exchange', 'binance', '--timeframe', '1d', '--exchange-url', server.origin];

  beforeAll(async () => {
    for (const [id, base, file] of [['ETHBTC', 'ETH', 'ETH_BTC-5m.csv'], ['LTCBTC', 'LTC', 'LTC_BTC-5m.csv'], ['ADABTC', 'ADA', 'ADA_BTC-5m.csv']] as const) {
      markets.set(id, { base, quote: 'BTC', candles: candlesEndingNow(sharedCandles(file, 1700).rows, STEP) });
    }
    markets.get('ADABTC')!.broken = true;
    server = await startMockExchange(markets, 1000);
  });
  afterAll(() => server?.close());

  it('scan --all: 1,500 candles per symbol in two pages, a 429 retried, the failing symbol in errors, rows equal to the engine', async () => {
    markets.get('ETHBTC')!.rateLimited = 1;
    const before = server.requests.length;
    const run = await cliAsync(['scan', ...exchangeArgs(), '--all', '--quote', 'BTC', '--limit', '1500', '--min-signal', '0', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { long: Row[]; short: Row[]; errors: { file: string; message: string }[] };
    expect(report.errors).toEqual([{ file: 'ADA/BTC', message: expect.stringMatching(/Invalid symbol/) }]);
    const engine = await createAtc({ backend: 'js' });
    for (const [id, symbol] of [['ETHBTC', 'ETH/BTC'], ['LTCBTC', 'LTC/BTC']]) {
      const closes = closesOf(markets.get(id)!, 200); // the latest 1,500 of 1,700
      const row = [...report.long, ...report.short].find((r) => r.symbol === symbol)!;
      expect(row).toMatchObject({ bars: 1500, price: closes.at(-1), signal: engine.compute(closes).averageSignal.at(-1) });
    }
    const klines = server.requests.slice(before).filter((u) => u.pathname === '/api/v3/klines' && u.searchParams.get('symbol') === 'ETHBTC');
    expect(klines.length).toBe(3); // the 429, then pages of 1,000 and 500
    expect(klines.map((u) => u.searchParams.get('limit'))).toEqual(['1000', '1000', '500']);
    expect(markets.get('ETHBTC')!.rateLimited).toBe(0);
  });

  it('scan --symbols: a symbol the exchange does not list lands in errors, the others rank (table on stdout)', async () => {
    const run = await cliAsync(['scan', ...exchangeArgs(), '--symbols', 'ETH/BTC,NOPE/BTC', '--limit', '300', '--min-signal', '0']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^scanned 2 symbols, 1 failed/);
    expect(run.stdout).toMatch(/ETH\/BTC/);
    expect(run.stderr.trim()).toMatch(/^adaptive-trend: NOPE\/BTC: .*NOPE\/BTC/);
  });

  it('compute --exchange: every bar equal to compute on the fetched closes, with the candles\' times', async () => {
    const run = await cliAsync(['compute', ...exchangeArgs(), '--symbols', 'LTC/BTC', '--limit', '1200', '--format', 'ndjson']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const market = markets.get('LTCBTC')!;
    const result = (await createAtc({ backend: 'js' })).compute(closesOf(market, 500));
    const record = result.toRecord();
    const bars = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
    expect(bars.length).toBe(result.length);
    const first = 1200 - result.length; // the cutout
    bars.forEach((bar, i) => {
      expect(bar.time).toBe(market.candles[500 + first + i]![0]);
      expect(bar.timestamp).toBe(new Date(bar.time as number).toISOString());
      for (const name of REFERENCE_OUTPUT_NAMES) expect(bar[name]).toBe(record[name][i]);
    });
  });

  it('flags that do not go together are usage errors (exit 2)', async () => {
    for (const args of [['scan', ...exchangeArgs()], ['scan', 'dir', ...exchangeArgs(), '--all'], ['compute', ...exchangeArgs(), '--symbols', 'A/B,C/D'], ['scan', '--exchange', 'nosuchexchange', '--all']]) {
      const run = await cliAsync(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('without ccxt installed the CLI still runs, and --exchange says how to install it', async () => {
    // A resolve hook that finds no `ccxt` package, as on an install without the optional dependency.
    const dir = tempDir();
    const hook = join(dir, 'no-ccxt.mjs');
    writeFileSync(
      hook,
      `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(specifier, context, next) {
  if (specifier === 'ccxt') { const e = new Error("Cannot find package 'ccxt'"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; }
  return next(specifier, context);
}\`));
`,
    );
    const nodeArgs = ['--import', pathToFileURL(hook).href];
    const closes = Array.from(syntheticCloses(300, 7, 0.001), String);
    const plain = await cliAsync(['compute', '-', '--format', 'csv'], { nodeArgs, input: ['close', ...closes].join('\n') });
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
    const run = await cliAsync(['scan', '--exchange', 'binance', '--all'], { nodeArgs });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^adaptive-trend: --exchange needs the optional dependency ccxt: run `npm install ccxt`/);
  });
});
