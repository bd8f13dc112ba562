// Streaming ATC (docs/streaming.md): a stream validates each close, applies the growth rule
// and tracks entry events; the per-bar arithmetic and its state live in the backend
// (`BackendStream`). Every method either completes or throws an AtcInputError leaving the
// stream exactly as it was.
import { type Backend, type BackendName, type BackendStream, type BackendStreamSet, STEP_NOT_FINITE } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { AtcInputError } from './errors.js';
import { FAMILIES, type Family, REFERENCE_FAMILY_NAMES } from './families.js';
import { growthOverflowBar } from './growth.js';
import { OUTPUT_ROWS } from './pipeline.js';
import type { ReferenceOutputName } from './result.js';
import { toPrices } from './series.js';
import { requireBackendSemantics } from './semantics.js';
import { SNAPSHOT_TRACKER_LENGTH, decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { advanceEntry, isOutputBar, newEntryTracker, outputBarsBefore } from './stream-entries.js';
import { streamLayout } from './stream-layout.js';

const TRACKER = SNAPSHOT_TRACKER_LENGTH;

/**
 * One bar of a stream: its 13 outputs (NaN on a reference bar before the cutout, which
 * `compute` slices off) and its entry event.
 *
 * @example
 * ```ts
 * const bar = stream.push(101.5);
 * if (bar.entry === 1) console.log('long', bar.averageSignal, bar.toRecord().EMA_Signal);
 * ```
 */
export class AtcBar {
  /** 0-based index of the bar in the stream. */
  readonly index: number;
  /** The close it was computed from. */
  readonly close: number;
  /** Whether the bar is a column of `compute`'s result (reference: bars from the cutout on). */
  readonly hasOutput: boolean;
  /**
   * The 13 outputs in `compute`'s row order: Layer-1 × 6, Layer-2 × 6, Average_Signal. A
   * 13-long view that may share its `ArrayBuffer` with other bars' values (copy it with
   * `slice()` before transferring its buffer).
   */
  readonly values: Float64Array;
  /** Entry event of the original indicator at this bar (+1 long, −1 short, 0; `result.entries()`). */
  readonly entry: -1 | 0 | 1;

  constructor(index: number, close: number, hasOutput: boolean, values: Float64Array, entry: -1 | 0 | 1) {
    this.index = index;
    this.close = close;
    this.hasOutput = hasOutput;
    this.values = values;
    this.entry = entry;
  }

  /** Average_Signal of the bar. */
  get averageSignal(): number {
    return this.values[12]!;
  }

  /** Layer-1 signal of a family. */
  signal(family: Family): number {
    return this.values[FAMILIES.indexOf(family)]!;
  }

  /** Layer-2 equity of a family. */
  equity(family: Family): number {
    return this.values[6 + FAMILIES.indexOf(family)]!;
  }

  /** The reference's 13 names → this bar's value. */
  toRecord(): Record<ReferenceOutputName, number> {
    const record = {} as Record<ReferenceOutputName, number>;
    FAMILIES.forEach((family, f) => {
      const name = REFERENCE_FAMILY_NAMES[family];
      record[`${name}_Signal` as ReferenceOutputName] = this.values[f]!;
      record[`${name}_S` as ReferenceOutputName] = this.values[6 + f]!;
    });
    record.Average_Signal = this.values[12]!;
    return record;
  }
}

/**
 * Bars appended by one `pushMany`: `values` is 13 rows × `length`, row-major (as `compute`).
 *
 * @example
 * ```ts
 * const caughtUp = stream.pushMany(history);
 * caughtUp.bar(caughtUp.length - 1).averageSignal; // the latest bar
 * ```
 */
export class AtcStreamBars {
  /** Index of the first appended bar. */
  readonly firstIndex: number;
  readonly length: number;
  readonly closes: Float64Array;
  readonly values: Float64Array;
  /** Entry event per appended bar. */
  readonly entries: Int8Array;
  readonly #config: ResolvedAtcConfig;

  constructor(firstIndex: number, closes: Float64Array, values: Float64Array, entries: Int8Array, config: ResolvedAtcConfig) {
    this.firstIndex = firstIndex;
    this.length = closes.length;
    this.closes = closes;
    this.values = values;
    this.entries = entries;
    this.#config = config;
  }

  /** Row `r` (0–12, `compute`'s order) of the appended bars. */
  row(r: number): Float64Array {
    return this.values.subarray(r * this.length, (r + 1) * this.length);
  }

  /** Average_Signal of the appended bars. */
  get averageSignal(): Float64Array {
    return this.row(12);
  }

  /** The `j`-th appended bar. */
  bar(j: number): AtcBar {
    if (!Number.isInteger(j) || j < 0 || j >= this.length) throw new AtcInputError('OUT_OF_RANGE', 'j', `must be an integer in [0, ${this.length}), got ${String(j)}`);
    const values = new Float64Array(OUTPUT_ROWS);
    for (let r = 0; r < OUTPUT_ROWS; r++) values[r] = this.values[r * this.length + j]!;
    const index = this.firstIndex + j;
    return new AtcBar(index, this.closes[j]!, isOutputBar(this.#config, index), values, this.entries[j] as -1 | 0 | 1);
  }
}

/**
 * 13-double arrays for bars, carved from larger blocks: a `new Float64Array(13)` (104 bytes,
 * above V8's on-heap typed-array size) allocates its own backing store, which measured about
 * half of core's per-push cost; a view of a shared block does not.
 */
class BarValues {
  #block = new Float64Array(0);
  #at = 0;

  next(): Float64Array {
    if (this.#at === this.#block.length) {
      this.#block = new Float64Array(OUTPUT_ROWS * 256);
      this.#at = 0;
    }
    const values = this.#block.subarray(this.#at, this.#at + OUTPUT_ROWS);
    this.#at += OUTPUT_ROWS;
    return values;
  }
}

/** A close for a stream: a finite number > 0. */
function toClose(field: string, close: unknown): number {
  if (typeof close !== 'number') throw new AtcInputError('INVALID_TYPE', field, `must be a number, got ${close === null ? 'null' : typeof close}`);
  if (close > 0 && close < Infinity) return close;
  if (!Number.isFinite(close)) throw new AtcInputError('NON_FINITE_VALUE', field, `value ${close}; closes must be finite`);
  throw new AtcInputError('NON_POSITIVE_PRICE', field, `value ${close}; closes must be > 0`);
}

/** The growth rule before a step: bar `index` must not reach the growth overflow. */
function requireGrowth(config: ResolvedAtcConfig, firstOverflow: number, index: number, field: string): void {
  if (index - config.cutout < firstOverflow) return;
  throw new AtcInputError(
    'GROWTH_OVERFLOW',
    'config.lambda',
    `${field}: the growth exp(lambda/1000 · i) overflows at bar ${config.cutout + firstOverflow} (lambda ${config.lambda} allows at most ${firstOverflow} bars after the cutout); ` +
      'use a smaller lambda or a cutout, or start a new stream',
    index,
  );
}

function notFinite(config: ResolvedAtcConfig, index: number): AtcInputError {
  return new AtcInputError(
    'GROWTH_OVERFLOW',
    'config.lambda',
    `a Layer-1 signal or the Layer-2 equities stop being finite at bar ${index}: returns scaled by the growth exp(lambda/1000 · i) compound beyond 1.8e308 ` +
      `(lambda ${config.lambda}); use a smaller lambda or a cutout`,
    index,
  );
}

/**
 * ATC one bar at a time (`engine.stream(config)`). Every bar equals, bit for bit, that bar of
 * `engine.compute` over the whole series; `replaceLast` re-computes the still-forming candle;
 * `snapshot()` / `engine.restoreStream(bytes)` move a stream between processes and backends.
 * Memory is O(longest MA length), not O(history).
 *
 * @example
 * ```ts
 * const stream = engine.stream({ robustness: 'Wide' });
 * stream.pushMany(history);               // catch up in one call
 * let bar = stream.push(candle.close);    // a new candle opened
 * bar = stream.replaceLast(tick.price);   // it is still forming
 * fs.writeFileSync('atc.state', stream.snapshot());
 * ```
 */
export class AtcStream {
  /** The config every bar is computed with. */
  readonly config: ResolvedAtcConfig;
  /** The backend that computes it. */
  readonly backend: BackendName;
  #impl: BackendStream | undefined;
  readonly #firstOverflow: number;
  /** Entry tracker after the last bar, and before it (what `replaceLast` starts from). */
  #tracker: Float64Array;
  #base: Float64Array;
  /** Bars seen, kept here: reading the backend's `length` is a native call per step. */
  #length: number;
  readonly #values = new BarValues();

  /** @internal Use `engine.stream()` / `engine.restoreStream()`. */
  constructor(impl: BackendStream, config: ResolvedAtcConfig, backend: BackendName, base: Float64Array = newEntryTracker()) {
    this.#impl = impl;
    this.#length = impl.length;
    this.config = config;
    this.backend = backend;
    this.#firstOverflow = growthOverflowBar(config.lambda);
    this.#base = base;
    this.#tracker = base.slice();
  }

  #live(): BackendStream {
    if (this.#impl === undefined) throw new AtcInputError('DISPOSED_STREAM', 'stream', 'was disposed; create or restore another stream');
    return this.#impl;
  }

  /** Bars seen. */
  get length(): number {
    this.#live();
    return this.#length;
  }

  /** Appends a bar (a new candle). */
  push(close: number): AtcBar {
    const impl = this.#live();
    const c = toClose('close', close);
    const index = this.#length;
    requireGrowth(this.config, this.#firstOverflow, index, 'close');
    const values = this.#values.next(); // the bar's own array: the backend writes into it
    if (impl.push(c, values) === STEP_NOT_FINITE) throw notFinite(this.config, index);
    this.#length = index + 1;
    this.#base.set(this.#tracker);
    return this.#bar(index, c, values);
  }

  /** Replaces the last bar (the still-forming candle); any number of times. */
  replaceLast(close: number): AtcBar {
    const impl = this.#live();
    const c = toClose('close', close);
    const index = this.#length - 1;
    if (index < 0) throw new AtcInputError('EMPTY_STREAM', 'stream', 'has no bar to replace yet: push() the first one');
    const values = this.#values.next();
    if (impl.replaceLast(c, values) === STEP_NOT_FINITE) throw notFinite(this.config, index);
    this.#tracker.set(this.#base);
    return this.#bar(index, c, values);
  }

  #bar(index: number, close: number, values: Float64Array): AtcBar {
    const output = isOutputBar(this.config, index);
    const entry = output ? advanceEntry(this.#tracker, 0, values[12]!, this.config) : 0;
    return new AtcBar(index, close, output, values, entry);
  }

  /** Appends many bars in one call (catching up on history): as fast as `compute` on them. */
  pushMany(closes: ArrayLike<number> | Float64Array): AtcStreamBars {
    const impl = this.#live();
    const first = this.#length;
    const k = (closes as ArrayLike<number>)?.length;
    const prices = k === 0 && (Array.isArray(closes) || ArrayBuffer.isView(closes)) ? new Float64Array(0) : toPrices('closes', closes);
    if (prices.length > 0) requireGrowth(this.config, this.#firstOverflow, first + prices.length - 1, 'closes');
    const values = new Float64Array(OUTPUT_ROWS * prices.length);
    const bad = prices.length > 0 ? impl.pushMany(prices, values) : -1;
    if (bad >= 0) throw notFinite(this.config, first + bad);
    this.#length = first + prices.length;
    const entries = new Int8Array(prices.length);
    for (let j = 0; j < prices.length; j++) {
      if (j === prices.length - 1) this.#base.set(this.#tracker);
      if (isOutputBar(this.config, first + j)) entries[j] = advanceEntry(this.#tracker, 0, values[12 * prices.length + j]!, this.config);
    }
    return new AtcStreamBars(first, prices.slice(), values, entries, this.config);
  }

  /**
   * The stream's exact state (every double's bits), versioned and tagged with its config and
   * semantics; `engine.restoreStream(bytes)` on any backend continues it.
   */
  snapshot(): Uint8Array {
    const impl = this.#live();
    return encodeSnapshot({ config: this.config, bars: this.#length, state: impl.exportState(), tracker: this.#base });
  }

  /** Frees the backend's memory now; the stream cannot be used afterwards. */
  dispose(): void {
    this.#impl?.dispose?.();
    this.#impl = undefined;
  }

  /** `using stream = engine.stream()` disposes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal Replays the last bar of a restored stream to bring core's tracker up to date. */
  static restored(impl: BackendStream, config: ResolvedAtcConfig, backend: BackendName, base: Float64Array, lastClose: number): AtcStream {
    const stream = new AtcStream(impl, config, backend, base);
    if (impl.length > 0) {
      const index = impl.length - 1;
      const values = new Float64Array(OUTPUT_ROWS);
      if (impl.replaceLast(lastClose, values) === STEP_NOT_FINITE) throw notFinite(config, index);
      if (isOutputBar(config, index)) advanceEntry(stream.#tracker, 0, values[12]!, config);
    }
    return stream;
  }
}

/**
 * One bar of every stream of an {@link AtcStreamSet}: `values` is 13 rows × `count`.
 *
 * @example
 * ```ts
 * const step = streams.push(latestCloses);
 * step.averageSignal;          // Float64Array, one value per symbol
 * step.bar(7).toRecord();      // symbol 7's 13 outputs
 * ```
 */
export class AtcStreamSetBar {
  /** Bar index (the same in every stream). */
  readonly index: number;
  readonly hasOutput: boolean;
  readonly closes: Float64Array;
  readonly values: Float64Array;
  /** Entry event per stream. */
  readonly entries: Int8Array;

  constructor(index: number, hasOutput: boolean, closes: Float64Array, values: Float64Array, entries: Int8Array) {
    this.index = index;
    this.hasOutput = hasOutput;
    this.closes = closes;
    this.values = values;
    this.entries = entries;
  }

  /** Row `r` (0–12, `compute`'s order), one value per stream. */
  row(r: number): Float64Array {
    const count = this.closes.length;
    return this.values.subarray(r * count, (r + 1) * count);
  }

  /** Average_Signal per stream. */
  get averageSignal(): Float64Array {
    return this.row(12);
  }

  /** Stream `s`'s bar. */
  bar(s: number): AtcBar {
    const count = this.closes.length;
    if (!Number.isInteger(s) || s < 0 || s >= count) throw new AtcInputError('OUT_OF_RANGE', 's', `must be an integer in [0, ${count}), got ${String(s)}`);
    const values = new Float64Array(OUTPUT_ROWS);
    for (let r = 0; r < OUTPUT_ROWS; r++) values[r] = this.values[r * count + s]!;
    return new AtcBar(this.index, this.closes[s]!, this.hasOutput, values, this.entries[s] as -1 | 0 | 1);
  }
}

/**
 * `count` streams of one config advanced together, one call per bar for all of them (a live
 * scanner: one close per symbol per candle), without one JS ↔ native call per symbol.
 *
 * @example
 * ```ts
 * const streams = engine.streams(symbols.length);
 * const step = streams.push(closesNow);            // Float64Array, one close per symbol
 * const longs = symbols.filter((_, s) => step.averageSignal[s]! > 0.5);
 * ```
 */
export class AtcStreamSet {
  readonly config: ResolvedAtcConfig;
  readonly backend: BackendName;
  readonly count: number;
  #impl: BackendStreamSet | undefined;
  readonly #firstOverflow: number;
  #tracker: Float64Array;
  readonly #base: Float64Array;
  #length = 0;

  /** @internal Use `engine.streams()`. */
  constructor(impl: BackendStreamSet, config: ResolvedAtcConfig, backend: BackendName) {
    this.#impl = impl;
    this.config = config;
    this.backend = backend;
    this.count = impl.count;
    this.#firstOverflow = growthOverflowBar(config.lambda);
    this.#tracker = new Float64Array(TRACKER * impl.count);
    for (let s = 0; s < impl.count; s++) this.#tracker.set(newEntryTracker(), TRACKER * s);
    this.#base = this.#tracker.slice();
  }

  #live(): BackendStreamSet {
    if (this.#impl === undefined) throw new AtcInputError('DISPOSED_STREAM', 'streams', 'were disposed');
    return this.#impl;
  }

  /** Bars seen by every stream. */
  get length(): number {
    this.#live();
    return this.#length;
  }

  #closes(closes: unknown): Float64Array {
    const prices = toPrices('closes', closes);
    if (prices.length !== this.count) {
      throw new AtcInputError('LENGTH_MISMATCH', 'closes', `has ${prices.length} values but the set has ${this.count} streams (one close per stream)`);
    }
    return prices;
  }

  /** One new bar for every stream. */
  push(closes: ArrayLike<number> | Float64Array): AtcStreamSetBar {
    const impl = this.#live();
    const prices = this.#closes(closes);
    const index = this.#length;
    requireGrowth(this.config, this.#firstOverflow, index, 'closes');
    const values = new Float64Array(OUTPUT_ROWS * this.count);
    const bad = impl.push(prices, values);
    if (bad >= 0) throw notFinite(this.config, index);
    this.#length = index + 1;
    this.#base.set(this.#tracker);
    return this.#step(index, prices, values);
  }

  /** The last bar of every stream again (still-forming candles). */
  replaceLast(closes: ArrayLike<number> | Float64Array): AtcStreamSetBar {
    const impl = this.#live();
    const prices = this.#closes(closes);
    const index = this.#length - 1;
    if (index < 0) throw new AtcInputError('EMPTY_STREAM', 'streams', 'have no bar to replace yet: push() the first one');
    const values = new Float64Array(OUTPUT_ROWS * this.count);
    if (impl.replaceLast(prices, values) >= 0) throw notFinite(this.config, index);
    this.#tracker.set(this.#base);
    return this.#step(index, prices, values);
  }

  #step(index: number, prices: Float64Array, values: Float64Array): AtcStreamSetBar {
    const output = isOutputBar(this.config, index);
    const entries = new Int8Array(this.count);
    if (output) {
      const avg = 12 * this.count;
      for (let s = 0; s < this.count; s++) entries[s] = advanceEntry(this.#tracker, TRACKER * s, values[avg + s]!, this.config);
    }
    return new AtcStreamSetBar(index, output, prices.slice(), values, entries);
  }

  /** Stream `s`'s snapshot, restorable as a single stream (`engine.restoreStream`). */
  snapshot(s: number): Uint8Array {
    const impl = this.#live();
    if (!Number.isInteger(s) || s < 0 || s >= this.count) throw new AtcInputError('OUT_OF_RANGE', 's', `must be an integer in [0, ${this.count}), got ${String(s)}`);
    return encodeSnapshot({
      config: this.config,
      bars: this.#length,
      state: impl.exportState(s),
      tracker: this.#base.subarray(TRACKER * s, TRACKER * (s + 1)),
    });
  }

  /** Frees the backend's memory now. */
  dispose(): void {
    this.#impl?.dispose?.();
    this.#impl = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Refuses a backend without streaming. */
function requireStreaming(backend: Backend): Required<Pick<Backend, 'createStream' | 'createStreamSet'>> {
  if (typeof backend.createStream !== 'function' || typeof backend.createStreamSet !== 'function') {
    throw new AtcInputError('UNSUPPORTED_STREAMING', 'backend', `backend '${backend.name}' has no streaming (Backend.createStream); the shipped backends (native, wasm, js) all stream`);
  }
  return backend as Required<Pick<Backend, 'createStream' | 'createStreamSet'>>;
}

/** @internal `engine.stream()`. */
export function openStream(backend: Backend, config: ResolvedAtcConfig): AtcStream {
  requireBackendSemantics(backend, config.semantics);
  return new AtcStream(requireStreaming(backend).createStream(config), config, backend.name);
}

/** @internal `engine.streams()`. */
export function openStreamSet(backend: Backend, count: unknown, config: ResolvedAtcConfig): AtcStreamSet {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_STREAMS) {
    throw new AtcInputError('INVALID_OPTION', 'count', `must be an integer in [1, ${MAX_STREAMS}], got ${String(count)}`);
  }
  requireBackendSemantics(backend, config.semantics);
  return new AtcStreamSet(requireStreaming(backend).createStreamSet(count, config), config, backend.name);
}

/** Largest stream set (its outputs are 13 × count doubles per bar). */
export const MAX_STREAMS = 10_000_000;

/**
 * @internal `engine.restoreStream()`: checks the snapshot (and, when given, that it was taken
 * with `expected`) and the consistency of core's tracker before the backend sees it.
 */
export function restoreStream(backend: Backend, bytes: unknown, expected?: ResolvedAtcConfig): AtcStream {
  const { config, bars, state, tracker } = decodeSnapshot(bytes, expected);
  requireBackendSemantics(backend, config.semantics);
  const creator = requireStreaming(backend);
  const refuse = (why: string): never => {
    throw new AtcInputError('INVALID_SNAPSHOT', 'snapshot', why);
  };
  const lastClose = state[streamLayout(config).lastClose]!;
  if (bars > 0 && !(lastClose > 0 && lastClose < Infinity)) refuse(`holds an invalid last close ${lastClose}`);
  if (bars === 0 && !Number.isNaN(lastClose)) refuse('holds a last close for an empty stream');
  if (bars > 0 && bars - 1 - config.cutout >= growthOverflowBar(config.lambda)) refuse(`holds ${bars} bars, beyond the growth overflow of its lambda`);
  const seen = outputBarsBefore(config, Math.max(0, bars - 1));
  const direction = tracker[1]!;
  if (tracker[0] !== seen || !(direction === -1 || direction === 0 || direction === 1)) refuse('holds an inconsistent entry tracker');
  const impl = creator.createStream(config, { bars, state });
  return AtcStream.restored(impl, config, backend.name, tracker, lastClose);
}
