// `watch` reads its input a line at a time, as it arrives, with the same parsing as
// `compute` (each row goes through parseCandles with the header in front of it).
import { AtcInputError } from '@adaptive-trend/core';
import { type Candles, type PriceSource, isHeaderLine, parseCandles, priceSource } from './candles.js';
import type { Ohlcv } from './exchange.js';
import { candlesFromOhlcv } from './exchange.js';

/** One price update for a stream: a close (of `--source`) and, when known, its candle's time. */
export interface Tick {
  close: number;
  /** Candle open time, Unix ms. */
  time?: number;
  /** The time as the input wrote it. */
  timestamp?: string;
  /** Input line (1-based), for messages. */
  line?: number;
}

function tickOf(candles: Candles, source: PriceSource, line?: number): Tick {
  return { close: priceSource(candles, source)[0]!, time: candles.times?.[0], timestamp: candles.timestamps?.[0], line };
}

/**
 * Rows of a CSV (or one number per line) turned into ticks one line at a time: blank lines
 * skipped, a first line that is a header remembered and put in front of every later row, so
 * each row is read exactly as `compute` reads it (delimiters, decimal commas, quotes within
 * the line, `--source`), and errors name the real line.
 *
 * @example
 * ```ts
 * const rows = new RowReader('standard input', 'close');
 * rows.read('timestamp,close', 1); // undefined (the header)
 * rows.read('1700000000,101.5', 2); // { close: 101.5, time: 1700000000000, … }
 * ```
 */
export class RowReader {
  readonly #file: string;
  readonly #source: PriceSource;
  #header: string | undefined;
  #first = true;

  constructor(file: string, source: PriceSource) {
    this.#file = file;
    this.#source = source;
  }

  /** The tick of input line number `line`, or `undefined` for a blank line or the header. */
  read(text: string, line: number): Tick | undefined {
    if (text.trim() === '' || text === '\ufeff') return undefined;
    if (this.#first) {
      this.#first = false;
      if (isHeaderLine(text)) {
        this.#header = text;
        return undefined;
      }
    }
    if (this.#header !== undefined) return tickOf(parseCandles(`${this.#header}\n${text}\n`, this.#file, 'auto', line - 2), this.#source, line);
    // Without a header a later non-numeric row would parse as a header of its own.
    if (isHeaderLine(text)) throw new AtcInputError('NON_FINITE_VALUE', this.#file, `line ${line}: "${text.trim()}" is not a number`);
    return tickOf(parseCandles(`${text}\n`, this.#file, 'auto', line - 1), this.#source, line);
  }
}

/** An exchange candle as a tick of `--source` (`hl2`, `ohlc4`… as for a CSV's columns). */
export function tickOfCandle(candle: Ohlcv, source: PriceSource): Tick {
  return tickOf(candlesFromOhlcv([candle], 'exchange'), source);
}
