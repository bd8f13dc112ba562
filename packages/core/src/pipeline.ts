// Core dispatches, it does not compute: buffers are allocated here and filled by the
// backend's fused `computeAtc`; the only arithmetic is the check that what came back is
// finite (the growth rule of docs/input-contract.md), skipped when the backend reports it.
import type { AtcBuffers, Backend } from './backend.js';
import type { OutputArrayKinds } from './uninitialized.js';
import type { ResolvedAtcConfig } from './config.js';
import { AtcInputError } from './errors.js';
import { FAMILIES, LENGTHS_PER_FAMILY } from './families.js';
import { requireFiniteOutputs } from './growth.js';
import { runLongSeries, takesLongPath } from './long-series.js';
import { outputBars } from './semantics.js';

/** Number of output rows of {@link AtcBuffers.outputs}. */
export const OUTPUT_ROWS = 13;
/** Number of MAs (rows of the detail buffers). */
export const MA_COUNT = FAMILIES.length * LENGTHS_PER_FAMILY;

const ZEROED = { f64: Float64Array, i8: Int8Array } as const;

/**
 * A result array of `length` elements for `backend`'s kernels to fill: from its
 * `allocateOutput` when it has one (its kernels write every element), else zeroed.
 *
 * @example
 * ```ts
 * const out = resultArray(backend, 'f64', n);
 * backend.equityCurve(returns, signal, 1, decayMultiplier, 0, out);
 * ```
 */
export function resultArray<K extends keyof OutputArrayKinds>(backend: Pick<Backend, 'allocateOutput'> | undefined, kind: K, length: number): OutputArrayKinds[K] {
  return backend?.allocateOutput?.(kind, length) ?? (new ZEROED[kind](length) as OutputArrayKinds[K]);
}

/**
 * Allocates the buffers of one computation of `bars` output bars: zeroed, or from
 * `backend.allocateOutput` when given a backend that has it (its `computeAtc` writes every value).
 *
 * @example
 * ```ts
 * const buffers = allocateBuffers(outputBars(config, prices.length), false);
 * backend.computeAtc(prices, config, buffers);
 * ```
 */
export function allocateBuffers(bars: number, details: boolean, outputs?: Float64Array, backend?: Pick<Backend, 'allocateOutput'>): AtcBuffers {
  const f64 = (n: number) => resultArray(backend, 'f64', n);
  const out = outputs ?? allocated(bars, '13 output rows', () => f64(OUTPUT_ROWS * bars));
  if (!details) return { outputs: out, movingAverages: undefined, maSignals: undefined, maEquities: undefined };
  return allocated(bars, `3 × ${MA_COUNT} detail rows`, () => ({
    outputs: out,
    movingAverages: f64(MA_COUNT * bars),
    maSignals: resultArray(backend, 'i8', MA_COUNT * bars),
    maEquities: f64(MA_COUNT * bars),
  }));
}

/**
 * `allocate()`, with V8's "Invalid typed array length" / "Array buffer allocation failed"
 * (a limit of this JavaScript engine, not a bug in the caller's series) as SERIES_TOO_LONG.
 */
function allocated<T>(bars: number, what: string, allocate: () => T): T {
  try {
    return allocate();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const detail = what.includes('detail');
    throw new AtcInputError(
      'SERIES_TOO_LONG',
      'prices',
      `${bars} output bars: the ${what} of ${bars} values exceed what this JavaScript engine can allocate as typed arrays (${error.message})` +
        (detail ? '; compute without details (outputs only: 13 × bars doubles)' : '; split the series (a stream continues where it stopped: engine.stream())'),
      undefined,
      { cause: error },
    );
  }
}

/**
 * Refuses, before anything is allocated, a batch `computeAtc` the backend's own memory cannot
 * hold (`Backend.batchFootprint`: wasm's 4 GiB). Without details, `runPipeline` takes the
 * long-series path instead, so only a call with details (or a backend without streams) ends here.
 */
export function requireBatchFits(backend: Backend, n: number, details: boolean, label = 'prices'): void {
  const footprint = backend.batchFootprint?.(n, details);
  if (footprint === undefined || footprint.bytes <= footprint.limitBytes) return;
  const MiB = 2 ** 20;
  throw new AtcInputError(
    'SERIES_TOO_LONG',
    label,
    `${n} bars${details ? ' with details' : ''} need about ${Math.ceil(footprint.bytes / MiB)} MiB in the ${backend.name} backend, more than ${footprint.limit} ` +
      `(${Math.floor(footprint.limitBytes / MiB)} MiB available)` +
      (details ? ': compute without details (outputs only: the long-series path needs memory for the outputs and one chunk), or use the native or js backend' : ': use a backend with streams (native, wasm or js)'),
  );
}

/**
 * The one way core runs the ATC pipeline on one validated series, then the check that every
 * equity stayed finite. Two paths, the same bits (docs/architecture.md "Long series"): the
 * backend's fused `computeAtc` (materialises the MAs over the whole series), or — without
 * details, from `longSeriesThreshold` bars or when the batch would not fit the backend — the
 * backend's stream over chunks (`long-series.ts`: memory O(outputs + state)). `label` names
 * the series in the error (`prices`, `series[3]`).
 */
export function runPipeline(backend: Backend, prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers, label = 'prices'): void {
  if (takesLongPath(backend, prices.length, config.semantics, buffers)) {
    runLongSeries(backend, prices, config, buffers.outputs, label);
    return;
  }
  requireBatchFits(backend, prices.length, buffers.movingAverages !== undefined, label);
  // −1: the backend's own growth check found every output finite (Backend.computeAtc); a bar,
  // or no verdict: core scans (and builds the error from what it finds)
  if (backend.computeAtc(prices, config, buffers) === -1) return;
  requireFiniteOutputs(buffers.outputs, outputBars(config, prices.length), config, label);
}
