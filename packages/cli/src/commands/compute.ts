import { type AtcResult, type CreateAtcOptions, REFERENCE_OUTPUT_NAMES, firstInputBar } from '@adaptive-trend/core';
import { type Candles, priceSource } from '../candles.js';
import { engineFor } from '../engine.js';
import { CliError } from '../errors.js';
import { type ExchangeOptions, candlesFromOhlcv, openExchange } from '../exchange.js';
import { dropFormingCandle, inFileTerms, readCandles } from '../input.js';
import { type InputOptions, configFromOptions } from '../options.js';
import { writeOutput } from '../output.js';
import { csvCell, formatTable } from '../table.js';

export const COMPUTE_FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type ComputeFormat = (typeof COMPUTE_FORMATS)[number];

export interface ComputeCommandOptions extends InputOptions, ExchangeOptions {
  format: ComputeFormat;
  out?: string;
  entries?: boolean;
  closedOnly?: boolean;
}

/** One output bar: its input timestamp, the 13 outputs by reference name, the entry event. */
interface Bar {
  timestamp: string;
  time: number | null;
  values: number[];
  entry: number;
}

function barsOf(result: AtcResult, candles: Candles): Bar[] {
  const record = result.toRecord();
  const columns = REFERENCE_OUTPUT_NAMES.map((name) => record[name]);
  const entries = result.entries();
  // Output bar i is input bar i + first (the reference drops the cutout, Pine keeps every bar).
  const first = firstInputBar(result.config);
  return Array.from({ length: result.length }, (_, i) => ({
    timestamp: candles.timestamps?.[i + first] ?? String(i + first),
    time: candles.times ? candles.times[i + first]! : null,
    values: columns.map((column) => column[i]!),
    entry: entries[i]!,
  }));
}

// String(-0) is '0': keep the sign so the csv round-trips every bit; NaN (Pine's na) is empty.
const csvNumber = (v: number) => (Number.isNaN(v) ? '' : Object.is(v, -0) ? '-0' : String(v));

function render(bars: Bar[], format: ComputeFormat, withEntries: boolean, meta: object): string {
  const names = [...REFERENCE_OUTPUT_NAMES];
  const asObject = (bar: Bar) => ({
    timestamp: bar.timestamp,
    time: bar.time,
    ...Object.fromEntries(names.map((name, k) => [name, bar.values[k]])),
    entry: bar.entry,
  });
  switch (format) {
    case 'csv': {
      const header = ['timestamp', ...names, ...(withEntries ? ['entry'] : [])].join(',');
      const rows = bars.map((b) => [csvCell(b.timestamp), ...b.values.map(csvNumber), ...(withEntries ? [String(b.entry)] : [])].join(','));
      return [header, ...rows].join('\n');
    }
    case 'ndjson':
      // JSON has no NaN: bars before Pine's warm-up print null.
      return bars.map((b) => JSON.stringify(asObject(b))).join('\n');
    case 'json':
      return JSON.stringify({ ...meta, outputs: names, bars: bars.map(asObject) });
    case 'table': {
      const digits = (name: string) => (name.endsWith('_Signal') && name !== 'Average_Signal' ? 2 : 4);
      const fixed = (v: number, d: number) => (Number.isNaN(v) ? '' : v.toFixed(d));
      const rows = bars.map((b) => [b.timestamp, ...b.values.map((v, k) => fixed(v, digits(names[k]!))), ...(withEntries ? [String(b.entry)] : [])]);
      return formatTable(['timestamp', ...names, ...(withEntries ? ['entry'] : [])], rows);
    }
  }
}

/** The candles `compute` runs on: a file's, or `--exchange`'s one symbol's. */
async function inputCandles(file: string | undefined, options: ComputeCommandOptions): Promise<Candles> {
  if (!options.exchange) {
    if (file === undefined) throw new CliError('compute needs a file (- = standard input) or --exchange NAME --symbols A', 2);
    return readCandles(file);
  }
  const feed = await openExchange(options, file === undefined ? [] : [file], true);
  try {
    const symbol = options.symbols!.trim();
    return candlesFromOhlcv(await feed.candles(symbol, options.limit), `${feed.name} ${symbol}`);
  } finally {
    await feed.close();
  }
}

/**
 * `adaptive-trend compute <file|->` or `compute --exchange NAME --symbols A`: every bar's 13
 * outputs with the input's timestamps. Returns the exit code.
 */
export async function computeCommand(file: string | undefined, options: ComputeCommandOptions, defaults: CreateAtcOptions): Promise<number> {
  let candles = await inputCandles(file, options);
  if (options.closedOnly) candles = dropFormingCandle(candles);
  const prices = priceSource(candles, options.source);
  const config = configFromOptions(options);
  const engine = await engineFor(options, defaults);
  let result: AtcResult;
  try {
    result = engine.compute(prices, config);
  } catch (error) {
    throw inFileTerms(error, candles);
  }
  const meta = { file: candles.file, source: options.source, backend: result.backend, inputBars: candles.bars, config: { ...result.config, lengths: undefined } };
  writeOutput(render(barsOf(result, candles), options.format, options.entries === true, meta), options.out);
  return 0;
}
