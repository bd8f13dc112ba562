import type { ResolvedAtcConfig } from '@adaptive-trend/core';

/**
 * Row 12 of `outputs` (Average_Signal) from rows 0–11 (`m` bars each): `Σ cut(L1)·E2 / Σ E2`
 * over the families in order, 0 where not finite; shifted one bar in strategy mode
 * (docs/kernels.md, "Layer 1, Layer 2, Average").
 *
 * @example
 * ```ts
 * averageSignal(buffers.outputs, prices.length - config.cutout, config);
 * ```
 */
export function averageSignal(outputs: Float64Array, m: number, config: ResolvedAtcConfig): void {
  const { longThreshold, shortThreshold } = config;
  const avg = outputs.subarray(12 * m, 13 * m);
  for (let i = 0; i < m; i++) {
    let nom = 0.0;
    let den = 0.0;
    for (let f = 0; f < 6; f++) {
      const l1 = outputs[f * m + i]!;
      const e2 = outputs[(6 + f) * m + i]!;
      // cut(L1) = 1 / −1 / 0 without branches (Layer 1 crosses the thresholds often on real
      // data): long wins when both tests hold, as in `l1 > long ? 1 : l1 < short ? −1 : 0`
      const long = +(l1 > longThreshold);
      const c = long - (+(l1 < shortThreshold) & (long ^ 1));
      nom += c * e2;
      den += e2;
    }
    const q = nom / den;
    avg[i] = Number.isFinite(q) ? q : 0.0;
  }
  if (config.strategyMode && m > 0) {
    avg.copyWithin(1, 0, m - 1);
    avg[0] = 0.0;
  }
}
