// The one load-time smoke test of every backend: a backend that loads but computes wrong
// numbers (a stale binary, a miscompiled wasm, a broken third-party port) is refused at
// load, so 'auto' falls back instead of returning those numbers.
import type { Backend } from './backend.js';
import { resolveConfig } from './config.js';
import { AtcError } from './errors.js';
import { OUTPUT_ROWS, allocateBuffers } from './pipeline.js';
import { outputBars } from './semantics.js';

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
 * CONFIG; backend-js's test `verify.test.ts` re-derives them from its fused pipeline and from
 * `composeAtcFromKernels`). Per output row: a 32-bit hash of every value's bits (any single
 * changed bit changes it) and, for readable messages, the row's last bar.
 */
const EXPECTED_ROW_HASHES: readonly number[] = [
  0x7aecb6f0, 0x57f04df1, 0x2bde48a3, 0x39be5043, 0x01251aa7, 0xd2d152f4,
  0xc2367323, 0x2a079d90, 0xc2367323, 0x2ee24132, 0x2ee24132, 0x2ee24132,
  0x013e9685,
];
const EXPECTED_LAST_BAR: readonly number[] = [
  -0.69, 0.35, -1, -0.72, -1, -0.4,
  0.2690171166379929, 1.4513774270613162, 0.2690171166379929, 0.2690171166379929, 0.2690171166379929, 0.2690171166379929,
  0.2047835864135549,
];
/** `ema([1, 2, 3, 4, 5], 3)`: exact in any correct implementation. */
const EMA_INPUT = Float64Array.of(1, 2, 3, 4, 5);
const EMA_EXPECTED = [NaN, NaN, 2, 3, 4];

/**
 * FNV-1a-style hash of the values' bits (little-endian words, NaN canonical): each step is a
 * bijection of the running hash, so changing any one value always changes the result.
 */
function hashBits(values: Float64Array): number {
  const view = new DataView(new ArrayBuffer(8));
  let h = 0x811c9dc5;
  for (const v of values) {
    view.setFloat64(0, Number.isNaN(v) ? NaN : v, true);
    h = Math.imul(h ^ view.getUint32(0, true), 0x01000193);
    h = Math.imul(h ^ view.getUint32(4, true), 0x01000193);
  }
  return h >>> 0;
}

/** Per-row bit hashes and the last bar of each row of the smoke computation. */
function smokeFingerprint(backend: Backend): { rowHashes: number[]; lastBar: number[] } {
  const m = outputBars(CONFIG, SERIES.length);
  const buffers = allocateBuffers(m, false);
  backend.computeAtc(SERIES, CONFIG, buffers);
  const rowHashes: number[] = [];
  const lastBar: number[] = [];
  for (let row = 0; row < OUTPUT_ROWS; row++) {
    rowHashes.push(hashBits(buffers.outputs.subarray(row * m, (row + 1) * m)));
    lastBar.push(buffers.outputs[row * m + m - 1]!);
  }
  return { rowHashes, lastBar };
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
    firstDifference('computeAtc: the last bar of output row', fingerprint.lastBar, EXPECTED_LAST_BAR) ??
    firstDifference('computeAtc: the bit hash of output row', fingerprint.rowHashes, EXPECTED_ROW_HASHES);
  if (mismatch) throw fail(mismatch);
}
