// The whole ATC pipeline in one pass per MA, for speed: the crossover state, the MA's equity
// and the Layer-1 sums are advanced together bar by bar instead of in separate kernel calls
// over separate arrays. Operation order is exactly the composed kernels' (docs/kernels.md),
// so the result is bit-identical to `composeAtcFromKernels` (the conformance suite checks it).
import {
  type AtcBuffers,
  FAMILIES,
  type Family,
  LENGTHS_PER_FAMILY,
  type ResolvedAtcConfig,
  decayMultiplier,
  familyWeight,
  scaledLambda,
} from '@adaptive-trend/core';
import { averageSignal } from './kernels/average.js';
import { EQUITY_FLOOR, equityCurve, rateOfChange } from './kernels/equity.js';
import { fdlibmExp } from './kernels/exp.js';
import { layer1Round } from './kernels/layer1.js';
import { dema, dema3, ema, ema3, hma, kama, kama3, lsma, wma } from './kernels/moving-averages.js';

/** Scratch arrays reused across calls of the same (or smaller) size: no per-call allocation. */
class Scratch {
  n = -1;
  ma = new Float64Array(0);
  ma1 = new Float64Array(0);
  ma2 = new Float64Array(0);
  maScratch = new Float64Array(0);
  returns = new Float64Array(0);
  returnsOrZero = new Float64Array(0);
  num = new Float64Array(0);
  den = new Float64Array(0);
  growthLambda = NaN;
  growthBars = 0;
  growth = new Float64Array(0);

  ensure(n: number): void {
    if (n === this.n) return;
    this.n = n;
    this.ma = new Float64Array(n);
    this.ma1 = new Float64Array(n);
    this.ma2 = new Float64Array(n);
    this.maScratch = new Float64Array(n);
    this.returns = new Float64Array(n);
    this.returnsOrZero = new Float64Array(n);
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

/** Three lengths of one family into `scratch.ma`, `ma1`, `ma2` (latency-bound kinds together). */
function movingAveragesInto3(family: Family, x: Float64Array, l0: number, l1: number, l2: number, scratch: Scratch): void {
  const { ma, ma1, ma2, maScratch } = scratch;
  switch (family) {
    case 'ema': return ema3(x, l0, l1, l2, ma, ma1, ma2);
    case 'dema': return dema3(x, l0, l1, l2, ma, ma1, ma2);
    case 'kama': return kama3(x, l0, l1, l2, ma, ma1, ma2);
    default:
      movingAverageInto(family, x, l0, ma, maScratch);
      movingAverageInto(family, x, l1, ma1, maScratch);
      movingAverageInto(family, x, l2, ma2, maScratch);
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

/**
 * {@link accumulateMa} for three MAs at once: three independent equity recurrences in one loop
 * overlap in the CPU pipeline (each alone is latency-bound). The sums still add the rows in
 * order k, k+1, k+2, so the bits equal three separate passes.
 *
 * Branch-free, because the crossover tests are data-dependent (mispredicted branches dominated
 * this loop): `rz` holds the returns with NaN replaced by 0 and must be all finite (the caller
 * checks), so with the held state s ∈ {−1, 0, 1} the factor `1 + s·rz` is exactly the kernel's
 * `1 + a` (s·rz is −r, ±0 or r, and 1 + (±0) = 1); `Math.max(v, 0.25)` is the floor, NaN
 * included; booleans combine with `&` into 0/1 and `t + s·(1 − t²)` sets or keeps the state.
 */
function accumulateThree(p: Float64Array, m0: Float64Array, m1: Float64Array, m2: Float64Array, rz: Float64Array, d: number, num: Float64Array, den: Float64Array): void {
  const m = p.length;
  let s0 = 0, s1 = 0, s2 = 0;
  let e0 = 1.0, e1 = 1.0, e2 = 1.0;
  num[0] = num[0]! + 0 * e0 + 0 * e1 + 0 * e2;
  den[0] = den[0]! + e0 + e1 + e2;
  let pp = p[0]!, y0 = m0[0]!, y1 = m1[0]!, y2 = m2[0]!;
  for (let i = 1; i < m; i++) {
    const rr = rz[i]!;
    e0 = Math.max(e0 * d * (1.0 + s0 * rr), EQUITY_FLOOR);
    e1 = Math.max(e1 * d * (1.0 + s1 * rr), EQUITY_FLOOR);
    e2 = Math.max(e2 * d * (1.0 + s2 * rr), EQUITY_FLOOR);
    const pi = p[i]!, x0 = m0[i]!, x1 = m1[i]!, x2 = m2[i]!;
    const t0 = (+(pi > x0) & +(pp <= y0)) - (+(pi < x0) & +(pp >= y0));
    const t1 = (+(pi > x1) & +(pp <= y1)) - (+(pi < x1) & +(pp >= y1));
    const t2 = (+(pi > x2) & +(pp <= y2)) - (+(pi < x2) & +(pp >= y2));
    s0 = t0 + s0 * (1 - t0 * t0);
    s1 = t1 + s1 * (1 - t1 * t1);
    s2 = t2 + s2 * (1 - t2 * t2);
    num[i] = num[i]! + s0 * e0 + s1 * e1 + s2 * e2;
    den[i] = den[i]! + e0 + e1 + e2;
    pp = pi; y0 = x0; y1 = x1; y2 = x2;
  }
}

/**
 * Layer 2 of one family: {@link equityCurve} of `layer1` (cutout 0) over the returns `rz` (NaN
 * replaced by 0, all finite — the caller checks), branch-free: the sign of the previous bar's
 * Layer 1 flips often on real data, and `equityCurve`'s `q > 0` / `q < 0` branches were
 * mispredicted. `σ = (q > 0) − (q < 0)` is 1, −1 or 0 (NaN: 0), so `1 + σ·rz` is exactly the
 * kernel's `1 + a` (σ·rz is r, −r or ±0, and 1 + (±0) = 1; a NaN return is 0 either way);
 * `Math.max(v, 0.25)` is the floor (NaN stays NaN), measurably faster in V8 than the `if`.
 */
function layer2Finite(rz: Float64Array, layer1: Float64Array, startingEquity: number, d: number, out: Float64Array): void {
  const m = out.length;
  if (m === 0) return;
  let e = startingEquity < EQUITY_FLOOR ? EQUITY_FLOOR : startingEquity;
  out[0] = e;
  let q = layer1[0]!;
  for (let i = 1; i < m; i++) {
    const sign = +(q > 0) - +(q < 0);
    e = Math.max(e * d * (1.0 + sign * rz[i]!), EQUITY_FLOOR);
    out[i] = e;
    q = layer1[i]!;
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
    const rz = scratch.returnsOrZero.subarray(0, m);
    let returnsFinite = true;
    for (let i = 1; i < m; i++) {
      const v = r[i]! * growth[i]!;
      r[i] = v;
      rz[i] = v === v ? v : 0.0;
      returnsFinite &&= v === v ? Number.isFinite(v) : true;
    }
    const d = decayMultiplier(config);
    const num = scratch.num.subarray(0, m);
    const den = scratch.den.subarray(0, m);
    const { outputs, movingAverages, maSignals, maEquities } = buffers;

    FAMILIES.forEach((family, f) => {
      num.fill(0);
      den.fill(0);
      const lengths = config.lengths[family];
      if (movingAverages || maSignals || maEquities) {
        lengths.forEach((length, k) => {
          movingAverageInto(family, prices, length, scratch.ma, scratch.maScratch);
          const maCut = scratch.ma.subarray(cut);
          const row = (f * LENGTHS_PER_FAMILY + k) * m;
          movingAverages?.set(maCut, row);
          accumulateMa(p, maCut, r, d, num, den, maSignals?.subarray(row, row + m), maEquities?.subarray(row, row + m));
        });
      } else if (returnsFinite) {
        for (let k = 0; k < lengths.length; k += 3) {
          movingAveragesInto3(family, prices, lengths[k]!, lengths[k + 1]!, lengths[k + 2]!, scratch);
          accumulateThree(p, scratch.ma.subarray(cut), scratch.ma1.subarray(cut), scratch.ma2.subarray(cut), rz, d, num, den);
        }
      } else {
        // an infinite scaled return (a price ratio beyond 1.8e308): the general per-MA loop
        lengths.forEach((length) => {
          movingAverageInto(family, prices, length, scratch.ma, scratch.maScratch);
          accumulateMa(p, scratch.ma.subarray(cut), r, d, num, den, undefined, undefined);
        });
      }
      const layer1 = outputs.subarray(f * m, (f + 1) * m);
      for (let i = 0; i < m; i++) layer1[i] = layer1Round(num[i]! / den[i]!);
      const layer2 = outputs.subarray((6 + f) * m, (7 + f) * m);
      if (returnsFinite) layer2Finite(rz, layer1, familyWeight(config, family), d, layer2);
      else equityCurve(r, layer1, familyWeight(config, family), d, 0, layer2);
    });
    averageSignal(outputs, m, config);
  };
}
