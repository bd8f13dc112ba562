import type { ResolvedAtcConfig } from './config.js';
import type { MaKind } from './families.js';

/** Names of the backends this project ships. */
export type BackendName = 'js' | 'native' | 'wasm';

/**
 * Output buffers of one fused ATC computation, allocated by core and filled by a backend.
 * With `m = n − cutout` bars out:
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

/** A loaded backend: the kernels plus, optionally, a fused whole pipeline. */
export interface Backend extends AtcKernels {
  readonly name: BackendName;
  /**
   * The whole ATC pipeline in one call. When absent, core composes the kernels
   * ({@link composeAtc}); when present it must give exactly the same bits.
   */
  computeAtc?(prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers): void;
  /**
   * Many series at once on `threads` threads of the backend's own (native). Must equal one
   * {@link Backend.computeAtc} per series. Backends without it are run in worker_threads.
   */
  computeAtcBatch?(series: readonly Float64Array[], config: ResolvedAtcConfig, buffers: readonly AtcBuffers[], threads: number): void;
  /** URL of a module that, imported in a worker, exports `backendFactory` for this backend. */
  readonly workerModule?: string;
  /** Structured-clonable load options a worker passes to that factory. */
  readonly workerLoadOptions?: Record<string, unknown>;
}

/** How a backend is found and loaded. Backend packages export one of these. */
export interface BackendFactory {
  readonly name: BackendName;
  /** Higher is tried first by `backend: 'auto'`. native 300, wasm 200, js 100. */
  readonly priority: number;
  /** Loads (and smoke-tests) the backend; rejects with the reason when it cannot run here. */
  load(options?: BackendLoadOptions): Promise<Backend>;
}

/** Options forwarded to {@link BackendFactory.load}. */
export interface BackendLoadOptions {
  /** wasm: the module as a URL, a path, bytes or a compiled `WebAssembly.Module`. */
  wasm?: string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;
  /** native: explicit path of the `.node` binary. */
  nativeBinding?: string;
}
