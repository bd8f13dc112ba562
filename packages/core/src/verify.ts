// The one load-time smoke test of every backend: a backend that loads but computes wrong
// numbers (a stale binary, a miscompiled wasm, a broken third-party port) is refused at
// load, so 'auto' falls back instead of returning those numbers.
import type { Backend } from './backend.js';
import { resolveConfig } from './config.js';
import { AtcError } from './errors.js';
import { OUTPUT_ROWS, allocateBuffers } from './pipeline.js';

/**
 * A small, exactly representable series (integer steps of a fixed zig-zag with a trend) and a
 * config with short lengths, a cutout and the largest lambda, so every stage of the pipeline
 * (all six MA families, signals, both equity layers, the average) moves.
 */
const SERIES = Float64Array.from({ length: 24 }, (_, i) => 100 + ((i * 37) % 23) - 11 + i * 0.5);
const CONFIG = resolveConfig({
  emaLength: 5,
  hmaLength: 6,
  wmaLength: 7,
  demaLength: 5,
  lsmaLength: 8,
  kamaLength: 5,
  robustness: 'Narrow',
  lambda: 0.5,
  decay: 0.25,
  cutout: 3,
  hmaWeight: 2,
  strategyMode: true,
});

/**
 * Expected bits, derived once from `@adaptive-trend/backend-js` (`computeAtc` on SERIES and
 * CONFIG, printed with `JSON.stringify`, which round-trips doubles exactly); backend-js's test
 * `verify.test.ts` re-derives them from both its fused pipeline and `composeAtcFromKernels`.
 * Per output row: the sum of its values in bar order, and its last bar.
 */
const EXPECTED_ROW_SUMS: readonly number[] = [
  -0.9699999999999999, 0.7799999999999998, -0.98, -3.8200000000000003, -3.6599999999999997, -0.8,
  10.926035288471416, 33.407873364020666, 10.926035288471416, 11.869595251615971, 11.869595251615971, 11.869595251615971,
  -1.2155229949465636,
];
const EXPECTED_LAST_BAR: readonly number[] = [
  -0.69, 0.35, -1, -0.72, -1, -0.4,
  0.2690171166379929, 1.4513774270613162, 0.2690171166379929, 0.2690171166379929, 0.2690171166379929, 0.2690171166379929,
  0.2047835864135549,
];
/** `ema([1, 2, 3, 4, 5], 3)`: exact in any correct implementation. */
const EMA_INPUT = Float64Array.of(1, 2, 3, 4, 5);
const EMA_EXPECTED = [NaN, NaN, 2, 3, 4];

/** Per-row sums (in bar order) and the last bar of each row of a smoke computation. */
function smokeFingerprint(backend: Backend): { rowSums: number[]; lastBar: number[] } {
  const m = SERIES.length - CONFIG.cutout;
  const buffers = allocateBuffers(m, false);
  backend.computeAtc(SERIES, CONFIG, buffers);
  const rowSums: number[] = [];
  const lastBar: number[] = [];
  for (let row = 0; row < OUTPUT_ROWS; row++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += buffers.outputs[row * m + i]!;
    rowSums.push(sum);
    lastBar.push(buffers.outputs[row * m + m - 1]!);
  }
  return { rowSums, lastBar };
}

function firstDifference(what: string, got: readonly number[], expected: readonly number[]): string | undefined {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(got[i], expected[i])) return `${what} ${i} is ${got[i]}, expected ${expected[i]}`;
  }
  return undefined;
}

/**
 * The load-time check every backend factory runs before returning its backend: one fused
 * `computeAtc` on a fixed 24-bar series and one kernel (`movingAverage('ema')`), compared bit
 * for bit with the values backend-js computes. Throws an {@link AtcError} naming the backend
 * and the first mismatch.
 *
 * @example
 * ```ts
 * load: async (options) => {
 *   const backend = createMyBackend(options);
 *   verifyBackend(backend); // throws if it computes different numbers
 *   return backend;
 * }
 * ```
 */
export function verifyBackend(backend: Backend): void {
  const fail = (detail: string, cause?: unknown) =>
    new AtcError(`backend '${backend.name}' failed its load-time check: ${detail}`, cause === undefined ? undefined : { cause });
  const ema = new Float64Array(EMA_INPUT.length);
  try {
    backend.movingAverage('ema', EMA_INPUT, 3, ema);
  } catch (error) {
    throw fail(`movingAverage('ema') threw ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const emaMismatch = firstDifference("movingAverage('ema', [1..5], 3) at", [...ema], EMA_EXPECTED);
  if (emaMismatch) throw fail(emaMismatch);
  let fingerprint: ReturnType<typeof smokeFingerprint>;
  try {
    fingerprint = smokeFingerprint(backend);
  } catch (error) {
    throw fail(`computeAtc threw ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const mismatch =
    firstDifference('computeAtc: the sum of output row', fingerprint.rowSums, EXPECTED_ROW_SUMS) ??
    firstDifference('computeAtc: the last bar of output row', fingerprint.lastBar, EXPECTED_LAST_BAR);
  if (mismatch) throw fail(mismatch);
}
