import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type AtcEngine, type AtcResult, type CreateAtcOptions, type ResolvedAtcConfig } from '@adaptive-trend/core';
import { candlesFromOhlcv, type ExchangeFeed, type ExchangeOptions, openExchange } from '../exchange.js';
import { engineFor } from '../engine.js';
import { CliError } from '../errors.js';
import { type InputOptions, configFromOptions } from '../options.js';
import { writeOutput } from '../output.js';
import { type Progress, progressOnTerminal } from '../progress.js';
import { type ScanInput, type ScanLoadOptions, isExpected, loadScanInputs, messageFor, scanInputOf } from '../scan-load.js';
import { csvCell, formatTable } from '../table.js';

export const SCAN_FORMATS = ['table', 'json', 'csv'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

export interface ScanCommandOptions extends InputOptions, ExchangeOptions {
  format: ScanFormat;
  minSignal: number;
  top?: number;
  out?: string;
  closedOnly?: boolean;
  timings?: boolean;
}

/** One symbol's line in the LONG or SHORT table. */
export interface ScanRow {
  /** File name without its extension. */
  symbol: string;
  /** Last Average_Signal. */
  signal: number;
  trend: 'LONG' | 'SHORT' | 'NEUTRAL';
  /** Last close (the last `--source` value when the file has no close column). */
  price: number;
  /** Input bars used. */
  bars: number;
  /**
   * Bars since the trend (sign of Average_Signal) last changed; when it never changed within
   * the output, the output's length − 1 (a lower bound).
   */
  barsSinceFlip: number;
}

/** What `scan --format json` prints. */
export interface ScanReport {
  long: ScanRow[];
  short: ScanRow[];
  errors: { file: string; message: string }[];
}

/** Every file to scan: the `.csv` files of each directory (sorted), other paths as given. */
export function scanInputs(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      return [path]; // a missing file is reported in `errors` by the read
    }
    if (!isDirectory) return [path];
    return readdirSync(path)
      .filter((name) => extname(name).toLowerCase() === '.csv')
      .sort()
      .map((name) => join(path, name));
  });
}

/** Bars since the sign of Average_Signal last changed (see {@link ScanRow.barsSinceFlip}). */
export function barsSinceFlip(trend: Int8Array): number {
  const last = trend.length - 1;
  let start = last;
  while (start > 0 && trend[start - 1] === trend[last]) start--;
  return last - start;
}

type Loaded = Extract<ScanInput, { prices: Float64Array }>;

function rowOf({ file, prices, lastClose, symbol }: Loaded, result: AtcResult): ScanRow {
  const trend = result.trend();
  const last = result.length - 1;
  const signal = Number.isNaN(result.averageSignal[last]!) ? 0 : result.averageSignal[last]!;
  return {
    symbol: symbol ?? basename(file, extname(file)),
    signal,
    trend: trend[last]! > 0 ? 'LONG' : trend[last]! < 0 ? 'SHORT' : 'NEUTRAL',
    price: lastClose,
    bars: prices.length,
    barsSinceFlip: barsSinceFlip(trend),
  };
}

/**
 * All series through one `computeBatch`; when the batch refuses (one series' growth overflows),
 * each series alone, so a bad symbol lands in `errors` and the others still rank.
 */
async function computeAll(engine: AtcEngine, loaded: Loaded[], config: ResolvedAtcConfig, errors: ScanReport['errors'], progress: Progress): Promise<ScanRow[]> {
  if (loaded.length === 0) return [];
  let results: (AtcResult | undefined)[];
  try {
    results = await engine.computeBatch(
      loaded.map((l) => l.prices),
      config,
      { onProgress: (done, total) => progress.update('compute', done, total) },
    );
  } catch (error) {
    if (!isExpected(error)) throw error;
    results = loaded.map((l) => {
      try {
        return engine.compute(l.prices, config);
      } catch (single) {
        if (!isExpected(single)) throw single;
        errors.push({ file: l.file, message: messageFor(l.file, single) });
        return undefined;
      }
    });
  }
  return loaded.flatMap((l, i) => (results[i] ? [rowOf(l, results[i]!)] : []));
}

/** Ranks rows into the LONG (signal > min, strongest first) and SHORT (< −min) tables. */
export function rank(rows: readonly ScanRow[], minSignal: number, top?: number): Pick<ScanReport, 'long' | 'short'> {
  const bySymbol = (a: ScanRow, b: ScanRow) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
  const long = rows.filter((r) => r.signal > minSignal).sort((a, b) => b.signal - a.signal || bySymbol(a, b));
  const short = rows.filter((r) => r.signal < -minSignal).sort((a, b) => a.signal - b.signal || bySymbol(a, b));
  return { long: long.slice(0, top), short: short.slice(0, top) };
}

const COLUMNS = ['symbol', 'signal', 'trend', 'price', 'bars', 'barsSinceFlip'] as const;

function cells(row: ScanRow, precise: boolean): string[] {
  const price = precise ? String(row.price) : String(Number(row.price.toPrecision(8)));
  const signal = precise ? String(row.signal) : row.signal.toFixed(4);
  return [row.symbol, signal, row.trend, price, String(row.bars), String(row.barsSinceFlip)];
}

function render(report: ScanReport, format: ScanFormat, scanned: number, minSignal: number, unit: 'file' | 'symbol'): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report);
    case 'csv':
      return [
        ['side', ...COLUMNS].join(','),
        ...report.long.map((r) => ['LONG', ...cells(r, true).map(csvCell)].join(',')),
        ...report.short.map((r) => ['SHORT', ...cells(r, true).map(csvCell)].join(',')),
      ].join('\n');
    case 'table': {
      const section = (title: string, rows: ScanRow[]) =>
        rows.length === 0 ? `${title}: none` : `${title}:\n${formatTable([...COLUMNS], rows.map((r) => cells(r, false)))}`;
      return [
        `scanned ${scanned} ${unit}${scanned === 1 ? '' : 's'}, ${report.errors.length} failed`,
        '',
        section(`LONG (signal > ${minSignal})`, report.long),
        '',
        section(`SHORT (signal < ${String(-minSignal)})`, report.short),
      ].join('\n');
    }
  }
}

/**
 * Each symbol's candles from the exchange (one at a time: the exchange's rate limit), validated
 * as a file's would be; a symbol the exchange refuses lands in the errors.
 */
async function loadExchangeInputs(feed: ExchangeFeed, symbols: readonly string[], limit: number, options: ScanLoadOptions, progress: Progress): Promise<ScanInput[]> {
  const inputs: ScanInput[] = [];
  for (const [i, symbol] of symbols.entries()) {
    try {
      inputs.push({ ...scanInputOf(candlesFromOhlcv(await feed.candles(symbol, limit), symbol), options), symbol });
    } catch (error) {
      if (!feed.isExchangeError(error)) throw error;
      inputs.push({ file: symbol, message: (error as Error).message });
    }
    progress.update('fetch', i + 1, symbols.length);
  }
  return inputs;
}

/**
 * `adaptive-trend scan <dir|files…>` or `scan --exchange NAME --symbols A,B | --all`: every
 * series through `computeBatch`, ranked LONG / SHORT. A file or symbol that fails lands in the
 * report's errors (with its line) and never stops the scan; the exit code is 1 when any failed.
 */
export async function scanCommand(paths: readonly string[], options: ScanCommandOptions, defaults: CreateAtcOptions): Promise<number> {
  const feed = options.exchange ? await openExchange(options, paths) : undefined;
  try {
    return await scan(paths, feed, options, defaults);
  } finally {
    await feed?.close();
  }
}

async function scan(paths: readonly string[], feed: ExchangeFeed | undefined, options: ScanCommandOptions, defaults: CreateAtcOptions): Promise<number> {
  const files = feed ? await feed.symbols(options) : scanInputs(paths);
  if (files.length === 0) throw new CliError(feed ? `no symbols on ${feed.name}${options.quote ? ` quoted in ${options.quote}` : ''}` : `no CSV files in ${paths.join(', ')}`);
  const engine = await engineFor(options, defaults);
  const config = engine.resolveConfig(configFromOptions(options)); // a bad config stops the scan: it is not one file's fault
  const progress = progressOnTerminal(process.stderr);
  const started = performance.now();
  const loadOptions = { source: options.source, closedOnly: options.closedOnly === true, config };
  const inputs = feed
    ? await loadExchangeInputs(feed, files, options.limit, loadOptions, progress)
    : loadScanInputs(files, loadOptions, (done) => progress.update('read', done, files.length));
  const errors: ScanReport['errors'] = inputs.flatMap((input) => ('message' in input ? [input] : []));
  const loaded = inputs.filter((input): input is Loaded => 'prices' in input);
  const parsed = performance.now();
  const rows = await computeAll(engine, loaded, config, errors, progress);
  const computed = performance.now();
  progress.done();
  if (options.timings) {
    const bars = loaded.reduce((sum, l) => sum + l.prices.length, 0);
    console.error(`timings: ${feed ? 'fetch' : 'read'}+parse ${(parsed - started).toFixed(1)} ms, compute ${(computed - parsed).toFixed(1)} ms (${engine.backend}, ${loaded.length} series, ${bars} bars)`);
  }
  const report: ScanReport = { ...rank(rows, options.minSignal, options.top), errors };
  writeOutput(render(report, options.format, files.length, options.minSignal, feed ? 'symbol' : 'file'), options.out);
  if (options.format !== 'json') for (const e of errors) console.error(`adaptive-trend: ${e.file}: ${e.message}`);
  return errors.length > 0 ? 1 : 0;
}
