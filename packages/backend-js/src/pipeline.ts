// The whole ATC pipeline in one pass per MA, for speed: the crossover state, the MA's equity
// and the Layer-1 sums are advanced together bar by bar instead of in separate kernel calls
// over separate arrays. Operation order is exactly the composed kernels' (docs/kernels.md),
// so the result is bit-identical to `composeAtc` (the conformance suite checks it).
import {
  type AtcBuffers,
  FAMILIES,
  type Family,
  LENGTHS_PER_FAMILY,
  type ResolvedAtcConfig,
  averageSignal,
  decayMultiplier,
  familyWeight,
  scaledLambda,
} from '@adaptive-trend/core';
import { equityCurve, rateOfChange } from './kernels/equity.js';
import { fdlibmExp } from './kernels/exp.js';
import { round2 } from './kernels/layer1.js';
import { dema, ema, hma, kama, lsma, wma } from './kernels/moving-averages.js';

const EQUITY_FLOOR = 0.25;

/** Scratch arrays reused across calls of the same (or smaller) size: no per-call allocation. */
class Scratch {
  n = -1;
  ma = new Float64Array(0);
  maScratch = new Float64Array(0);
  returns = new Float64Array(0);
  num = new Float64Array(0);
  den = new Float64Array(0);
  growthLambda = NaN;
  growthBars = 0;
  growth = new Float64Array(0);

  ensure(n: number): void {
    if (n === this.n) return;
    this.n = n;
    this.ma = new Float64Array(n);
    this.maScratch = new Float64Array(n);
    this.returns = new Float64Array(n);
    this.num = new Float64Array(n);
    this.den = new Float64Array(n);
    this.growth = new Float64Array(n);
    this.growthLambda = NaN;
    this.growthBars = 0;
  }

  /** `exp(λ·max(i,1))` for bars 0..m−1, recomputed only when λ or the size changes. */
  growthFor(lambdaScaled: number, m: number): Float64Array {
    if (this.growthLambda !== lambdaScaled || this.growthBars < m) {
      for (let i = 0; i < m; i++) this.growth[i] = fdlibmExp(lambdaScaled * (i === 0 ? 1 : i));
      this.growthLambda = lambdaScaled;
      this.growthBars = m;
    }
    return this.growth;
  }
}

function movingAverageInto(family: Family, x: Float64Array, length: number, out: Float64Array, scratch: Float64Array): void {
  switch (family) {
    case 'ema': return ema(x, length, out);
    case 'hma': return hma(x, length, out, scratch);
    case 'wma': return wma(x, length, out);
    case 'dema': return dema(x, length, out, scratch);
    case 'lsma': return lsma(x, length, out);
    case 'kama': return kama(x, length, out);
  }
}

/**
 * Signal and equity of one MA in one loop, adding `s·E` and `E` to the family's Layer-1 sums.
 * Writes the per-MA rows when detail buffers are given.
 */
function accumulateMa(
  p: Float64Array,
  ma: Float64Array,
  r: Float64Array,
  d: number,
  num: Float64Array,
  den: Float64Array,
  signalRow: Int8Array | undefined,
  equityRow: Float64Array | undefined,
): void {
  const m = p.length;
  let state = 0;
  let e = 1.0;
  num[0] = num[0]! + 0 * e;
  den[0] = den[0]! + e;
  if (signalRow) signalRow[0] = 0;
  if (equityRow) equityRow[0] = e;
  for (let i = 1; i < m; i++) {
    const ri = r[i]!;
    let a = 0.0;
    if (ri === ri) {
      if (state > 0) a = ri;
      else if (state < 0) a = -ri;
    }
    e = e * d * (1.0 + a);
    if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
    const pi = p[i]!, mi = ma[i]!, pp = p[i - 1]!, mp = ma[i - 1]!;
    if (pi > mi && pp <= mp) state = 1;
    else if (pi < mi && pp >= mp) state = -1;
    num[i] = num[i]! + state * e;
    den[i] = den[i]! + e;
    if (signalRow) signalRow[i] = state;
    if (equityRow) equityRow[i] = e;
  }
}

/** A fused `computeAtc` with its own reusable scratch (one per backend instance). */
export function createFusedPipeline(): (prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers) => void {
  const scratch = new Scratch();
  return (prices, config, buffers) => {
    const n = prices.length;
    const cut = config.cutout;
    const m = n - cut;
    scratch.ensure(n);
    const p = prices.subarray(cut);
    const r = scratch.returns.subarray(0, m);
    rateOfChange(p, r);
    const growth = scratch.growthFor(scaledLambda(config), m);
    for (let i = 1; i < m; i++) r[i] = r[i]! * growth[i]!;
    const d = decayMultiplier(config);
    const num = scratch.num.subarray(0, m);
    const den = scratch.den.subarray(0, m);
    const { outputs, movingAverages, maSignals, maEquities } = buffers;

    FAMILIES.forEach((family, f) => {
      num.fill(0);
      den.fill(0);
      config.lengths[family].forEach((length, k) => {
        movingAverageInto(family, prices, length, scratch.ma, scratch.maScratch);
        const maCut = scratch.ma.subarray(cut);
        const row = (f * LENGTHS_PER_FAMILY + k) * m;
        movingAverages?.set(maCut, row);
        accumulateMa(p, maCut, r, d, num, den, maSignals?.subarray(row, row + m), maEquities?.subarray(row, row + m));
      });
      const layer1 = outputs.subarray(f * m, (f + 1) * m);
      for (let i = 0; i < m; i++) {
        const q = num[i]! / den[i]!;
        layer1[i] = Number.isFinite(q) ? round2(q) : NaN;
      }
      equityCurve(r, layer1, familyWeight(config, family), d, 0, outputs.subarray((6 + f) * m, (7 + f) * m));
    });
    averageSignal(outputs, m, config);
  };
}
