import type { AtcBuffers, AtcKernels } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { familyWeight } from './config.js';
import { FAMILIES, type Family, LENGTHS_PER_FAMILY, type MaKind } from './families.js';

/** Number of output rows of {@link AtcBuffers.outputs}. */
export const OUTPUT_ROWS = 13;
/** Number of MAs (rows of the detail buffers). */
export const MA_COUNT = FAMILIES.length * LENGTHS_PER_FAMILY;

const FAMILY_KIND: { [F in Family]: MaKind } = { ema: 'ema', hma: 'hma', wma: 'wma', dema: 'dema', lsma: 'lsma', kama: 'kama' };

/** λ as the kernels use it (the reference divides the user value by 1000). */
export function scaledLambda(config: ResolvedAtcConfig): number {
  return config.lambda / 1000.0;
}

/** Per-bar equity multiplier `1 − De/100`. */
export function decayMultiplier(config: ResolvedAtcConfig): number {
  return 1.0 - config.decay / 100.0;
}

/** Allocates the buffers of one computation of `bars` output bars. */
export function allocateBuffers(bars: number, details: boolean, outputs?: Float64Array): AtcBuffers {
  return {
    outputs: outputs ?? new Float64Array(OUTPUT_ROWS * bars),
    movingAverages: details ? new Float64Array(MA_COUNT * bars) : undefined,
    maSignals: details ? new Int8Array(MA_COUNT * bars) : undefined,
    maEquities: details ? new Float64Array(MA_COUNT * bars) : undefined,
  };
}

/**
 * The ATC pipeline written once in terms of the {@link AtcKernels}: 54 MAs on the full
 * series, cutout, per-MA signals and equities, Layer 1, Layer 2, Average_Signal. Used by
 * backends without a fused path, and by the conformance suite to check fused paths against it.
 */
export function composeAtc(kernels: AtcKernels, prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers): void {
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

/**
 * Row 12 of `outputs` from rows 0–11: `Σ cut(L1)·E2 / Σ E2` over the families in order,
 * 0 where not finite; shifted one bar in strategy mode.
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
