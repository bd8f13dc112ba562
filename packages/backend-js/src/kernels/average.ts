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
      const c = l1 > longThreshold ? 1.0 : l1 < shortThreshold ? -1.0 : 0.0;
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
