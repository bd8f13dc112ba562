import type { OutputArrayKinds, uninitializedArray } from './uninitialized.js';
import type { ResolvedAtcConfig } from './config.js';
import type { MaKind } from './families.js';
import type { Semantics } from './semantics.js';

/**
 * Name of a backend. **Open**: `'native'`, `'wasm'` and `'js'` ship with this project
 * ({@link KNOWN_BACKENDS}); a third-party backend picks its own name and makes itself
 * available with `registerBackend`, after which `createAtc({ backend: 'its-name' })` and
 * `'auto'` (by its {@link BackendFactory.priority}) find it.
 *
 * @example
 * ```ts
 * const name: BackendName = 'gpu'; // a third-party backend's name compiles too
 * ```
 */
export type BackendName = 'native' | 'wasm' | 'js' | (string & {});

/**
 * Backend-specific load options, one key per backend name. Empty in core on purpose: each
 * backend package adds its own key by module augmentation, so core names no backend's options.
 *
 * @example
 * ```ts
 * // in a backend package:
 * declare module '@adaptive-trend/core' {
 *   interface BackendOptions { native?: { binding?: string } }
 * }
 * // in an application:
 * await createAtc({ backend: 'native', backendOptions: { native: { binding: '/opt/atc.node' } } });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface BackendOptions {}

/**
 * Output buffers of one fused ATC computation, allocated by core and filled by a backend.
 * With `m` bars out (`n − cutout` for the reference semantics, `n` for Pine: `outputBars`):
 * - `outputs`: 13 rows × m, row-major: Layer-1 signals (EMA, HMA, WMA, DEMA, LSMA, KAMA),
 *   then Layer-2 equities in the same order, then Average_Signal.
 * - optional details, 54 rows × m, family-major then in each family's length order: the MA
 *   values after cutout, each MA's persistent signal and its Layer-1 equity.
 */
export interface AtcBuffers {
  readonly outputs: Float64Array;
  readonly movingAverages?: Float64Array | undefined;
  readonly maSignals?: Int8Array | undefined;
  readonly maEquities?: Float64Array | undefined;
}

/**
 * The kernels every backend supplies. Inputs are validated by core before any call
 * (finite values, matching lengths, lengths in range), outputs are caller-allocated and fully
 * written, inputs are never mutated. The exact arithmetic is fixed by `docs/kernels.md`, so
 * all backends agree bit for bit.
 */
export interface AtcKernels {
  /** Moving average of `source` into `out` (same length; warm-up slots NaN). */
  movingAverage(kind: MaKind, source: Float64Array, length: number, out: Float64Array): void;
  /** `out[0] = NaN`, `out[i] = p[i]/p[i−1] − 1`. */
  rateOfChange(prices: Float64Array, out: Float64Array): void;
  /** Rate of change times the exponential growth `exp(λ·max(i,1))`; `lambdaScaled = La/1000`. */
  scaledReturns(prices: Float64Array, lambdaScaled: number, out: Float64Array): void;
  /** Persistent crossover state (+1/−1, 0 before the first cross) of `prices` against `ma`. */
  crossoverSignal(prices: Float64Array, ma: Float64Array, out: Int8Array): void;
  /** The held state from crossover/crossunder flags (non-zero = set); up wins over down. */
  persistSignal(up: Uint8Array, down: Uint8Array, out: Int8Array): void;
  /**
   * Equity curve of trading `signal` (the position over bar i is the sign of `signal[i−1]`)
   * on `returns` (usually {@link AtcKernels.scaledReturns}), with per-bar decay multiplier,
   * floor 0.25, NaN before `cutout`.
   */
  equityCurve(
    returns: Float64Array,
    signal: Float64Array,
    startingEquity: number,
    decayMultiplier: number,
    cutout: number,
    out: Float64Array,
  ): void;
  /** Layer-1 signal: equity-weighted mean of `rows = signals.length / out.length` signals, rounded to 0.01. */
  layer1Signal(signals: Int8Array, equities: Float64Array, out: Float64Array): void;
}

/** A stream step's status: the outputs were written and the step committed. */
export const STEP_OK = 0;
/**
 * A stream step's status: an output on an output bar was not finite (core's growth rule,
 * `core/src/growth.ts`); the outputs were written but the stream's state did not change.
 */
export const STEP_NOT_FINITE = 1;

/**
 * One ATC stream held by a backend (docs/streaming.md: the per-bar step and its canonical
 * state). Core validates every close and the growth rule before calling; a backend re-checks
 * cheaply and never commits half a step.
 */
export interface BackendStream {
  /** Bars stepped so far. */
  readonly length: number;
  /** Steps bar `length` with `close`, writes its 13 outputs to `out[0..13]`; {@link STEP_OK} or {@link STEP_NOT_FINITE}. */
  push(close: number, out: Float64Array): number;
  /** Steps the last bar again from the state before it (`length ≥ 1`); same status as `push`. */
  replaceLast(close: number, out: Float64Array): number;
  /**
   * Steps `closes.length` bars; `out` is 13 rows × k, row-major. Returns −1, or the offset of
   * the first bar whose outputs are not finite (then nothing is committed).
   */
  pushMany(closes: Float64Array, out: Float64Array): number;
  /** The canonical state vector (`streamStateLength(config)` doubles, docs/streaming.md). */
  exportState(): Float64Array;
  /** Releases backend memory now (otherwise the garbage collector does). */
  dispose?(): void;
}

/** `count` streams of one config, stepped together: one call per bar for all of them. */
export interface BackendStreamSet {
  readonly count: number;
  /** Bars stepped so far (the same for every stream of the set). */
  readonly length: number;
  /**
   * One close per stream; `out` is 13 rows × count, row-major. Returns −1, or the index of the
   * first stream whose outputs are not finite (then no stream is committed).
   */
  push(closes: Float64Array, out: Float64Array): number;
  /** The last bar of every stream again (`length ≥ 1`); same contract as `push`. */
  replaceLast(closes: Float64Array, out: Float64Array): number;
  /** Stream `index`'s canonical state vector. */
  exportState(index: number): Float64Array;
  dispose?(): void;
}

/** What {@link Backend.batchFootprint} reports: bytes needed, bytes available and what limits them. */
export interface BatchFootprint {
  readonly bytes: number;
  readonly limitBytes: number;
  /** The limit in words, for the error message (e.g. "the wasm module's 4 GiB linear memory"). */
  readonly limit: string;
}

/** A stream's restored state: the bars it had seen and its canonical state vector. */
export interface StreamState {
  readonly bars: number;
  readonly state: Float64Array;
}

/** A loaded backend: the kernels plus the fused whole pipeline. */
export interface Backend extends AtcKernels {
  readonly name: BackendName;
  /**
   * The semantics its `computeAtc` implements (`config.semantics`); core refuses the others
   * before dispatch with `UNSUPPORTED_SEMANTICS`.
   */
  readonly semantics: readonly Semantics[];
  /**
   * The whole ATC pipeline in one call (required: core runs every `compute` through it). It
   * must give exactly the bits of the kernel-by-kernel composition (`composeAtcFromKernels`
   * in `@adaptive-trend/backend-js`; the conformance suite checks it).
   *
   * May return the verdict of core's growth check on what it wrote, found in its own last loop
   * (which already sums the six Layer-2 equities): the first output bar `≥ from` (`from` = the
   * cutout for Pine semantics, else 0) whose six Layer-1 signals are not all finite or whose
   * Layer-2 sum, added in the kernels' order `((((E0 + E1) + E2) + E3) + E4) + E5`, is not
   * finite; −1 when there is none. It must equal `firstNonFiniteOutputBar` (growth.ts) exactly (the
   * conformance suite checks): core skips its own pass over the outputs on −1 and rescans on a
   * bar ≥ 0, to throw the same `GROWTH_OVERFLOW` error. Returning nothing (`void`), core scans.
   *
   * @example
   * ```ts
   * computeAtc(prices, config, buffers) {
   *   const m = outputBars(config, prices.length);
   *   myPipeline(prices, config, buffers); // or report the bar from the pipeline's last loop
   *   return firstNonFiniteOutputBar(buffers.outputs, m, config);
   * }
   * ```
   */
  computeAtc(prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers): number | void;
  /**
   * Many series at once on `threads` threads of the backend's own (native). Must equal one
   * {@link Backend.computeAtc} per series. Backends without it are run in worker_threads.
   * May return, per series, the first output bar whose Layer-1 signals or Layer-2 sum is not
   * finite (−1: none; the verdict of core's growth check, computed in the backend's threads):
   * core then rescans only the series reported non-finite, to build the error. Without it,
   * core scans every series' outputs itself.
   *
   * `checkPrices` is true only for a backend that declares {@link Backend.batchChecksPrices}:
   * core has then checked everything about the series except their values, and the backend
   * checks every price (finite and > 0, core's rule) on its threads before computing anything.
   * If one is bad it computes nothing and returns the lowest index of such a series (a
   * number); core throws that series' input error itself.
   *
   * @example
   * ```ts
   * const report = backend.computeAtcBatch?.(series, config, buffers, 2, backend.batchChecksPrices === true);
   * if (typeof report === 'number') throw new Error(`series[${report}] has a bad price`);
   * ```
   */
  computeAtcBatch?(
    series: readonly Float64Array[],
    config: ResolvedAtcConfig,
    buffers: readonly AtcBuffers[],
    threads: number,
    checkPrices?: boolean,
  ): ArrayLike<number> | number | void;
  /**
   * True when {@link Backend.computeAtcBatch} honours `checkPrices` (the price scan then runs
   * on the backend's threads instead of on the calling thread before the batch).
   */
  readonly batchChecksPrices?: boolean;
  /**
   * Optional: a new ArrayBuffer of `bytes` (> 0) for {@link Backend.computeAtcBatch}'s
   * outputs, on memory the backend reuses once the garbage collector has freed an earlier
   * batch's buffer (native: a pool of at most 128 MiB, so a batch writes into pages that are
   * already mapped instead of faulting in fresh ones). Its contents are not initialised (an
   * earlier batch's outputs): the batch writes every value. Without it, core allocates them.
   *
   * @example
   * ```ts
   * const outputs = backend.batchOutputs?.(13 * bars * 8) ?? new ArrayBuffer(13 * bars * 8);
   * ```
   */
  batchOutputs?(bytes: number): ArrayBuffer;
  /**
   * A new stream (or one restored from `restore`, whose vector core has already checked
   * against `streamStateLength(config)`). Optional for third-party backends: core refuses
   * `engine.stream` with `UNSUPPORTED_STREAMING` without it.
   */
  createStream?(config: ResolvedAtcConfig, restore?: StreamState): BackendStream;
  /** `count` new streams stepped together (required with `createStream`). */
  createStreamSet?(count: number, config: ResolvedAtcConfig): BackendStreamSet;
  /**
   * Optional: `compute`'s long-series path in one call (docs/architecture.md "Long series"):
   * the backend's own stream over `prices`, its output bars written into `outputs` (13 rows ×
   * `outputBars(config, n)`, as {@link Backend.computeAtc} without details), bit for bit what
   * `createStream` + `pushMany` give. Returns −1, or the input bar whose outputs are not
   * finite: that bar's column and the earlier ones are written (later ones may be too); core
   * finds that first non-finite column, throws `compute`'s error and discards the outputs.
   * Without it, core runs the stream itself in chunks (`createStream`).
   *
   * @example
   * ```ts
   * const bad = backend.computeLongSeries?.(prices, config, outputs) ?? runTheStreamInChunks();
   * ```
   */
  computeLongSeries?(prices: Float64Array, config: ResolvedAtcConfig, outputs: Float64Array): number;
  /**
   * Optional: the memory one {@link Backend.computeAtc} of `bars` input bars (with the detail
   * rows or not) needs inside the backend, against the backend's own limit (wasm: its 4 GiB
   * linear memory). Core asks before allocating anything: a batch that does not fit runs on
   * the long-series path without details, and is refused with `SERIES_TOO_LONG` with them.
   */
  batchFootprint?(bars: number, details: boolean): BatchFootprint;
  /**
   * Optional: a new array of `length` elements for a result that this backend's kernels
   * overwrite in full, so its contents need not be zeroed first (the shipped backends answer
   * with {@link uninitializedArray}: `malloc` without `calloc`'s memset, ~0.5 ms less per 8 MB
   * result when the allocator reuses freed memory). Core uses it for the results it allocates
   * (`compute`'s 13 output rows and detail rows, the single kernels' `out`); a backend that has
   * it promises that its `computeAtc`, `computeLongSeries` and every kernel write each element
   * of the outputs they are given (for the shipped ones `tests/output-writes.test.ts` proves it
   * with sentinel-filled arrays). Must return an ordinary typed array: byteOffset 0 over its own
   * transferable ArrayBuffer of exactly `length` elements. Without it, core allocates zeroed
   * arrays.
   *
   * @example
   * ```ts
   * const out = backend.allocateOutput?.('f64', n) ?? new Float64Array(n);
   * backend.equityCurve(returns, signal, 1, decayMultiplier, 0, out); // writes all n values
   * ```
   */
  allocateOutput?<K extends keyof OutputArrayKinds>(kind: K, length: number): OutputArrayKinds[K];
  /** URL of a module that, imported in a worker, exports `backendFactory` for this backend. */
  readonly workerModule?: string;
  /** Structured-clonable options a worker passes to that factory's `load`. */
  readonly workerLoadOptions?: unknown;
}

/**
 * How a backend is found and loaded. Backend packages export one of these as
 * `backendFactory` and register it with `registerBackend` when imported.
 *
 * @typeParam Options - the backend's own load options (`backendOptions[name]` of `createAtc`).
 * @example
 * ```ts
 * export const backendFactory: BackendFactory<MyLoadOptions> = {
 *   name: 'mine',
 *   priority: 150, // between wasm (200) and js (100) for 'auto'
 *   load: async (options) => { const backend = await build(options); verifyBackend(backend); return backend; },
 * };
 * registerBackend(backendFactory);
 * ```
 */
export interface BackendFactory<Options = unknown> {
  readonly name: BackendName;
  /**
   * Order of `backend: 'auto'`: higher is tried first. The one place a backend's priority
   * lives; the shipped ones use native 300, wasm 200, js 100.
   */
  readonly priority: number;
  /**
   * Loads the backend and checks it (`verifyBackend`); rejects with the reason when it
   * cannot run here.
   */
  load(options?: Options): Promise<Backend>;
}
