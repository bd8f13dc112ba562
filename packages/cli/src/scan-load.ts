import { AtcError, AtcInputError, type ResolvedAtcConfig, checkConfigAgainstSeries, toPrices } from '@adaptive-trend/core';
import { type Candles, type PriceSource, priceSource } from './candles.js';
import { CliError } from './errors.js';
import { dropFormingCandle, readCandles } from './input.js';

/** What scan needs of one file: its validated series and last close, or why it failed. */
export type ScanInput = { file: string; prices: Float64Array; lastClose: number; symbol?: string } | { file: string; message: string };

export interface ScanLoadOptions {
  source: PriceSource;
  closedOnly: boolean;
  config: ResolvedAtcConfig;
}

/** Expected errors (the user's data or arguments) as opposed to bugs. */
export function isExpected(error: unknown): boolean {
  return error instanceof AtcError || error instanceof CliError;
}

/** An error's message without the file name in front (the report names the file already). */
export function messageFor(file: string, error: unknown, candles?: Candles): string {
  let message = (error as Error).message;
  if (message.startsWith(`${file}: `)) message = message.slice(file.length + 2);
  if (message.startsWith(`cannot read ${file}: `)) message = `cannot read: ${message.slice(`cannot read ${file}: `.length)}`;
  // A bad price found by core names its bar: give the file line instead.
  if (candles && error instanceof AtcInputError && error.index !== undefined && !message.startsWith('line ')) {
    message = `line ${candles.lineOf(error.index)}: ${message}`;
  }
  return message;
}

/** Reads, parses and validates one file for scan (the checks `computeBatch` would make, per file). */
export function loadScanInput(file: string, options: ScanLoadOptions): ScanInput {
  let candles: Candles;
  try {
    candles = readCandles(file);
  } catch (error) {
    if (!isExpected(error)) throw error;
    return { file, message: messageFor(file, error) };
  }
  return scanInputOf(candles, options);
}

/** Validates one series' candles for scan (a file's, or an exchange symbol's): its prices or why it failed. */
export function scanInputOf(candles: Candles, { source, closedOnly, config }: ScanLoadOptions): ScanInput {
  const file = candles.file;
  try {
    const kept = closedOnly ? dropFormingCandle(candles) : candles;
    const prices = toPrices(file, priceSource(kept, source));
    checkConfigAgainstSeries(config, prices.length, file);
    const closes = kept.columns.close ?? prices;
    return { file, prices, lastClose: closes[closes.length - 1]! };
  } catch (error) {
    if (!isExpected(error)) throw error;
    return { file, message: messageFor(file, error, candles) };
  }
}

/**
 * Every file through {@link loadScanInput}, in order, on this thread. (Worker threads were
 * tried: with the plain-CSV fast path, 1,000 files × 1,500 bars read in the same time or slower
 * on two shared cores, so the simpler code stays.)
 */
export function loadScanInputs(files: readonly string[], options: ScanLoadOptions, onProgress: (done: number) => void): ScanInput[] {
  return files.map((file, i) => {
    const input = loadScanInput(file, options);
    onProgress(i + 1);
    return input;
  });
}
