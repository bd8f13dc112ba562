import { readFileSync } from 'node:fs';
import { AtcInputError } from '@adaptive-trend/core';
import { type Candles, parseCandles } from './candles.js';
import { describeReadError } from './errors.js';

/** The text of `path` (`-` = standard input); a read failure is a `CliError` naming the file. */
export function readInput(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw describeReadError(path === '-' ? 'standard input' : path, error);
  }
}

/** Candles of a file (`-` = standard input). */
export function readCandles(path: string): Candles {
  return parseCandles(readInput(path), path === '-' ? 'standard input' : path);
}

/**
 * The bar spacing of a series: the median of its last (up to) 20 timestamp steps, so one gap
 * (a weekend, an exchange outage) does not change it.
 */
export function timeframeMillis(times: Float64Array): number {
  const steps: number[] = [];
  for (let i = Math.max(1, times.length - 20); i < times.length; i++) steps.push(times[i]! - times[i - 1]!);
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

/**
 * `--closed-only`: drops the last candle when it is still forming, i.e. its open time plus one
 * timeframe is later than `now` (timestamps are candle open times, as exchanges give them).
 */
export function dropFormingCandle(candles: Candles, now = Date.now()): Candles {
  const { times, timestamps } = candles;
  if (!times || !timestamps) throw new AtcInputError('INVALID_TYPE', candles.file, '--closed-only needs a timestamp column');
  if (times.length < 2) throw new AtcInputError('SERIES_TOO_SHORT', candles.file, '--closed-only needs at least two bars to know the timeframe');
  const last = times.length - 1;
  if (times[last]! + timeframeMillis(times) <= now) return candles;
  const columns = Object.fromEntries(Object.entries(candles.columns).map(([name, values]) => [name, values.subarray(0, last)]));
  return { ...candles, bars: last, times: times.subarray(0, last), timestamps: timestamps.slice(0, last), columns };
}

/**
 * Core's error about one bar of `prices` (a zero or negative price) restated with the file and
 * its line, as the CSV parser's own errors are; any other error is returned unchanged.
 */
export function inFileTerms(error: unknown, candles: Candles): unknown {
  if (!(error instanceof AtcInputError) || error.index === undefined || error.field !== 'prices') return error;
  const message = error.message.slice(`${error.field}: `.length);
  return new AtcInputError(error.code, candles.file, `line ${candles.lineOf(error.index)}: ${message}`, error.index);
}
