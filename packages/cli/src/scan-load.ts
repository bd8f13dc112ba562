import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AtcError, AtcInputError, type ResolvedAtcConfig, checkConfigAgainstSeries, toPrices } from '@adaptive-trend/core';
import { type Candles, type PriceSource, priceSource } from './candles.js';
import { CliError } from './errors.js';
import { dropFormingCandle, readCandles } from './input.js';

/** What scan needs of one file: its validated series and last close, or why it failed. */
export type ScanInput = { file: string; prices: Float64Array; lastClose: number } | { file: string; message: string };

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
export function loadScanInput(file: string, { source, closedOnly, config }: ScanLoadOptions): ScanInput {
  let candles: Candles | undefined;
  try {
    candles = readCandles(file);
    if (closedOnly) candles = dropFormingCandle(candles);
    const prices = toPrices(file, priceSource(candles, source));
    checkConfigAgainstSeries(config, prices.length, file);
    const closes = candles.columns.close ?? prices;
    return { file, prices, lastClose: closes[closes.length - 1]! };
  } catch (error) {
    if (!isExpected(error)) throw error;
    return { file, message: messageFor(file, error, candles) };
  }
}

/** Files per worker below which one thread reads everything (a worker costs ~30 ms to start). */
const FILES_PER_WORKER = 32;

/**
 * Every file through {@link loadScanInput}, in order. Many files are split over worker threads
 * (parsing, not computing, dominates a scan of many short series); few are read on this thread.
 */
export async function loadScanInputs(files: readonly string[], options: ScanLoadOptions, onProgress: (done: number) => void): Promise<ScanInput[]> {
  const workers = Math.min(availableParallelism(), 4, Math.floor(files.length / FILES_PER_WORKER));
  if (workers < 2) {
    return files.map((file, i) => {
      const input = loadScanInput(file, options);
      onProgress(i + 1);
      return input;
    });
  }
  const size = Math.ceil(files.length / workers);
  let done = 0;
  const chunks = Array.from({ length: workers }, (_, w) => files.slice(w * size, (w + 1) * size));
  const results = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<ScanInput[]>((resolve, reject) => {
          const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: { files: chunk, options } });
          worker.on('message', (message: { progress: number } | { inputs: ScanInput[] }) => {
            if ('progress' in message) onProgress((done += message.progress));
            else resolve(message.inputs);
          });
          worker.on('error', reject);
          worker.on('exit', (code) => code !== 0 && reject(new Error(`scan worker exited with code ${code}`)));
        }),
    ),
  );
  return results.flat();
}
