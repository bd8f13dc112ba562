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
  const lengths = Int32Array.from(FAMILIES.flatMap((f) => config.lengths[f]));
  const perMa = (value: (length: number) => number) => Float64Array.from(lengths, value);
  const windowAt = new Int32Array(LENGTHS_PER_FAMILY);
  let at = layout.windows;
  layout.windowLengths.forEach((length, k) => {
    windowAt[k] = at;
    at += length;
  });
  // the expressions below are the batch kernels' (ema/emaFrom, wmaFrom, hullDiff/hma, linregAt)
  const alpha = perMa((l) => 2 / (l + 1));
  const keep = Float64Array.from(alpha, (a) => 1 - a);
  return {
    pine: config.semantics === 'pine',
    layout,
    cutout: config.cutout,
    lambdaScaled: scaledLambda(config),
    d: decayMultiplier(config),
    weights: Float64Array.from(FAMILIES, (f) => {
      const w = familyWeight(config, f);
      return w < EQUITY_FLOOR ? EQUITY_FLOOR : w;
    }),
    longThreshold: config.longThreshold,
    shortThreshold: config.shortThreshold,
    strategyMode: config.strategyMode,
    lengths,
    alpha,
    keep,
    den: Float64Array.from(alpha, (a, q) => keep[q]! + a),
    triangle: perMa((l) => (l * (l + 1)) / 2),
    half: Int32Array.from(lengths, (l) => Math.floor(l / 2)),
    halfTriangle: perMa((l) => (Math.floor(l / 2) * (Math.floor(l / 2) + 1)) / 2),
    root: Int32Array.from(lengths, (l) => Math.floor(Math.sqrt(l))),
    rootTriangle: perMa((l) => (Math.floor(Math.sqrt(l)) * (Math.floor(Math.sqrt(l)) + 1)) / 2),
    sxx: perMa((l) => (((l * (l + 1)) / 2) * (2 * l + 1)) / 3),
    det: perMa((l) => {
      const sx = (l * (l + 1)) / 2;
      const sxx = (sx * (2 * l + 1)) / 3;
      return l * sxx - sx * sx;
    }),
    windowAt,
  };
}
