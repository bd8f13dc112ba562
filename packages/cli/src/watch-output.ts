// What `watch` prints per bar: one JSON object per line for a bot, or an aligned line for a
// person, with a line of its own for every entry event.
import { type AtcBar, REFERENCE_OUTPUT_NAMES } from '@adaptive-trend/core';

export const WATCH_FORMATS = ['table', 'ndjson'] as const;
export type WatchFormat = (typeof WATCH_FORMATS)[number];

/** A bar to print, with where it came from. */
export interface WatchedBar {
  bar: AtcBar;
  symbol?: string;
  timestamp?: string;
  time?: number;
  /** The bar re-computes an already printed, still-forming candle (`replaceLast`). */
  replaced: boolean;
}

/**
 * The ndjson object of a bar: `timestamp` and `time` (ms) when the input has them, `symbol`
 * for an exchange, `bar` (0-based index in the stream, as in the input), `close` (of
 * `--source`), the 13 outputs by reference name (JSON null for NaN), `entry` (+1/−1/0).
 */
export function barObject({ bar, symbol, timestamp, time }: WatchedBar): Record<string, unknown> {
  const record = bar.toRecord();
  return {
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(symbol !== undefined ? { symbol } : {}),
    bar: bar.index,
    close: bar.close,
    ...Object.fromEntries(REFERENCE_OUTPUT_NAMES.map((name) => [name, record[name]])),
    entry: bar.entry,
  };
}

const trendOf = (v: number) => (v > 0 ? 'LONG' : v < 0 ? 'SHORT' : 'NEUTRAL');

/** Prints bars as they come; bars without output (reference bars before the cutout) are skipped. */
export class BarPrinter {
  readonly #format: WatchFormat;
  readonly #write: (line: string) => void;
  readonly #withSymbols: boolean;
  #headed = false;

  /** `withSymbols`: a symbol column in the table (an exchange's several series). */
  constructor(format: WatchFormat, write: (line: string) => void, withSymbols: boolean) {
    this.#format = format;
    this.#write = write;
    this.#withSymbols = withSymbols;
  }

  print(watched: WatchedBar): void {
    const { bar } = watched;
    if (!bar.hasOutput) return;
    if (this.#format === 'ndjson') {
      this.#write(JSON.stringify(barObject(watched)));
      return;
    }
    if (!this.#headed) {
      this.#write(this.#line('time', 'symbol', 'bar', 'close', 'Average_Signal', 'trend'));
      this.#headed = true;
    }
    const avg = bar.averageSignal;
    const time = watched.timestamp ?? '-';
    const close = String(Number(bar.close.toPrecision(8)));
    this.#write(
      this.#line(time, watched.symbol ?? '', String(bar.index), close, Number.isNaN(avg) ? 'na' : avg.toFixed(4), `${trendOf(avg)}${watched.replaced ? ' (forming)' : ''}`),
    );
    if (bar.entry !== 0) {
      const side = bar.entry > 0 ? '▲ LONG' : '▼ SHORT';
      this.#write(`${side} entry: ${watched.symbol ?? 'series'} bar ${bar.index}${watched.timestamp ? ` (${watched.timestamp})` : ''}, close ${close}, Average_Signal ${avg.toFixed(4)}`);
    }
  }

  #line(time: string, symbol: string, bar: string, close: string, avg: string, trend: string): string {
    return `${time.padEnd(24)} ${this.#withSymbols ? `${symbol.padEnd(12)} ` : ''}${bar.padStart(7)} ${close.padStart(14)} ${avg.padStart(14)}  ${trend}`.trimEnd();
  }
}
