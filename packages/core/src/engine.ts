import type { Backend, BackendName } from './backend.js';
import { type AtcConfigInput, type ResolvedAtcConfig, checkConfigAgainstSeries, decayMultiplier, requireDecay, resolveConfig, scaledLambda } from './config.js';
import { AtcInputError } from './errors.js';
import { MA_KINDS, type MaKind } from './families.js';
import { OUTPUT_ROWS, allocateBuffers, requireBatchFits, resultArray, runPipeline } from './pipeline.js';
import { AtcResult } from './result.js';
import { outputBars, requireBackendSemantics } from './semantics.js';
import { type BatchOptions, canDeferPriceScan, openWorkerPool, runBatch } from './batch.js';
import { seriesWithoutValueScan, validateSeries } from './batch-validation.js';
import type { WorkerPool } from './worker-pool.js';
import { type AtcStream, type AtcStreamSet, openStream, openStreamSet, restoreStream } from './stream.js';
import { type SeriesInput, outputBuffer, requireFinite, requireLength, requireSameLength, toFloat64, toPrices } from './series.js';

/** Options of {@link AtcEngine.compute}. */
export interface ComputeOptions {
  /** Also return the 54 MAs, their signals and equities (`result.details`). Default false. */
  details?: boolean;
  /**
   * Write the 13 output rows into this buffer (`13 × bars` values, bars = `n − cutout`, or `n`
   * with `semantics: 'pine'`) instead of a new
   * one, e.g. to reuse one buffer for every update of a live series and skip a ~100 kB
   * allocation per call. The returned result is a view of it: the next call with the same
   * buffer overwrites that result's values. Must not overlap `prices`.
   *
   * @example
   * ```ts
   * const outputs = new Float64Array(13 * closes.length);
   * const r1 = engine.compute(closes, config, { outputs }); // r1 views `outputs`
   * ```
   */
  outputs?: Float64Array;
}

/** Options of {@link AtcEngine.equityCurve}. */
export interface EquityOptions {
  /** Starting equity (> 0; below 0.25 acts as 0.25). Default 1. */
  startingEquity?: number;
  /** Decay in percent per bar, as `config.decay`. Default 0.03. */
  decay?: number;
  /** Bars before this index are NaN; the curve starts there. Default 0. */
  cutout?: number;
}

function toFlags(field: string, input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (Array.isArray(input)) {
    const out = new Uint8Array(input.length);
    input.forEach((v, i) => {
      if (typeof v !== 'boolean' && typeof v !== 'number') throw new AtcInputError('INVALID_TYPE', field, `element ${i} is not a boolean`, i);
      out[i] = v ? 1 : 0;
    });
    return out;
  }
  throw new AtcInputError('INVALID_TYPE', field, 'must be a Uint8Array or an array of booleans');
}

/**
 * ATC bound to one backend. Every method validates its input (same errors on every
 * backend), never mutates it, and is synchronous. Create one with `createAtc()`.
 *
 * @example
 * ```ts
 * import { createAtc } from '@adaptive-trend/core';
 * import '@adaptive-trend/backend-js';
 * const engine = await createAtc();
 * const result = engine.compute(closes, { robustness: 'Wide' });
 * console.log(engine.backend, result.averageSignal.at(-1));
 * ```
 */
export class AtcEngine {
  readonly #impl: Backend;
  /** computeBatch's worker pool (js, wasm), opened by the first call that needs it. */
  #pool: Promise<WorkerPool | undefined> | undefined;

  constructor(impl: Backend) {
    this.#impl = impl;
  }

  // Results core allocates for the backend's kernels to fill: the backend's own allocator when
  // it has one (they write every element, so its arrays need not be zeroed), else zeroed arrays.
  readonly #newF64 = (n: number): Float64Array => resultArray(this.#impl, 'f64', n);
  readonly #newI8 = (n: number): Int8Array => resultArray(this.#impl, 'i8', n);

  /** Name of the backend that runs every computation of this engine. */
  get backend(): BackendName {
    return this.#impl.name;
  }

  /** Validates and resolves a config (defaults filled in, nine lengths per family derived). */
  resolveConfig(config?: AtcConfigInput | ResolvedAtcConfig): ResolvedAtcConfig {
    return resolveConfig(config);
  }

  /**
   * Full ATC on one price series (close prices: finite, > 0), by the backend's fused pipeline.
   * @throws {@link AtcInputError} on bad prices or config, and `GROWTH_OVERFLOW` when the
   * growth `exp(lambda/1000 · i)` or an equity it scales would stop being finite (a smaller
   * lambda, fewer bars or a cutout fixes it; docs/input-contract.md).
   *
   * @example
   * ```ts
   * const result = engine.compute(closes, { robustness: 'Wide', lambda: 0.02 });
   * result.averageSignal.at(-1);
   * ```
   */
  compute(prices: SeriesInput, config?: AtcConfigInput | ResolvedAtcConfig, options: ComputeOptions = {}): AtcResult {
    const series = toPrices('prices', prices);
    const resolved = resolveConfig(config);
    checkConfigAgainstSeries(resolved, series.length);
    requireBackendSemantics(this.#impl, resolved.semantics);
    const bars = outputBars(resolved, series.length);
    if (options.details === true) requireBatchFits(this.#impl, series.length, true); // before allocating 3 × 54 rows
    const buffers = allocateBuffers(bars, options.details === true, outputBuffer('options.outputs', options.outputs, this.#newF64, Float64Array, OUTPUT_ROWS * bars, [series]), this.#impl);
    runPipeline(this.#impl, series, resolved, buffers);
    return new AtcResult(buffers, bars, resolved, this.#impl.name);
  }

  /**
   * ATC on many series (e.g. one per symbol) using every core: native backends split the work
   * over Rust threads, js and wasm over the engine's pool of worker_threads (Node; in a browser
   * the series are computed one after another on the calling thread). Each result equals
   * `compute()` on that series alone, bit for bit. Every series is validated first, on the
   * calling thread: one bad series rejects the whole batch, before anything is computed, with
   * an {@link AtcInputError} whose field names it (`series[i]`). The growth rule applies to
   * each series as in `compute` (`GROWTH_OVERFLOW`, found after computing; the message names
   * `series[i]`). A worker that fails otherwise rejects with an {@link AtcError} naming the
   * series; the pool replaces that worker and stays usable.
   *
   * On js and wasm the calling thread computes a share itself, alongside `threads − 1` pooled
   * workers, returning to its event loop at least every millisecond while the batch runs.
   * The pool is started by the first multi-threaded call on js or wasm and reused by the next
   * ones (each worker loads the backend once). Idle workers never keep the process alive;
   * {@link AtcEngine.close} terminates them. The series are copied to the workers (your arrays
   * are never transferred); the results of one chunk of series are views of one ArrayBuffer
   * of at most 8 MB (native too), so keeping one result keeps its chunk's buffer alive. To
   * hand a result to another thread, copy it (`result.averageSignal.slice()`): transferring its
   * `.buffer` would move the whole chunk (js, wasm), and native's chunks are external memory the
   * addon reuses for later batches, which Node copies instead of transferring.
   *
   * @example
   * ```ts
   * const results = await engine.computeBatch(closesPerSymbol, {}, { onProgress: (d, t) => console.log(d, t) });
   * await engine.close(); // optional: frees the worker threads now
   * ```
   */
  async computeBatch(series: readonly SeriesInput[], config?: AtcConfigInput | ResolvedAtcConfig, options: BatchOptions = {}): Promise<AtcResult[]> {
    if (!Array.isArray(series)) throw new AtcInputError('INVALID_TYPE', 'series', 'must be an array of price series');
    const resolved = resolveConfig(config);
    requireBackendSemantics(this.#impl, resolved.semantics);
    const threads = options.threads;
    const threadsValid = threads === undefined || (Number.isInteger(threads) && threads >= 1);
    const progressValid = options.onProgress === undefined || typeof options.onProgress === 'function';
    // Series errors come before option errors; the price scan is left to the backend's threads
    // only when nothing else can fail before they run (they check before computing anything).
    const unscanned = threadsValid && progressValid && canDeferPriceScan(this.#impl, options) ? seriesWithoutValueScan(series, resolved) : undefined;
    const prices = unscanned ?? validateSeries(series, resolved);
    if (!threadsValid) {
      throw new AtcInputError('INVALID_OPTION', 'options.threads', `must be a positive integer, got ${String(threads)}`);
    }
    if (!progressValid) {
      throw new AtcInputError('INVALID_OPTION', 'options.onProgress', 'must be a function');
    }
    const pool = () => (this.#pool ??= openWorkerPool(this.#impl));
    const outputs = await runBatch(this.#impl, prices, resolved, options, pool, unscanned !== undefined);
    return outputs.map((o, i) => new AtcResult(allocateBuffers(0, false, o), outputBars(resolved, prices[i]!.length), resolved, this.#impl.name));
  }

  /**
   * Terminates the worker threads of {@link AtcEngine.computeBatch} (js and wasm; nothing to do
   * on native) and waits until they are gone. The engine stays usable: a later `computeBatch`
   * starts a new pool. A batch still running when `close` is called rejects with an
   * {@link AtcError}. Calling it is optional (idle workers never keep a process alive) and
   * safe to repeat. `await using engine = await createAtc()` calls it at the end of the scope.
   *
   * @example
   * ```ts
   * const results = await engine.computeBatch(closesPerSymbol);
   * await engine.close();
   * ```
   */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await (await pool)?.close();
  }

  /** `await using engine = …` closes its worker pool at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * A stream: ATC one bar at a time, every bar equal bit for bit to that bar of `compute`
   * over the whole series (docs/streaming.md).
   * @throws {@link AtcInputError} on a bad config, `UNSUPPORTED_STREAMING` on a backend without streams.
   *
   * @example
   * ```ts
   * const stream = engine.stream();
   * stream.pushMany(history);
   * const bar = stream.push(102.4);
   * bar.averageSignal; bar.entry; bar.toRecord();
   * ```
   */
  stream(config?: AtcConfigInput | ResolvedAtcConfig): AtcStream {
    return openStream(this.#impl, resolveConfig(config));
  }

  /**
   * Continues a stream from `stream.snapshot()` bytes, taken on any backend. With
   * `options.config`, the snapshot must have been taken with that config.
   * @throws {@link AtcInputError} `INVALID_SNAPSHOT` (truncated, corrupted, newer format),
   * `SNAPSHOT_CONFIG_MISMATCH`.
   *
   * @example
   * ```ts
   * const stream = engine.restoreStream(fs.readFileSync('atc.state'));
   * stream.push(nextClose);
   * ```
   */
  restoreStream(bytes: Uint8Array, options: { config?: AtcConfigInput | ResolvedAtcConfig } = {}): AtcStream {
    const expected = options.config === undefined ? undefined : resolveConfig(options.config);
    return restoreStream(this.#impl, bytes, expected);
  }

  /**
   * `count` streams of one config advanced together, one call per bar for all of them.
   *
   * @example
   * ```ts
   * const streams = engine.streams(symbols.length, { semantics: 'pine' });
   * const step = streams.push(Float64Array.from(symbols, (s) => lastClose(s)));
   * step.averageSignal; // one value per symbol
   * ```
   */
  streams(count: number, config?: AtcConfigInput | ResolvedAtcConfig): AtcStreamSet {
    return openStreamSet(this.#impl, count, resolveConfig(config));
  }

  /** Any moving average by kind. `out`, if given, must be a Float64Array of the source's length. */
  movingAverage(kind: MaKind, source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    if (!(MA_KINDS as readonly unknown[]).includes(kind)) {
      throw new AtcInputError('INVALID_OPTION', 'kind', `must be one of ${MA_KINDS.join(', ')}, got ${String(kind)}`);
    }
    const x = toFloat64('source', source);
    requireFinite('source', x);
    if (kind === 'kama') requireLength('length', length, Number.MAX_SAFE_INTEGER);
    else requireLength('length', length, x.length, kind === 'hma' ? 2 : 1);
    const target = outputBuffer('out', out, this.#newF64, Float64Array, x.length, [x]);
    this.#impl.movingAverage(kind, x, length, target);
    return target;
  }

  /** Simple moving average. */
  sma(source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    return this.movingAverage('sma', source, length, out);
  }
  /** EMA seeded with the mean of the first `length` values (pandas_ta). */
  ema(source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    return this.movingAverage('ema', source, length, out);
  }
  /** Linearly weighted MA, newest heaviest. */
  wma(source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    return this.movingAverage('wma', source, length, out);
  }
  /** Hull MA `WMA(2·WMA(x, ⌊L/2⌋) − WMA(x, L), ⌊√L⌋)`; length ≥ 2. */
  hma(source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    return this.movingAverage('hma', source, length, out);
  }
  /** Double EMA `2·E1 − EMA(E1)`, starting at `length − 1` (reference quirk). */
  dema(source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    return this.movingAverage('dema', source, length, out);
  }
  /** Least-squares MA as pandas_ta `linreg` (the fitted value one bar before the window's end). */
  lsma(source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    return this.movingAverage('lsma', source, length, out);
  }
  /** ATC's KAMA (fast 0.666, slow 0.064, seeded at the first value). */
  kama(source: SeriesInput, length: number, out?: Float64Array): Float64Array {
    return this.movingAverage('kama', source, length, out);
  }

  /** Rate of change `p[i]/p[i−1] − 1` (NaN at bar 0). */
  rateOfChange(prices: SeriesInput, out?: Float64Array): Float64Array {
    const p = toPrices('prices', prices);
    const target = outputBuffer('out', out, this.#newF64, Float64Array, p.length, [p]);
    this.#impl.rateOfChange(p, target);
    return target;
  }

  /** Rate of change times the growth `exp(La/1000 · max(i, 1))`; `lambda` in user units like `config.lambda`. */
  scaledReturns(prices: SeriesInput, lambda = 0.02, out?: Float64Array): Float64Array {
    const p = toPrices('prices', prices);
    resolveConfig({ lambda });
    const target = outputBuffer('out', out, this.#newF64, Float64Array, p.length, [p]);
    this.#impl.scaledReturns(p, scaledLambda({ lambda }), target);
    return target;
  }

  /** Persistent crossover signal of prices against an MA (NaN MA slots never cross). */
  crossoverSignal(prices: SeriesInput, ma: SeriesInput, out?: Int8Array): Int8Array {
    const p = toFloat64('prices', prices);
    requireFinite('prices', p);
    const m = toFloat64('ma', ma);
    requireSameLength('ma', m.length, p.length, 'prices');
    const target = outputBuffer('out', out, this.#newI8, Int8Array, p.length, [p, m]);
    this.#impl.crossoverSignal(p, m, target);
    return target;
  }

  /** Held state from up/down flags: up → 1, else down → −1, else keep (0 at start). */
  persistSignal(up: Uint8Array | readonly boolean[], down: Uint8Array | readonly boolean[], out?: Int8Array): Int8Array {
    const u = toFlags('up', up);
    const d = toFlags('down', down);
    requireSameLength('down', d.length, u.length, 'up');
    const target = outputBuffer('out', out, this.#newI8, Int8Array, u.length, [u, d]);
    this.#impl.persistSignal(u, d, target);
    return target;
  }

  /** Equity curve of a signal on (scaled) returns; the position over bar i is the sign of `signal[i−1]`. */
  equityCurve(returns: SeriesInput, signal: SeriesInput, options: EquityOptions = {}, out?: Float64Array): Float64Array {
    const r = toFloat64('returns', returns);
    const s = toFloat64('signal', signal);
    requireSameLength('signal', s.length, r.length, 'returns');
    const { startingEquity = 1.0, decay = 0.03, cutout = 0 } = options;
    if (typeof startingEquity !== 'number' || !(startingEquity > 0) || !Number.isFinite(startingEquity)) {
      throw new AtcInputError('OUT_OF_RANGE', 'options.startingEquity', `must be a finite number > 0, got ${String(startingEquity)}`);
    }
    requireDecay(decay);
    if (!Number.isInteger(cutout) || cutout < 0 || (r.length > 0 && cutout >= r.length)) {
      throw new AtcInputError('INVALID_CUTOUT', 'options.cutout', `must be an integer in [0, ${r.length}), got ${String(cutout)}`);
    }
    const target = outputBuffer('out', out, this.#newF64, Float64Array, r.length, [r, s]);
    this.#impl.equityCurve(r, s, startingEquity, decayMultiplier({ decay }), cutout, target);
    return target;
  }

  /**
   * Layer-1 signal from `rows` signals and their equities, each packed row-major
   * (`rows × n`): `round2(Σ s·E / Σ E)`.
   */
  layer1Signal(signals: Int8Array, equities: Float64Array, rows = 9, out?: Float64Array): Float64Array {
    if (!(signals instanceof Int8Array)) throw new AtcInputError('INVALID_TYPE', 'signals', 'must be an Int8Array (rows × n)');
    const e = toFloat64('equities', equities);
    requireSameLength('equities', e.length, signals.length, 'signals');
    if (!Number.isInteger(rows) || rows < 1 || signals.length % rows !== 0) {
      throw new AtcInputError('INVALID_LENGTH', 'rows', `must be a positive integer dividing signals.length ${signals.length}, got ${String(rows)}`);
    }
    const target = outputBuffer('out', out, this.#newF64, Float64Array, signals.length / rows, [signals, e]);
    this.#impl.layer1Signal(signals, e, target);
    return target;
  }
}
