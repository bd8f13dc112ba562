// One MA's whole path through the script in one pass: its crossover signal on `close`, its
// equity (`eq(1, signal(MA), R)`) and its terms of the family's Layer-1 sums. The same
// operations, in the same order, as crossoverSignal → pineEquity → pineLayer1 (the test
// checks bit equality), without the two n-sized intermediate arrays per MA.
import { EQUITY_FLOOR } from '../kernels/equity.js';


/**
 * Adds `s_i·E_i` to `num[i]` and `E_i` to `den[i]` for bars i ≥ cutout (`num`/`den` start at 0,
 * and 0 + x is x, so the sums equal the script's left-to-right `m1·w1 + m2·w2 + …`). `r` =
 * pineScaledReturns. Optionally keeps the MA's signal and equity (details).
 */
export function accumulateMa(
  close: Float64Array, ma: Float64Array, r: Float64Array, d: number, cutout: number,
  num: Float64Array, den: Float64Array, signalOut?: Int8Array, equityOut?: Float64Array,
): void {
  if (signalOut || equityOut) return accumulateKeeping(close, ma, r, d, cutout, num, den, signalOut, equityOut);
  if (cutout >= close.length) return;
  const lane = startLane(close, ma, r, cutout, num, den);
  const n = close.length;
  let { s, a, e, previous } = lane;
  let mp = ma[cutout]!;
  for (let i = cutout + 1; i < n; i++) {
    const p = close[i]!, pp = close[i - 1]!, m = ma[i]!;
    if (p > m && pp <= mp) s = 1;
    else if (p < m && pp >= mp) s = -1;
    mp = m;
    if (previous > 0) a = r[i]!;
    else if (previous < 0) a = -r[i]!;
    e = e * d * (1 + a);
    if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
    num[i] = num[i]! + s * e;
    den[i] = den[i]! + e;
    previous = s;
  }
}

/**
 * {@link accumulateMa} for three MAs of one family in one loop (`num`/`den` receive MA 0's
 * terms, then MA 1's, then MA 2's at each bar: the order of three separate calls). The three
 * equity recurrences are latency-bound; advanced together they overlap. Bars after the cutout
 * have finite returns (core's growth rule), so `q·r` and `Math.max(e, 0.25)` are exactly the
 * single-MA loop's `a = ±r` and floor.
 */
export function accumulateThree(
  close: Float64Array, ma0: Float64Array, ma1: Float64Array, ma2: Float64Array, r: Float64Array, d: number, cutout: number,
  num: Float64Array, den: Float64Array,
): void {
  const n = close.length;
  if (cutout >= n) return;
  const l0 = startLane(close, ma0, r, cutout, num, den);
  const l1 = startLane(close, ma1, r, cutout, num, den);
  const l2 = startLane(close, ma2, r, cutout, num, den);
  let s0 = l0.s, a0 = l0.a, e0 = l0.e, q0 = l0.previous, m0p = ma0[cutout]!;
  let s1 = l1.s, a1 = l1.a, e1 = l1.e, q1 = l1.previous, m1p = ma1[cutout]!;
  let s2 = l2.s, a2 = l2.a, e2 = l2.e, q2 = l2.previous, m2p = ma2[cutout]!;
  // unboxed double locals: TurboFan re-reads an imported binding (with a TDZ check) and re-checks
  // a parameter every bar otherwise
  const floor = +EQUITY_FLOOR;
  const decay = +d;
  for (let i = cutout + 1; i < n; i++) {
    const p = close[i]!, pp = close[i - 1]!, ri = r[i]!;
    const m0 = ma0[i]!, m1 = ma1[i]!, m2 = ma2[i]!;
    // crossover without data-dependent branches (docs/kernels.md, fast paths): t ∈ {−1, 0, 1}
    const t0 = (+(p > m0) & +(pp <= m0p)) - (+(p < m0) & +(pp >= m0p));
    const t1 = (+(p > m1) & +(pp <= m1p)) - (+(p < m1) & +(pp >= m1p));
    const t2 = (+(p > m2) & +(pp <= m2p)) - (+(p < m2) & +(pp >= m2p));
    s0 = t0 + s0 * (1 - t0 * t0);
    s1 = t1 + s1 * (1 - t1 * t1);
    s2 = t2 + s2 * (1 - t2 * t2);
    m0p = m0; m1p = m1; m2p = m2;
    // `a` keeps its value under a flat signal; q·r is exactly r or −r for q = ±1
    a0 = q0 !== 0 ? q0 * ri : a0;
    a1 = q1 !== 0 ? q1 * ri : a1;
    a2 = q2 !== 0 ? q2 * ri : a2;
    e0 = Math.max(e0 * decay * (1 + a0), floor);
    e1 = Math.max(e1 * decay * (1 + a1), floor);
    e2 = Math.max(e2 * decay * (1 + a2), floor);
    num[i] = num[i]! + s0 * e0 + s1 * e1 + s2 * e2;
    den[i] = den[i]! + e0 + e1 + e2;
    q0 = s0; q1 = s1; q2 = s2;
  }
}

/**
 * One MA up to and including the cutout bar: its crossover state there, `a` as the cutout bar
 * leaves it (it already takes that bar's return when sig[1] is set), e = 1, and the bar's
 * Layer-1 terms added.
 */
function startLane(close: Float64Array, ma: Float64Array, r: Float64Array, cutout: number, num: Float64Array, den: Float64Array): { s: number; a: number; e: number; previous: number } {
  let s = 0; // `var int sig = 0`; nothing crosses at bar 0
  for (let i = 1; i < cutout; i++) {
    if (close[i]! > ma[i]! && close[i - 1]! <= ma[i - 1]!) s = 1;
    else if (close[i]! < ma[i]! && close[i - 1]! >= ma[i - 1]!) s = -1;
  }
  let a = 0.0;
  if (cutout > 0) {
    if (s > 0) a = r[cutout]!;
    else if (s < 0) a = -r[cutout]!;
    const i = cutout;
    if (close[i]! > ma[i]! && close[i - 1]! <= ma[i - 1]!) s = 1;
    else if (close[i]! < ma[i]! && close[i - 1]! >= ma[i - 1]!) s = -1;
  }
  const e = 1.0;
  num[cutout] = num[cutout]! + s * e;
  den[cutout] = den[cutout]! + e;
  return { s, a, e, previous: s };
}

/** {@link accumulateMa} that also writes the MA's signal and equity (the details path). */
function accumulateKeeping(
  close: Float64Array, ma: Float64Array, r: Float64Array, d: number, cutout: number,
  num: Float64Array, den: Float64Array, signalOut?: Int8Array, equityOut?: Float64Array,
): void {
  const n = close.length;
  let s = 0; // `var int sig = 0`
  let previous = NaN; // sig[1]: na at bar 0
  let a = 0.0; // `var float a = 0.0`
  let e = NaN;
  if (equityOut) equityOut.fill(NaN, 0, Math.min(cutout, n));
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const p = close[i]!, m = ma[i]!, pp = close[i - 1]!, mp = ma[i - 1]!;
      if (p > m && pp <= mp) s = 1;
      else if (p < m && pp >= mp) s = -1;
    }
    if (signalOut) signalOut[i] = s;
    if (i >= cutout) {
      if (previous > 0) a = r[i]!;
      else if (previous < 0) a = -r[i]!;
      if (i === cutout) e = 1;
      else {
        e = e * d * (1 + a);
        if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
      }
      if (equityOut) equityOut[i] = e;
      num[i] = num[i]! + s * e;
      den[i] = den[i]! + e;
    }
    previous = s;
  }
}
