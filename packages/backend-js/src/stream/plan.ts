// Everything a stream step needs from its config, derived once per stream (or set): the state
// layout (core's streamLayout), the 54 lengths and their per-MA constants, computed with the
// batch kernels' own expressions so every division and product has the same bits.
import {
  FAMILIES,
  LENGTHS_PER_FAMILY,
  type ResolvedAtcConfig,
  type StreamLayout,
  decayMultiplier,
  familyWeight,
  scaledLambda,
  streamLayout,
} from '@adaptive-trend/core';
import { EQUITY_FLOOR } from '../kernels/equity.js';

/** A config's step constants. */
export interface StreamPlan {
  readonly pine: boolean;
  /** Core's state layout: MA q's ten slots at `layout.mas + 10·q`, family f's three at `layout.families + 3·f`. */
  readonly layout: StreamLayout;
  readonly cutout: number;
  readonly lambdaScaled: number;
  /** Per-bar decay multiplier `1 − De/100`. */
  readonly d: number;
  /** Layer-2 starting equity per family, floored as `equityCurve` floors it. */
  readonly weights: Float64Array;
  readonly longThreshold: number;
  readonly shortThreshold: number;
  readonly strategyMode: boolean;
  /** Length of MA q. */
  readonly lengths: Int32Array;
  /** EMA coefficients of MA q (EMA and DEMA families): `α = 2/(L+1)`, `w = 1 − α`, `den = w + α`. */
  readonly alpha: Float64Array;
  readonly keep: Float64Array;
  readonly den: Float64Array;
  /** WMA/LSMA divisor `L(L+1)/2` of MA q (LSMA: `Σx`). */
  readonly triangle: Float64Array;
  /** HMA (reference): half length, its divisor, `⌊√L⌋` and its divisor. */
  readonly half: Int32Array;
  readonly halfTriangle: Float64Array;
  readonly root: Int32Array;
  readonly rootTriangle: Float64Array;
  /** LSMA: `Σx²` and the determinant of the normal equations. */
  readonly sxx: Float64Array;
  readonly det: Float64Array;
  /** Offset of the window of the family's k-th MA (reference: HMA diffs; Pine: DEMA e1 values). */
  readonly windowAt: Int32Array;
}

/**
 * The plan of `config`.
 *
 * @example
 * ```ts
 * const plan = planStream(resolveConfig({ semantics: 'pine' }));
 * plan.layout.length; // streamStateLength(config)
 * ```
 */
export function planStream(config: ResolvedAtcConfig): StreamPlan {
  const layout = streamLayout(config);
  const lengths = new Int32Array(FAMILIES.length * LENGTHS_PER_FAMILY);
  FAMILIES.forEach((f, i) => lengths.set(config.lengths[f], i * LENGTHS_PER_FAMILY));
  const windowAt = new Int32Array(LENGTHS_PER_FAMILY);
  let at = layout.windows;
  layout.windowLengths.forEach((length, k) => {
    windowAt[k] = at;
    at += length;
  });
  // plain loops: `TypedArray.from(source, map)` goes through the iterator protocol and cost
  // most of a stream's creation (≈ 100 µs of garbage), which pushMany's budget counts
  const count = lengths.length;
  const alpha = new Float64Array(count), keep = new Float64Array(count), den = new Float64Array(count);
  const triangle = new Float64Array(count), halfTriangle = new Float64Array(count), rootTriangle = new Float64Array(count);
  const half = new Int32Array(count), root = new Int32Array(count);
  const sxx = new Float64Array(count), det = new Float64Array(count);
  for (let q = 0; q < count; q++) {
    // the batch kernels' expressions (ema/emaFrom, wmaFrom, hullDiff/hma, linregAt)
    const l = lengths[q]!;
    alpha[q] = 2 / (l + 1);
    keep[q] = 1 - alpha[q]!;
    den[q] = keep[q]! + alpha[q]!;
    triangle[q] = (l * (l + 1)) / 2;
    half[q] = Math.floor(l / 2);
    halfTriangle[q] = (Math.floor(l / 2) * (Math.floor(l / 2) + 1)) / 2;
    root[q] = Math.floor(Math.sqrt(l));
    rootTriangle[q] = (Math.floor(Math.sqrt(l)) * (Math.floor(Math.sqrt(l)) + 1)) / 2;
    const sx = (l * (l + 1)) / 2;
    sxx[q] = (sx * (2 * l + 1)) / 3;
    det[q] = l * sxx[q]! - sx * sx;
  }
  const weights = new Float64Array(FAMILIES.length);
  FAMILIES.forEach((f, i) => {
    const w = familyWeight(config, f);
    weights[i] = w < EQUITY_FLOOR ? EQUITY_FLOOR : w;
  });
  return {
    pine: config.semantics === 'pine',
    layout,
    cutout: config.cutout,
    lambdaScaled: scaledLambda(config),
    d: decayMultiplier(config),
    weights,
    longThreshold: config.longThreshold,
    shortThreshold: config.shortThreshold,
    strategyMode: config.strategyMode,
    lengths,
    alpha,
    keep,
    den,
    triangle,
    half,
    halfTriangle,
    root,
    rootTriangle,
    sxx,
    det,
    windowAt,
  };
}
