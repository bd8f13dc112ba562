// One MA's whole path through the script in one pass: its crossover signal on `close`, its
// equity (`eq(1, signal(MA), R)`) and its terms of the family's Layer-1 sums. The same
// operations, in the same order, as crossoverSignal → pineEquity → pineLayer1 (the test
// checks bit equality), without the two n-sized intermediate arrays per MA.

/** Floor of every equity curve (`if (e < 0.25) e := 0.25`). */
const EQUITY_FLOOR = 0.25;

/**
 * Adds `s_i·E_i` to `num[i]` and `E_i` to `den[i]` for bars i ≥ cutout (`num`/`den` start at 0,
 * and 0 + x is x, so the sums equal the script's left-to-right `m1·w1 + m2·w2 + …`). `r` =
 * pineScaledReturns. Optionally keeps the MA's signal and equity (details).
 */
export function accumulateMa(
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
