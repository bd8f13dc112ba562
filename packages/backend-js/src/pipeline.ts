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
import { dema, dema3, ema, ema3, hma, hmaFromWma, kama, kama3, lsma, wma, wmaAndLsma } from './kernels/moving-averages.js';

/** Scratch arrays reused across calls of the same (or smaller) size: no per-call allocation. */
class Scratch {
  n = -1;
  ma = new Float64Array(0);
  maScratch = new Float64Array(0);
  returns = new Float64Array(0);
  returnsOrZero = new Float64Array(0);
  num = new Float64Array(0);
  den = new Float64Array(0);
  growthLambda = NaN;
  growthBars = 0;
  growth = new Float64Array(0);
  // nine rows of n bars each, allocated on first use: the per-MA (details) path needs neither
  private laneRows = new Float64Array(0);
  private keptWmaRows = new Float64Array(0);

  ensure(n: number): void {
    if (n === this.n) return;
    this.n = n;
    this.ma = new Float64Array(n);
    this.maScratch = new Float64Array(n);
    this.returns = new Float64Array(n);
    this.returnsOrZero = new Float64Array(n);
    this.num = new Float64Array(n);
    this.den = new Float64Array(n);
    this.growth = new Float64Array(n);
    this.growthLambda = NaN;
    this.growthBars = 0;
    this.laneRows = new Float64Array(0);
    this.keptWmaRows = new Float64Array(0);
  }

  /** A family's nine MAs, rows of `n` bars in the family's length order ({@link familyPass}'s input). */
  lanes(): Float64Array {
    if (this.laneRows.length === 0) this.laneRows = new Float64Array(LENGTHS_PER_FAMILY * this.n);
    return this.laneRows;
  }

  /** The WMA family's rows, kept while the HMA family reads them ({@link sharedWmaFamilies}). */
  wmaRows(): Float64Array {
    if (this.keptWmaRows.length === 0) this.keptWmaRows = new Float64Array(LENGTHS_PER_FAMILY * this.n);
    return this.keptWmaRows;
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

const sameLengths = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, k) => v === b[k]);

/** Row `k` of nine rows of `n` bars. */
const rowOf = (rows: Float64Array, k: number, n: number): Float64Array => rows.subarray(k * n, (k + 1) * n);

/**
 * The families that share the WMA family's running sums, run first through `run` when the HMA or
 * LSMA family has the WMA family's lengths (the default config: every family at length 28):
 * LSMA's sums are WMA's (`wmaAndLsma`: both from one pass) and HMA's `WMA(x, L)` term is the WMA
 * row itself (`hmaFromWma`) — the same operations, one pass fewer per shared MA. Returns the
 * families it ran (the outputs do not depend on the order families run in).
 */
function sharedWmaFamilies(x: Float64Array, lengths: ResolvedAtcConfig['lengths'], scratch: Scratch, run: (family: Family, mas: Float64Array) => void): Family[] {
  const hma = sameLengths(lengths.hma, lengths.wma);
  const lsma = sameLengths(lengths.lsma, lengths.wma);
  if (!hma && !lsma) return [];
  const n = x.length;
  const mas = scratch.lanes();
  const wmaRows = scratch.wmaRows();
  lengths.wma.forEach((length, k) => {
    if (lsma) wmaAndLsma(x, length, rowOf(wmaRows, k, n), rowOf(mas, k, n));
    else wma(x, length, rowOf(wmaRows, k, n));
  });
  if (lsma) run('lsma', mas);
  run('wma', wmaRows);
  if (hma) {
    lengths.hma.forEach((length, k) => hmaFromWma(x, length, rowOf(wmaRows, k, n), rowOf(mas, k, n), scratch.maScratch));
    run('hma', mas);
  }
  return ['wma', ...(lsma ? ['lsma' as const] : []), ...(hma ? ['hma' as const] : [])];
}

/** The nine MAs of one family into `scratch.lanes()` (row k = `lengths[k]`), the latency-bound kinds three lengths per loop. */
function familyMovingAverages(family: Family, x: Float64Array, lengths: readonly number[], scratch: Scratch): Float64Array {
  const n = x.length;
  const mas = scratch.lanes();
  const row = (k: number) => rowOf(mas, k, n);
  for (let k = 0; k < lengths.length; k += 3) {
    const l0 = lengths[k]!, l1 = lengths[k + 1]!, l2 = lengths[k + 2]!;
    switch (family) {
      case 'ema': ema3(x, l0, l1, l2, row(k), row(k + 1), row(k + 2)); break;
      case 'dema': dema3(x, l0, l1, l2, row(k), row(k + 1), row(k + 2)); break;
      case 'kama': kama3(x, l0, l1, l2, row(k), row(k + 1), row(k + 2)); break;
      default:
        movingAverageInto(family, x, l0, row(k), scratch.maScratch);
        movingAverageInto(family, x, l1, row(k + 1), scratch.maScratch);
        movingAverageInto(family, x, l2, row(k + 2), scratch.maScratch);
    }
  }
  return mas;
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
 * One family from its nine MAs to its Layer 1 and Layer 2, in one loop over the bars: the nine
 * crossover states and equities of {@link accumulateMa}, the Layer-1 sums, `layer1Round` and
 * the Layer-2 equity. The nine equity recurrences (and Layer 2's) are independent and overlap in
 * the CPU pipeline; the sums add the MAs in order k = 0..8 from 0.0 at each bar, the order of
 * nine separate passes, so the bits equal the composed kernels (the conformance suite checks).
 * One loop also reads prices and returns once per bar and never stores the sums.
 *
 * `mas` holds the MAs as rows of `n` bars (row k = length k of the family), read from bar
 * `cut`; `rz` holds the returns with NaN replaced by 0 and must be all finite (the caller
 * checks). The crossovers are branch-free, because their tests are data-dependent (mispredicted
 * branches dominated this loop): booleans combine with `&` into 0/1, t = up − down ∈ {−1, 0, 1},
 * and `s | …` below sets or keeps the held state s ∈ {−1, 0, 1}: `(t & 1) − 1` is 0 for t = ±1 and
 * −1 (all bits) for t = 0, so `t | (s & ((t & 1) − 1))` is t or s — int32 operations, where V8's
 * `t + s·(1 − t²)` carried overflow and −0 checks on every multiply. The factor `1 + s·rz` is
 * exactly the kernel's `1 + a` (s·rz is −r, ±0 or r, and 1 + (±0) = 1); the floor is
 * `v < 0.25 ? 0.25 : v` as in the kernel (NaN stays NaN; a predictable branch: an MA's equity
 * seldom crosses the floor, and the Math.max sequence is longer).
 * Layer 2 ({@link equityCurve} of Layer 1, cutout 0) takes the sign of the previous bar's Layer 1
 * as `σ = (q > 0) − (q < 0)` (1, −1, or 0 for 0 and NaN): `1 + σ·rz` is again the kernel's `1 + a`.
 */
function familyPass(p: Float64Array, mas: Float64Array, n: number, cut: number, rz: Float64Array, d: number, startingEquity: number, layer1: Float64Array, layer2: Float64Array): void {
  const m = p.length;
  if (m === 0) return;
  // unboxed double locals: TurboFan re-reads an imported binding (with a TDZ check) and re-checks
  // a parameter (small integer or heap number) every bar, hoisting neither, and a select between
  // an untyped value and a double keeps the result boxed (a heap number per bar)
  const floor = +EQUITY_FLOOR;
  const decay = +d;
  // row starts of the nine MAs at the cutout
  const o0 = cut, o1 = 1 * n + cut, o2 = 2 * n + cut, o3 = 3 * n + cut, o4 = 4 * n + cut, o5 = 5 * n + cut, o6 = 6 * n + cut, o7 = 7 * n + cut, o8 = 8 * n + cut;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0;
  let e0 = 1.0, e1 = 1.0, e2 = 1.0, e3 = 1.0, e4 = 1.0, e5 = 1.0, e6 = 1.0, e7 = 1.0, e8 = 1.0;
  let pp = p[0]!, y0 = mas[o0]!, y1 = mas[o1]!, y2 = mas[o2]!, y3 = mas[o3]!, y4 = mas[o4]!, y5 = mas[o5]!, y6 = mas[o6]!, y7 = mas[o7]!, y8 = mas[o8]!;
  // bar 0: every state 0 and every equity 1 (the sums as nine passes would add them)
  const num0 = 0.0 + 0 * e0 + 0 * e1 + 0 * e2 + 0 * e3 + 0 * e4 + 0 * e5 + 0 * e6 + 0 * e7 + 0 * e8;
  const den0 = 0.0 + e0 + e1 + e2 + e3 + e4 + e5 + e6 + e7 + e8;
  let q = layer1Round(num0 / den0);
  layer1[0] = q;
  // the floor as Math.max, not `s < floor ? floor : s`: a phi with the untyped parameter would
  // keep `e` boxed in the loop (a heap number per bar)
  let e = Math.max(startingEquity, floor);
  layer2[0] = e;
  for (let i = 1; i < m; i++) {
    const rr = rz[i]!;
    const sign = +(q > 0) - +(q < 0);
    e = Math.max(e * decay * (1.0 + sign * rr), floor);
    layer2[i] = e;
    const v0 = e0 * decay * (1.0 + s0 * rr);
    e0 = v0 < floor ? floor : v0;
    const v1 = e1 * decay * (1.0 + s1 * rr);
    e1 = v1 < floor ? floor : v1;
    const v2 = e2 * decay * (1.0 + s2 * rr);
    e2 = v2 < floor ? floor : v2;
    const v3 = e3 * decay * (1.0 + s3 * rr);
    e3 = v3 < floor ? floor : v3;
    const v4 = e4 * decay * (1.0 + s4 * rr);
    e4 = v4 < floor ? floor : v4;
    const v5 = e5 * decay * (1.0 + s5 * rr);
    e5 = v5 < floor ? floor : v5;
    const v6 = e6 * decay * (1.0 + s6 * rr);
    e6 = v6 < floor ? floor : v6;
    const v7 = e7 * decay * (1.0 + s7 * rr);
    e7 = v7 < floor ? floor : v7;
    const v8 = e8 * decay * (1.0 + s8 * rr);
    e8 = v8 < floor ? floor : v8;
    const pi = p[i]!;
    const x0 = mas[o0 + i]!;
    const t0 = (+(pi > x0) & +(pp <= y0)) - (+(pi < x0) & +(pp >= y0));
    s0 = t0 | (s0 & ((t0 & 1) - 1));
    y0 = x0;
    const x1 = mas[o1 + i]!;
    const t1 = (+(pi > x1) & +(pp <= y1)) - (+(pi < x1) & +(pp >= y1));
    s1 = t1 | (s1 & ((t1 & 1) - 1));
    y1 = x1;
    const x2 = mas[o2 + i]!;
    const t2 = (+(pi > x2) & +(pp <= y2)) - (+(pi < x2) & +(pp >= y2));
    s2 = t2 | (s2 & ((t2 & 1) - 1));
    y2 = x2;
    const x3 = mas[o3 + i]!;
    const t3 = (+(pi > x3) & +(pp <= y3)) - (+(pi < x3) & +(pp >= y3));
    s3 = t3 | (s3 & ((t3 & 1) - 1));
    y3 = x3;
    const x4 = mas[o4 + i]!;
    const t4 = (+(pi > x4) & +(pp <= y4)) - (+(pi < x4) & +(pp >= y4));
    s4 = t4 | (s4 & ((t4 & 1) - 1));
    y4 = x4;
    const x5 = mas[o5 + i]!;
    const t5 = (+(pi > x5) & +(pp <= y5)) - (+(pi < x5) & +(pp >= y5));
    s5 = t5 | (s5 & ((t5 & 1) - 1));
    y5 = x5;
    const x6 = mas[o6 + i]!;
    const t6 = (+(pi > x6) & +(pp <= y6)) - (+(pi < x6) & +(pp >= y6));
    s6 = t6 | (s6 & ((t6 & 1) - 1));
    y6 = x6;
    const x7 = mas[o7 + i]!;
    const t7 = (+(pi > x7) & +(pp <= y7)) - (+(pi < x7) & +(pp >= y7));
    s7 = t7 | (s7 & ((t7 & 1) - 1));
    y7 = x7;
    const x8 = mas[o8 + i]!;
    const t8 = (+(pi > x8) & +(pp <= y8)) - (+(pi < x8) & +(pp >= y8));
    s8 = t8 | (s8 & ((t8 & 1) - 1));
    y8 = x8;
    pp = pi;
    const num = 0.0 + s0 * e0 + s1 * e1 + s2 * e2 + s3 * e3 + s4 * e4 + s5 * e5 + s6 * e6 + s7 * e7 + s8 * e8;
    const den = 0.0 + e0 + e1 + e2 + e3 + e4 + e5 + e6 + e7 + e8;
    q = layer1Round(num / den);
    layer1[i] = q;
  }
}

let familyPassPrimed = false;

/**
 * Once per process: {@link familyPass} on the first bars only (into the outputs the real call
 * then overwrites). V8 allocates a function's feedback lazily, during its first long loop; an
 * optimizing compile started then lacks the feedback of the code before the loop, deoptimizes on
 * the next call, and the function can stay for good on its on-stack-replacement code, whose loop
 * keeps the lanes boxed (about 2× slower: 1.1–1.2 instead of 0.6 ms per call in 4 of 12 runs
 * without backendFactory's load-time check, which makes such a short call first).
 */
function primeFamilyPass(p: Float64Array, mas: Float64Array, n: number, cut: number, rz: Float64Array, d: number, layer1: Float64Array, layer2: Float64Array): void {
  familyPassPrimed = true;
  const bars = Math.min(p.length, 32);
  familyPass(p.subarray(0, bars), mas, n, cut, rz.subarray(0, bars), d, 1, layer1.subarray(0, bars), layer2.subarray(0, bars));
}

/**
 * A fused `computeAtc` with its own reusable scratch (one per backend instance). Returns the
 * growth check's verdict from its last loop ({@link averageSignal}): the first output bar not
 * finite, −1 if none.
 */
export function createFusedPipeline(): (prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers) => number {
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

    const layer1Of = (f: number) => outputs.subarray(f * m, (f + 1) * m);
    const layer2Of = (f: number) => outputs.subarray((6 + f) * m, (7 + f) * m);

    if (returnsFinite && !(movingAverages || maSignals || maEquities)) {
      const run = (family: Family, mas: Float64Array): void => {
        const f = FAMILIES.indexOf(family);
        if (!familyPassPrimed) primeFamilyPass(p, mas, n, cut, rz, d, layer1Of(f), layer2Of(f));
        familyPass(p, mas, n, cut, rz, d, familyWeight(config, family), layer1Of(f), layer2Of(f));
      };
      const done = sharedWmaFamilies(prices, config.lengths, scratch, run);
      for (const family of FAMILIES) {
        if (!done.includes(family)) run(family, familyMovingAverages(family, prices, config.lengths[family], scratch));
      }
    } else {
      // details wanted, or an infinite scaled return (a price ratio beyond 1.8e308): per MA
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
        const layer1 = layer1Of(f);
        for (let i = 0; i < m; i++) layer1[i] = layer1Round(num[i]! / den[i]!);
        equityCurve(r, layer1, familyWeight(config, family), d, 0, layer2Of(f));
      });
    }
    return averageSignal(outputs, m, config);
  };
}
