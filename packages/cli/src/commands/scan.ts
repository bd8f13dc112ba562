import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type ScanReport, type ScanRow, rank, rowOf } from '@adaptive-trend/cluster/scan-report';
import type { AtcEngine, AtcResult, CreateAtcOptions, ResolvedAtcConfig } from '@adaptive-trend/core';
import { candlesFromOhlcv, type ExchangeFeed, type ExchangeOptions, openExchange } from '../exchange.js';
import { engineFor } from '../engine.js';
import { CliError } from '../errors.js';
import { type InputOptions, configFromOptions } from '../options.js';
import { writeOutput } from '../output.js';
import { type Progress, progressOnTerminal } from '../progress.js';
import { type ScanInput, type ScanLoadOptions, isExpected, loadScanInputs, messageFor, scanInputOf } from '../scan-load.js';
import { csvCell, formatTable } from '../table.js';
import { type ScanQueueOptions, scanOnQueue, workersReadFiles } from './scan-queue.js';

export const SCAN_FORMATS = ['table', 'json', 'csv'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

export interface ScanCommandOptions extends InputOptions, ExchangeOptions, ScanQueueOptions {
  format: ScanFormat;
  minSignal: number;
  top?: number;
  out?: string;
  closedOnly?: boolean;
  timings?: boolean;
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

type Loaded = Extract<ScanInput, { prices: Float64Array }>;

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
    : workersReadFiles(options, false) ? []
    : loadScanInputs(files, loadOptions, (done) => progress.update('read', done, files.length));
  const errors: ScanReport['errors'] = inputs.flatMap((input) => ('message' in input ? [input] : []));
  const loaded = inputs.filter((input): input is Loaded => 'prices' in input);
  const parsed = performance.now();
  const distributed = options.queue
    ? await scanOnQueue(workersReadFiles(options, feed !== undefined) ? files.map((file) => ({ file })) : inputs, { ...options, queue: options.queue }, config, progress)
    : undefined;
  const rows = distributed ? [] : await computeAll(engine, loaded, config, errors, progress);
  const computed = performance.now();
  progress.done();
  if (options.timings) {
    const bars = loaded.reduce((sum, l) => sum + l.prices.length, 0);
    console.error(`timings: ${feed ? 'fetch' : 'read'}+parse ${(parsed - started).toFixed(1)} ms, compute ${(computed - parsed).toFixed(1)} ms (${engine.backend}, ${loaded.length} series, ${bars} bars)`);
  }
  const report: ScanReport = distributed ?? { ...rank(rows, options.minSignal, options.top), errors };
  writeOutput(render(report, options.format, files.length, options.minSignal, feed ? 'symbol' : 'file'), options.out);
  if (options.format !== 'json') for (const e of errors) console.error(`adaptive-trend: ${e.file}: ${e.message}`);
  return errors.length > 0 ? 1 : 0;
}
