import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AtcInputError, type CreateAtcOptions } from '@adaptive-trend/core';
import { priceSource } from '../candles.js';
import { engineFor } from '../engine.js';
import { CliError, describeReadError } from '../errors.js';
import { type ExchangeFeed, type ExchangeOptions, candlesFromOhlcv, openExchange } from '../exchange.js';
import type { InputOptions } from '../options.js';
import { RowReader, tickOfCandle } from '../watch-input.js';
import { BarPrinter, type WatchFormat } from '../watch-output.js';
import { Streams, type WatchedSeries } from '../watch-streams.js';

export interface WatchCommandOptions extends InputOptions, ExchangeOptions {
  format: WatchFormat;
  state?: string;
  /** Seconds between two polls of the exchange. */
  poll: number;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Lines of a file or standard input as ticks into one stream, until the input ends or a stop. */
async function watchLines(file: string, streams: Streams, printer: BarPrinter, stop: AbortSignal, source: WatchCommandOptions['source']): Promise<void> {
  const name = file === '-' ? 'standard input' : file;
  const input = file === '-' ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    if (file === '-') return resolve();
    input.once('open', () => resolve());
    input.once('error', (error: Error) => reject(describeReadError(file, error)));
  });
  await opened;
  const { series } = streams.open(undefined);
  const rows = new RowReader(name, source);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const end = () => lines.close();
  stop.addEventListener('abort', end);
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      const tick = rows.read(text, line);
      if (!tick) continue;
      const applied = series.apply(tick, name);
      if (applied) printer.print({ ...applied, timestamp: tick.timestamp, time: tick.time });
    }
  } finally {
    stop.removeEventListener('abort', end);
    if (file === '-') process.stdin.pause();
    else (input as ReturnType<typeof createReadStream>).destroy();
  }
}

/** Candles newer than a series' last bar, fetched until the forming one (no limit: a restart catches up fully). */
const CATCH_UP = Number.MAX_SAFE_INTEGER;

/**
 * Every symbol's history (`--limit` candles, or everything since the saved state's last bar)
 * into its stream, its latest bar printed; then every `--poll` seconds the candles since
 * each stream's last bar. A symbol that fails at the start is reported and left out; a poll
 * that fails is reported and retried at the next poll.
 */
async function watchExchange(feed: ExchangeFeed, symbols: readonly string[], streams: Streams, printer: BarPrinter, stop: AbortSignal, options: WatchCommandOptions): Promise<number> {
  const live: WatchedSeries[] = [];
  let failed = 0;
  const report = (symbol: string, error: unknown) => {
    if (!feed.isExchangeError(error) && !(error instanceof AtcInputError)) throw error;
    console.error(`adaptive-trend: ${feed.name} ${symbol}: ${(error as Error).message}`);
  };
  const feedTicks = (series: WatchedSeries, candles: readonly Parameters<typeof tickOfCandle>[0][], printAll: boolean) => {
    for (const candle of candles) {
      if (series.lastTime !== undefined && candle[0] < series.lastTime) continue;
      const tick = { ...tickOfCandle(candle, options.source), timestamp: new Date(candle[0]).toISOString() };
      const applied = series.apply(tick, `${feed.name} ${series.symbol}`);
      if (applied && printAll) printer.print({ ...applied, symbol: series.symbol, timestamp: tick.timestamp, time: tick.time });
    }
  };
  for (const symbol of symbols) {
    if (stop.aborted) break;
    try {
      const { series, restored } = streams.open(symbol);
      if (restored && series.lastTime !== undefined) {
        feedTicks(series, await feed.candles(symbol, CATCH_UP, series.lastTime), true);
      } else {
        const candles = await feed.candles(symbol, options.limit);
        if (candles.length === 0) throw new AtcInputError('EMPTY_SERIES', symbol, `no ${feed.timeframe} candles on ${feed.name}`);
        const history = candlesFromOhlcv(candles, `${feed.name} ${symbol}`);
        const bars = series.stream.pushMany(priceSource(history, options.source));
        const last = candles.length - 1;
        series.lastTime = candles[last]![0];
        series.lastTimestamp = history.timestamps![last];
        series.lastClose = bars.closes[last];
        printer.print({ bar: bars.bar(last), replaced: false, symbol, timestamp: series.lastTimestamp, time: series.lastTime });
      }
      live.push(series);
    } catch (error) {
      if (error instanceof CliError) throw error;
      report(symbol, error);
      failed++;
    }
  }
  if (live.length === 0) return 1;
  while (!stop.aborted) {
    await sleep(options.poll * 1000, stop);
    for (const series of live) {
      if (stop.aborted) break;
      try {
        feedTicks(series, await feed.candles(series.symbol!, CATCH_UP, series.lastTime), true);
      } catch (error) {
        report(series.symbol!, error);
      }
    }
  }
  return failed > 0 ? 1 : 0;
}

/**
 * `adaptive-trend watch [file|-]` or `watch --exchange NAME --symbols A,B`: ATC one bar at a
 * time on the streaming API, each new bar's signal printed as it comes (a candle time seen
 * again re-computes the forming bar), entry events as they happen. `--state FILE` continues
 * from the streams saved by the last run and saves them on exit (end of input, Ctrl-C,
 * SIGTERM, or an error). Returns the exit code.
 */
export async function watchCommand(file: string | undefined, options: WatchCommandOptions, defaults: CreateAtcOptions): Promise<number> {
  const feed = options.exchange ? await openExchange(options, file === undefined ? [] : [file]) : undefined;
  const stopper = new AbortController();
  const stop = () => stopper.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let streams: Streams | undefined;
  try {
    const engine = await engineFor(options, defaults);
    const printer = new BarPrinter(options.format, (line) => process.stdout.write(`${line}\n`), feed !== undefined);
    if (!feed) {
      streams = new Streams(engine, options, 'lines');
      await watchLines(file ?? '-', streams, printer, stopper.signal, options.source);
      return 0;
    }
    const symbols = await feed.symbols(options);
    if (symbols.length === 0) throw new CliError(`no symbols on ${feed.name}${options.quote ? ` quoted in ${options.quote}` : ''}`);
    streams = new Streams(engine, options, `exchange ${feed.name} ${feed.timeframe}`);
    return await watchExchange(feed, symbols, streams, printer, stopper.signal, options);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    streams?.save();
    await feed?.close();
  }
}
