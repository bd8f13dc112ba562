// The streams `watch` advances: each with what decides between a new candle and a forming
// one, restored from and saved to `--state`.
import { type AtcBar, type AtcEngine, AtcInputError, type AtcStream, DEFAULT_CONFIG } from '@adaptive-trend/core';
import { CliError } from './errors.js';
import { type InputOptions, configFromOptions } from './options.js';
import type { Tick } from './watch-input.js';
import { type SavedStream, type WatchState, decodeSnapshot, encodeSnapshot, readWatchState, writeWatchState } from './watch-state.js';

/** What the streams need of the command's options. */
export interface StreamOptions extends InputOptions {
  state?: string;
}

/** One watched series: its stream and what decides between a new candle and a forming one. */
export class WatchedSeries {
  readonly symbol: string | undefined;
  readonly stream: AtcStream;
  lastTime: number | undefined;
  lastTimestamp: string | undefined;
  lastClose: number | undefined;

  constructor(symbol: string | undefined, stream: AtcStream, saved?: SavedStream) {
    this.symbol = symbol;
    this.stream = stream;
    this.lastTime = saved?.lastTime ?? undefined;
    this.lastTimestamp = saved?.lastTimestamp ?? undefined;
    this.lastClose = saved?.lastClose ?? undefined;
  }

  /**
   * A tick into the stream: a candle time after the last bar's (or no time at all) is a new
   * bar (`push`), the last bar's time again a new close for the forming candle
   * (`replaceLast`; nothing when the close is unchanged); an earlier time is refused.
   */
  apply(tick: Tick, file: string): { bar: AtcBar; replaced: boolean } | undefined {
    const replaced = tick.time !== undefined && tick.time === this.lastTime && this.stream.length > 0;
    if (tick.time !== undefined && this.lastTime !== undefined && tick.time < this.lastTime) {
      throw new AtcInputError('INVALID_TYPE', file, `${tick.line ? `line ${tick.line}: ` : ''}timestamp "${tick.timestamp}" is before the last bar's "${this.lastTimestamp}"`);
    }
    if (replaced && Object.is(tick.close, this.lastClose)) return undefined;
    let bar: AtcBar;
    try {
      bar = replaced ? this.stream.replaceLast(tick.close) : this.stream.push(tick.close);
    } catch (error) {
      // core names the argument (`close: value 0; …`): name the input line instead
      if (error instanceof AtcInputError && error.field === 'close') {
        throw new AtcInputError(error.code, file, `${tick.line ? `line ${tick.line}: ` : ''}${error.message.replace(/^close: /, '')}`, error.index);
      }
      throw error;
    }
    this.lastTime = tick.time;
    this.lastTimestamp = tick.timestamp;
    this.lastClose = tick.close;
    return { bar, replaced };
  }

  saved(): SavedStream {
    return {
      symbol: this.symbol ?? null,
      lastTime: this.lastTime ?? null,
      lastTimestamp: this.lastTimestamp ?? null,
      lastClose: this.lastClose ?? null,
      snapshot: encodeSnapshot(this.stream.snapshot()),
    };
  }
}

/** Whether a config flag or `--config` was given (then a restored state must have that config). */
function configGiven(options: StreamOptions): boolean {
  return options.config !== undefined || Object.keys(DEFAULT_CONFIG).some((key) => options[key] !== undefined);
}

/** The streams of a run: restored from `--state` when it holds them, else new. */
export class Streams {
  readonly #engine: AtcEngine;
  readonly #options: StreamOptions;
  readonly #state: WatchState | undefined;
  readonly #input: string;
  readonly series: WatchedSeries[] = [];

  constructor(engine: AtcEngine, options: StreamOptions, input: string) {
    this.#engine = engine;
    this.#options = options;
    this.#input = input;
    this.#state = options.state ? readWatchState(options.state) : undefined;
    if (this.#state && (this.#state.input !== input || this.#state.source !== options.source)) {
      throw new CliError(
        `${options.state}: saved from ${this.#state.input} (--source ${this.#state.source}), not ${input} (--source ${options.source}); use another --state file or delete it`,
      );
    }
  }

  /** The series of `symbol`, and whether it continues a saved stream. */
  open(symbol: string | undefined): { series: WatchedSeries; restored: boolean } {
    const saved = this.#state?.streams.find((s) => s.symbol === (symbol ?? null));
    const config = configFromOptions(this.#options);
    const stream = saved ? this.#restore(saved, config) : this.#engine.stream(config);
    const series = new WatchedSeries(symbol, stream, saved);
    this.series.push(series);
    return { series, restored: saved !== undefined };
  }

  #restore(saved: SavedStream, config: ReturnType<typeof configFromOptions>): AtcStream {
    try {
      return this.#engine.restoreStream(decodeSnapshot(saved.snapshot), configGiven(this.#options) ? { config } : {});
    } catch (error) {
      if (!(error instanceof AtcInputError) || error.field !== 'snapshot') throw error;
      const what = `${this.#options.state}${saved.symbol === null ? '' : ` (${saved.symbol})`}`;
      const hint = error.code === 'SNAPSHOT_CONFIG_MISMATCH' ? 'give the config it was saved with (or no config flags), or another --state file' : 'delete it for a cold start';
      throw new CliError(`${what}: the saved stream ${error.message.replace(/^snapshot: /, '')}; ${hint}`);
    }
  }

  /** Writes every open stream to `--state` (streams of the file not watched this time are kept). */
  save(): void {
    if (!this.#options.state) return;
    const watched = this.series.map((s) => s.saved());
    const kept = (this.#state?.streams ?? []).filter((old) => !watched.some((s) => s.symbol === old.symbol));
    writeWatchState(this.#options.state, { format: 'adaptive-trend-watch-state', version: 1, input: this.#input, source: this.#options.source, streams: [...kept, ...watched] });
  }
}
