// ATC as the Pine script computes it, end to end, on the full series (no slicing): the 54 MAs,
// their crossover signals on `close`, their equities, Layer 1, Layer 2 and Average_Signal.
// Every output has n values, NaN where Pine has na.
import { FAMILIES, type Family, type FamilyRecord } from '@adaptive-trend/core';
import { accumulateMa } from './accumulate.js';
import { pineAverageSignal } from './average.js';
import { pineEquity, pineScaledReturns } from './equity.js';
import { pineRound2 } from './layer1.js';
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
 * Runs the script on `close`. `source` (default `close`) feeds the MAs only: the script's
 * `src` input; `R` and the crossovers always use `close`.
 */
export function computePine(close: Float64Array, config: PineConfig, options: { details?: boolean; source?: Float64Array } = {}): PineResult {
  const n = close.length;
  const source = options.source ?? close;
  if (source.length !== n) throw new RangeError(`source has ${source.length} bars, close has ${n}`);
  const lambdaScaled = config.lambda / 1000;
  const d = 1 - config.decay / 100;
  const r = new Float64Array(n);
  pineScaledReturns(close, lambdaScaled, config.cutout, r);

  const scratch = new Float64Array(n);
  const num = new Float64Array(n);
  const den = new Float64Array(n);
  const signals = {} as FamilyRecord<Float64Array>;
  const equities = {} as FamilyRecord<Float64Array>;
  const details = options.details ? { movingAverages: {}, maSignals: {}, maEquities: {} } as PineDetails : undefined;
  let ma = new Float64Array(n);
  for (const family of FAMILIES) {
    num.fill(0);
    den.fill(0);
    for (const length of config.lengths[family]) {
      if (details) ma = new Float64Array(n);
      pineMovingAverage(family, source, length, ma, scratch);
      if (details) {
        const signal = new Int8Array(n), equity = new Float64Array(n);
        accumulateMa(close, ma, r, d, config.cutout, num, den, signal, equity);
        keep(details, family, ma, signal, equity);
      } else accumulateMa(close, ma, r, d, config.cutout, num, den);
    }
    // Layer 1 (`Signal(...)`): na before the cutout, where the script's equities are na
    const layer1 = new Float64Array(n);
    layer1.fill(NaN, 0, Math.min(config.cutout, n));
    for (let i = config.cutout; i < n; i++) {
      const q = num[i]! / den[i]!;
      layer1[i] = Number.isNaN(q) ? NaN : pineRound2(q);
    }
    const layer2 = new Float64Array(n);
    pineEquity(r, layer1, config.weights[family], d, config.cutout, layer2);
    signals[family] = layer1;
    equities[family] = layer2;
  }
  const averageSignal = new Float64Array(n);
  pineAverageSignal(FAMILIES.map((f) => signals[f]), FAMILIES.map((f) => equities[f]), averageSignal);
  return details ? { signals, equities, averageSignal, details } : { signals, equities, averageSignal };
}

function keep(details: PineDetails, family: Family, ma: Float64Array, signal: Int8Array, equity: Float64Array): void {
  (details.movingAverages[family] ??= []).push(ma);
  (details.maSignals[family] ??= []).push(signal);
  (details.maEquities[family] ??= []).push(equity);
}
