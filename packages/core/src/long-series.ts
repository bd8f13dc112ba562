// The long-series path of `compute` (docs/architecture.md "Long series"): instead of the
// backend's fused `computeAtc`, which materialises every MA over the whole series (its memory
// and its cost per bar grow with n), the backend's own stream advances all 54 MAs bar by bar
// over chunks of the series — in the backend when it has `computeLongSeries` (native: the
// chunk loop in Rust, writing the outputs directly), else here through `pushMany`. Memory: the
// outputs, the stream's O(longest length) state and one chunk. The stream's bars equal
// `compute`'s bit for bit (conformance tier s), so the result is the same whichever path ran.
import type { AtcBuffers, Backend, BackendName } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { AtcError } from './errors.js';
import { requireFiniteOutputs } from './growth.js';
import { type Semantics, firstInputBar, outputBars } from './semantics.js';

const ROWS = 13;

/**
 * Bars from which `compute` without details takes the long-series path, per backend and
 * semantics. Measured (docs/performance.md "Long series", `bench/src/long-series.mjs
 * --crossover`: the two paths interleaved in one process). Reference: below ~10⁶ bars the
 * batch is faster (native 1.3× at 10⁵ on a quiet machine, wasm 1.2–1.4× and js ~1.1× at
 * 10⁵–3·10⁵); from ~10⁶ the two are within noise of each other in a warm process (native 0.99×
 * at 10⁶, quiet) and the stream wins a first call (native 236 vs 442 ns/bar at 10⁶, fresh
 * process: the batch's scratch is paged in),
 * while the stream's memory stays O(outputs) (the batch's grows ~50 doubles per bar). Pine:
 * the Rust stream steps Pine bar by bar (no lane runs), 1.5× (native) to 2–3× (wasm) the batch
 * at 10⁶, so native and wasm switch only at 5·10⁶, where the batch's memory passes ~2.5 GB
 * (wasm switches earlier when the batch would not fit: `Backend.batchFootprint`); js's stream
 * equals its batch there (1.02×). A backend not named here uses `default`.
 */
const MEASURED_THRESHOLDS: Readonly<Record<string, Readonly<Record<Semantics, number>>>> = {
  native: { reference: 1_000_000, pine: 5_000_000 },
  wasm: { reference: 1_000_000, pine: 5_000_000 },
  js: { reference: 1_000_000, pine: 1_000_000 },
  default: { reference: 1_000_000, pine: 1_000_000 },
};

/** Bars per `pushMany` call: the chunk buffer is 13 × this doubles (6.8 MB). */
const DEFAULT_CHUNK_BARS = 1 << 16;

let thresholdOverride: number | undefined;
let chunkBars = DEFAULT_CHUNK_BARS;

/**
 * Test hook, not public API (core's index does not export it): overrides the threshold of
 * every backend (`threshold`, when the key is given; `undefined` restores the measured ones)
 * and the chunk size (a size other than the default also makes core run the chunk loop itself
 * through `pushMany` when the backend has `computeLongSeries`, so tests reach both).
 * Returns the previous settings so a test can restore them.
 *
 * @example
 * ```ts
 * const previous = setLongSeriesOptions({ threshold: 0, chunkBars: 700 });
 * try { engine.compute(prices); } finally { setLongSeriesOptions(previous); }
 * ```
 */
export function setLongSeriesOptions(options: { threshold?: number | undefined; chunkBars?: number }): { threshold: number | undefined; chunkBars: number } {
  const previous = { threshold: thresholdOverride, chunkBars };
  if ('threshold' in options) thresholdOverride = options.threshold;
  if (options.chunkBars !== undefined) {
    if (!Number.isInteger(options.chunkBars) || options.chunkBars < 1) throw new RangeError(`chunkBars must be an integer ≥ 1, got ${options.chunkBars}`);
    chunkBars = options.chunkBars;
  }
  return previous;
}

/** The input length from which `backend` computes without details on the long-series path. */
export function longSeriesThreshold(backend: BackendName, semantics: Semantics = 'reference'): number {
  return thresholdOverride ?? (MEASURED_THRESHOLDS[backend] ?? MEASURED_THRESHOLDS.default!)[semantics];
}

/**
 * Whether `runPipeline` takes the long-series path: no details wanted, the backend streams,
 * and the series reaches the threshold or the batch would not fit the backend's memory.
 */
export function takesLongPath(backend: Backend, n: number, semantics: Semantics, buffers: AtcBuffers): boolean {
  if (buffers.movingAverages !== undefined || buffers.maSignals !== undefined || buffers.maEquities !== undefined) return false;
  if (backend.createStream === undefined) return false;
  if (n >= longSeriesThreshold(backend.name, semantics)) return true;
  const footprint = backend.batchFootprint?.(n, false);
  return footprint !== undefined && footprint.bytes > footprint.limitBytes;
}

/**
 * Computes the 13 output rows of `prices` through the backend's stream, chunk by chunk, into
 * `outputs` (13 rows × `outputBars(config, n)`). A bar whose outputs are not finite is refused
 * exactly as the batch path refuses it (`requireFiniteOutputs`: same code, field, index and
 * message), since the stream's rule is the same rule (docs/streaming.md "Refusals").
 */
export function runLongSeries(backend: Backend, prices: Float64Array, config: ResolvedAtcConfig, outputs: Float64Array, label: string): void {
  const n = prices.length;
  const m = outputBars(config, n);
  if (backend.computeLongSeries !== undefined && chunkBars === DEFAULT_CHUNK_BARS) {
    // the backend's own chunk loop (native: in Rust, straight into `outputs`)
    const bad = backend.computeLongSeries(prices, config, outputs.subarray(0, ROWS * m));
    if (bad < 0) return;
    // that bar's column and the earlier ones are written: the check finds it
    requireFiniteOutputs(outputs.subarray(0, ROWS * m), m, config, label);
    throw new AtcError(`the ${backend.name} backend's computeLongSeries reported bar ${bad} not finite, but its outputs are finite (a backend bug; please report it)`);
  }
  const first = firstInputBar(config); // input bar of output column 0
  const stream = backend.createStream!(config);
  const chunk = new Float64Array(ROWS * Math.min(chunkBars, n));
  try {
    for (let start = 0; start < n; start += chunkBars) {
      const k = Math.min(chunkBars, n - start);
      const closes = prices.subarray(start, start + k);
      const out = chunk.subarray(0, ROWS * k);
      const bad = stream.pushMany(closes, out);
      if (bad >= 0) refuseBar(stream, closes, out, bad, start, { outputs, m, first, config, label });
      copyOutputColumns(out, k, start, outputs, m, first);
    }
  } finally {
    stream.dispose?.();
  }
}

/** Columns `start…start+k` of the chunk (13 rows × k) that are output bars, into `outputs`. */
function copyOutputColumns(out: Float64Array, k: number, start: number, outputs: Float64Array, m: number, first: number): void {
  const from = Math.max(0, first - start); // reference: bars before the cutout have no column
  if (from >= k) return;
  for (let r = 0; r < ROWS; r++) outputs.set(out.subarray(r * k + from, r * k + k), r * m + start + from - first);
}

interface RefusalContext {
  readonly outputs: Float64Array;
  readonly m: number;
  readonly first: number;
  readonly config: ResolvedAtcConfig;
  readonly label: string;
}

/**
 * The stream refused chunk bar `bad` (nothing of the chunk committed). Steps the bars before it
 * again and then that bar alone, whose outputs `push` writes, puts them in `outputs` and lets
 * the batch path's check build the error: every earlier column is finite, so the first
 * non-finite column it finds is this bar.
 */
function refuseBar(stream: ReturnType<NonNullable<Backend['createStream']>>, closes: Float64Array, out: Float64Array, bad: number, start: number, ctx: RefusalContext): never {
  if (bad > 0) {
    const before = out.subarray(0, ROWS * bad);
    if (stream.pushMany(closes.subarray(0, bad), before) >= 0) throw new Error('[adaptive-trend] the stream refused bars it had accepted (backend bug)');
    copyOutputColumns(before, bad, start, ctx.outputs, ctx.m, ctx.first);
  }
  const bar = new Float64Array(ROWS);
  stream.push(closes[bad]!, bar);
  copyOutputColumns(bar, 1, start + bad, ctx.outputs, ctx.m, ctx.first);
  requireFiniteOutputs(ctx.outputs.subarray(0, ROWS * ctx.m), ctx.m, ctx.config, ctx.label);
  throw new Error(`[adaptive-trend] the stream refused bar ${start + bad} whose outputs are finite (backend bug)`);
}
