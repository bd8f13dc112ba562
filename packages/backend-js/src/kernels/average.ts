import type { ResolvedAtcConfig } from '@adaptive-trend/core';

/**
 * Row 12 of `outputs` (Average_Signal) from rows 0–11 (`m` bars each): `Σ cut(L1)·E2 / Σ E2`
 * over the families in order, 0 where not finite; shifted one bar in strategy mode
 * (docs/kernels.md, "Layer 1, Layer 2, Average").
 *
 * Returns core's growth check on rows 0–11 (`firstNonFiniteOutputBar`), found in this loop so
 * no pass re-reads the outputs: the first bar whose Layer-1 signals are not all finite or
 * whose Layer-2 sum is not finite, −1 if none. `den` is that sum in the check's order
 * (`0.0 + E0` is `E0`: equities are ≥ 0.25 or NaN, never −0). Adding the Layer-1 values to it
 * keeps the verdict: finite ones lie in [−1, 1] and cannot make a finite sum overflow, and a
 * NaN or ±∞ one makes the total NaN or ±∞, in any order.
 *
 * @example
 * ```ts
 * const bad = averageSignal(buffers.outputs, prices.length - config.cutout, config); // −1: all finite
 * ```
 */
export function averageSignal(outputs: Float64Array, m: number, config: ResolvedAtcConfig): number {
  const { longThreshold, shortThreshold } = config;
  const avg = outputs.subarray(12 * m, 13 * m);
  let firstNonFinite = -1;
  for (let i = 0; i < m; i++) {
    let nom = 0.0;
    let den = 0.0;
    let layer1 = 0.0;
    for (let f = 0; f < 6; f++) {
      const l1 = outputs[f * m + i]!;
      const e2 = outputs[(6 + f) * m + i]!;
      // cut(L1) = 1 / −1 / 0 without branches (Layer 1 crosses the thresholds often on real
      // data): long wins when both tests hold, as in `l1 > long ? 1 : l1 < short ? −1 : 0`
      const long = +(l1 > longThreshold);
      const c = long - (+(l1 < shortThreshold) & (long ^ 1));
      nom += c * e2;
      den += e2;
      layer1 += l1;
    }
    const q = nom / den;
    avg[i] = Number.isFinite(q) ? q : 0.0;
    // `t - t !== 0` exactly for NaN and ±Infinity (a branch almost never taken)
    const total = den + layer1;
    if (total - total !== 0 && firstNonFinite < 0) firstNonFinite = i;
  }
  if (config.strategyMode && m > 0) {
    avg.copyWithin(1, 0, m - 1);
    avg[0] = 0.0;
  }
  return firstNonFinite;
}
