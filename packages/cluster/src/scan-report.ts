// The scan's rows and ranking, shared by the CLI's local scan and the distributed one so both
// print the same report (the one home of `ScanRow`, `rowOf`, `rank` and `barsSinceFlip`; this
// entry point loads no bullmq, so the CLI imports it from `@adaptive-trend/cluster/scan-report`).
import { basename, extname } from 'node:path';
import type { AtcResult } from '@adaptive-trend/core';

/** One symbol's line in the LONG or SHORT table. */
export interface ScanRow {
  /** File name without its extension (or the exchange symbol). */
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

/** One series ready to compute: the CLI's loaded `ScanInput`. */
export interface LoadedSeries {
  file: string;
  prices: Float64Array;
  lastClose: number;
  symbol?: string;
}

/** Bars since the sign of Average_Signal last changed (see {@link ScanRow.barsSinceFlip}). */
export function barsSinceFlip(trend: Int8Array): number {
  const last = trend.length - 1;
  let start = last;
  while (start > 0 && trend[start - 1] === trend[last]) start--;
  return last - start;
}

/**
 * The scan row of one computed series.
 *
 * @example
 * ```ts
 * const row = rowOf({ file: 'data/ETH.csv', prices, lastClose: prices.at(-1)! }, engine.compute(prices));
 * ```
 */
export function rowOf({ file, prices, lastClose, symbol }: LoadedSeries, result: AtcResult): ScanRow {
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

/** Ranks rows into the LONG (signal > min, strongest first) and SHORT (< −min) tables. */
export function rank(rows: readonly ScanRow[], minSignal: number, top?: number): Pick<ScanReport, 'long' | 'short'> {
  const bySymbol = (a: ScanRow, b: ScanRow) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
  const long = rows.filter((r) => r.signal > minSignal).sort((a, b) => b.signal - a.signal || bySymbol(a, b));
  const short = rows.filter((r) => r.signal < -minSignal).sort((a, b) => a.signal - b.signal || bySymbol(a, b));
  return { long: long.slice(0, top), short: short.slice(0, top) };
}
