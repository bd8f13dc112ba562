// The ATC pipeline written once in terms of the kernels, one call per step: the readable
// reference every fused pipeline (this package's, atc-kernels' for native and wasm) must equal
// bit for bit. The conformance suite runs it on each backend's own kernels.
import {
  type AtcBuffers,
  type AtcKernels,
  FAMILIES,
  type Family,
  LENGTHS_PER_FAMILY,
  type MaKind,
  type ResolvedAtcConfig,
  decayMultiplier,
  familyWeight,
  scaledLambda,
} from '@adaptive-trend/core';
import { averageSignal } from './kernels/average.js';

const FAMILY_KIND: { [F in Family]: MaKind } = { ema: 'ema', hma: 'hma', wma: 'wma', dema: 'dema', lsma: 'lsma', kama: 'kama' };

/**
 * The reference composition: 54 MAs on the full series, cutout, per-MA signals and equities,
 * Layer 1, Layer 2 (all through `kernels`), then Average_Signal. Fills `buffers` exactly as a
 * backend's `computeAtc` must. Inputs are expected validated (as core validates them).
 *
 * @example
 * ```ts
 * import { allocateBuffers, outputBars, resolveConfig } from '@adaptive-trend/core';
 * import { composeAtcFromKernels } from '@adaptive-trend/backend-js';
 * const config = resolveConfig({});
 * const composed = allocateBuffers(outputBars(config, prices.length), true);
 * composeAtcFromKernels(backend, prices, config, composed); // compare with backend.computeAtc
 * ```
 */
export function composeAtcFromKernels(kernels: AtcKernels, prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers): void {
  const n = prices.length;
  const cut = config.cutout;
  const m = n - cut;
  const p = prices.subarray(cut);
  const returns = new Float64Array(m);
  kernels.scaledReturns(p, scaledLambda(config), returns);
  const d = decayMultiplier(config);
  const ma = new Float64Array(n);
  const signalAsFloat = new Float64Array(m);
  const signals = new Int8Array(LENGTHS_PER_FAMILY * m);
  const equities = new Float64Array(LENGTHS_PER_FAMILY * m);
  const { outputs } = buffers;

  FAMILIES.forEach((family, f) => {
    config.lengths[family].forEach((length, k) => {
      kernels.movingAverage(FAMILY_KIND[family], prices, length, ma);
      const maCut = ma.subarray(cut);
      const signal = signals.subarray(k * m, (k + 1) * m);
      const equity = equities.subarray(k * m, (k + 1) * m);
      kernels.crossoverSignal(p, maCut, signal);
      signalAsFloat.set(signal);
      kernels.equityCurve(returns, signalAsFloat, 1.0, d, 0, equity);
      const row = (f * LENGTHS_PER_FAMILY + k) * m;
      buffers.movingAverages?.set(maCut, row);
      buffers.maSignals?.set(signal, row);
      buffers.maEquities?.set(equity, row);
    });
    const layer1 = outputs.subarray(f * m, (f + 1) * m);
    kernels.layer1Signal(signals, equities, layer1);
    kernels.equityCurve(returns, layer1, familyWeight(config, family), d, 0, outputs.subarray((6 + f) * m, (7 + f) * m));
  });
  averageSignal(outputs, m, config);
}
