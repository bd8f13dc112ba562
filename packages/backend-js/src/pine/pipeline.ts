// ATC as the Pine script computes it, end to end, on the full series (no slicing): the 54 MAs,
// their crossover signals on `close`, their equities, Layer 1, Layer 2 and Average_Signal.
// Every output has n values, NaN where Pine has na.
import { FAMILIES, type FamilyRecord, LENGTHS_PER_FAMILY, allocateBuffers, decayMultiplier, scaledLambda } from '@adaptive-trend/core';
import { accumulateMa, accumulateThree } from './accumulate.js';
import { pineAverageSignal } from './average.js';
import { pineEquity, pineScaledReturns } from './equity.js';
import { pineRound2 } from './layer1.js';
import { ema3 } from '../kernels/moving-averages.js';
import { pineMovingAverage } from './moving-averages.js';

/** What the Pine pipeline reads: a subset of core's resolved config (same names and units). */
export interface PineConfig {
  /** The nine lengths per family in the script's order (MA, MA1..MA4, MA_1..MA_4). */
  readonly lengths: Readonly<FamilyRecord<readonly number[]>>;
  /** Layer-2 starting equity per family (`ema_w` …). */
  readonly weights: Readonly<FamilyRecord<number>>;
  /** `La` in user units; used as La/1000. */
  readonly lambda: number;
  /** `De` in percent; used as 1 − De/100. */
  readonly decay: number;
  readonly cutout: number;
}

/** The per-MA intermediates, for audits (ties) and `details`. */
export interface PineDetails {
  readonly movingAverages: FamilyRecord<Float64Array[]>;
  readonly maSignals: FamilyRecord<Int8Array[]>;
  readonly maEquities: FamilyRecord<Float64Array[]>;
}

export interface PineResult {
  /** Layer-1 signal per family (`EMA_Signal` …). */
  readonly signals: FamilyRecord<Float64Array>;
  /** Layer-2 equity per family (`EMA_S` …). */
  readonly equities: FamilyRecord<Float64Array>;
  readonly averageSignal: Float64Array;
  readonly details?: PineDetails;
}

/**
 * Where the pipeline writes: core's buffer layout with `n` bars per row. `outputs`: 13 rows
 * (Layer 1 × 6, Layer 2 × 6, Average_Signal); the optional details: 9 rows per family,
 * family-major, in each family's length order.
 */
export interface PineBuffers {
  readonly outputs: Float64Array;
  readonly movingAverages?: Float64Array | undefined;
  readonly maSignals?: Int8Array | undefined;
  readonly maEquities?: Float64Array | undefined;
}

/** Scratch arrays reused across calls of the same size: no per-call allocation but the outputs. */
function makeScratch(n: number) {
  const f64 = () => new Float64Array(n);
  return { n, mas: [f64(), f64(), f64()] as const, inner: f64(), r: f64(), num: f64(), den: f64() };
}
let scratch = makeScratch(0);
function scratchFor(n: number): typeof scratch {
  if (scratch.n !== n) scratch = makeScratch(n);
  return scratch;
}

/**
 * Runs the script on `close` into `buffers` (rows of `close.length` bars). `source` (default
 * `close`) feeds the MAs only: the script's `src` input; `R` and the crossovers use `close`.
 * Returns the growth check's verdict from the cutout bar on ({@link pineAverageSignal}).
 */
export function runPine(close: Float64Array, config: PineConfig, buffers: PineBuffers, source: Float64Array = close): number {
  const n = close.length;
  if (source.length !== n) throw new RangeError(`source has ${source.length} bars, close has ${n}`);
  const { mas, inner, r, num, den } = scratchFor(n);
  const d = decayMultiplier(config);
  pineScaledReturns(close, scaledLambda(config), config.cutout, r);
  const row = <T extends Float64Array | Int8Array>(buffer: T, index: number) => rowOf(buffer, index, n);
  const { outputs, movingAverages, maSignals, maEquities } = buffers;
  FAMILIES.forEach((family, f) => {
    num.fill(0);
    den.fill(0);
    const lengths = config.lengths[family];
    if (movingAverages || maSignals || maEquities) {
      lengths.forEach((length, k) => {
        const index = f * LENGTHS_PER_FAMILY + k;
        const target = movingAverages ? row(movingAverages, index) : mas[0];
        pineMovingAverage(family, source, length, target, inner);
        accumulateMa(close, target, r, d, config.cutout, num, den, maSignals && row(maSignals, index), maEquities && row(maEquities, index));
      });
    } else {
      // three MAs per pass (their equity recurrences overlap), same sums in the same order
      let k = 0;
      for (; k + 3 <= lengths.length; k += 3) {
        if (family === 'ema') ema3(source, lengths[k]!, lengths[k + 1]!, lengths[k + 2]!, mas[0], mas[1], mas[2]); // = three ema calls, bit for bit
        else for (let j = 0; j < 3; j++) pineMovingAverage(family, source, lengths[k + j]!, mas[j]!, inner);
        accumulateThree(close, mas[0], mas[1], mas[2], r, d, config.cutout, num, den);
      }
      for (; k < lengths.length; k++) {
        pineMovingAverage(family, source, lengths[k]!, mas[0], inner);
        accumulateMa(close, mas[0], r, d, config.cutout, num, den);
      }
    }
    // Layer 1 (`Signal(...)`): na before the cutout, where the script's equities are na
    const layer1 = row(outputs, f);
    layer1.fill(NaN, 0, Math.min(config.cutout, n));
    for (let i = config.cutout; i < n; i++) {
      const q = num[i]! / den[i]!;
      layer1[i] = Number.isNaN(q) ? NaN : pineRound2(q);
    }
    pineEquity(r, layer1, config.weights[family], d, config.cutout, row(outputs, 6 + f));
  });
  return pineAverageSignal(FAMILIES.map((_, f) => row(outputs, f)), FAMILIES.map((_, f) => row(outputs, 6 + f)), row(outputs, 12), config.cutout);
}

/** Row `index` of a row-major buffer of `n`-bar rows. */
const rowOf = <T extends Float64Array | Int8Array>(buffer: T, index: number, n: number) => buffer.subarray(index * n, (index + 1) * n) as T;

/** {@link runPine} into new arrays, as named series (and the per-MA details when asked). */
export function computePine(close: Float64Array, config: PineConfig, options: { details?: boolean; source?: Float64Array } = {}): PineResult {
  const n = close.length;
  const buffers = allocateBuffers(n, options.details === true);
  runPine(close, config, buffers, options.source);
  const row = <T extends Float64Array | Int8Array>(buffer: T, index: number) => rowOf(buffer, index, n);
  const perFamily = <T>(make: (f: number) => T) => Object.fromEntries(FAMILIES.map((family, f) => [family, make(f)])) as FamilyRecord<T>;
  const nine = <T extends Float64Array | Int8Array>(buffer: T, f: number) => Array.from({ length: LENGTHS_PER_FAMILY }, (_, k) => row(buffer, f * LENGTHS_PER_FAMILY + k));
  const result = { signals: perFamily((f) => row(buffers.outputs, f)), equities: perFamily((f) => row(buffers.outputs, 6 + f)), averageSignal: row(buffers.outputs, 12) };
  if (!options.details) return result;
  const details: PineDetails = {
    movingAverages: perFamily((f) => nine(buffers.movingAverages!, f)),
    maSignals: perFamily((f) => nine(buffers.maSignals!, f)),
    maEquities: perFamily((f) => nine(buffers.maEquities!, f)),
  };
  return { ...result, details };
}
