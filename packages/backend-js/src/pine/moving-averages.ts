// The Pine script's six moving averages (`ma_calculation` in ../../../../../shared/reference/
// atc-original.pine), each writing n values with NaN where Pine has na. Where Pine's arithmetic
// is the reference's (SMA, WMA, the SMA-seeded EMA), the backend's own kernels are reused: they
// differ from TradingView's only in summation order (≤ 1e-13 relative, visible only at ties).
import type { Family } from '@adaptive-trend/core';
import { KAMA_SLOW, KAMA_SPAN, ema, linregAt, sma, wma } from '../kernels/moving-averages.js';

export { ema as pineEma, sma as pineSma, wma as pineWma };

/**
 * TradingView/ta `dema`: `2·ema(x) − ema(ema(x))`. The inner EMA's leading na bars are not
 * data to `ta.ema`, so the outer EMA is SMA-seeded over E1[L−1..2L−2] and DEMA starts at
 * bar 2L−2 (the reference seeds E2 with E1[L−1] and starts at L−1).
 */
export function pineDema(x: Float64Array, length: number, out: Float64Array, scratch: Float64Array = new Float64Array(x.length)): void {
  const n = x.length;
  const e1 = scratch.subarray(0, n);
  ema(x, length, e1);
  out.fill(NaN, 0, Math.min(2 * length - 2, n));
  if (n < 2 * length - 1) return;
  const e2 = out.subarray(length - 1);
  ema(e1.subarray(length - 1), length, e2); // E2 into out, then out = 2·E1 − E2 in place
  for (let i = 2 * length - 2; i < n; i++) out[i] = 2 * e1[i]! - out[i]!;
}

/**
 * `ta.linreg(x, L, 0)`: the least-squares line over the window (x = 1..L, oldest first)
 * evaluated at its newest bar, x = L (the reference evaluates at L−1, one bar early).
 */
export function pineLinreg(x: Float64Array, length: number, out: Float64Array): void {
  linregAt(x, length, length, out);
}


/**
 * The script's own `kama`: starts from `nz(KAMA[1]) = 0`, and while `math.sum(noise, L)` is
 * na (bars < L) the ratio is 0, so it creeps up by 0.064² per bar; no na bars at all. From bar
 * L on: efficiency ratio over a running noise sum (Pine's `math.sum` is a window sum).
 */
export function pineKama(x: Float64Array, length: number, out: Float64Array): void {
  const n = x.length;
  let k = 0.0;
  const warm = Math.min(length, n);
  for (let i = 0; i < warm; i++) {
    k = k + KAMA_SLOW * KAMA_SLOW * (x[i]! - k);
    out[i] = k;
  }
  if (n <= length) return;
  let noise = 0.0;
  for (let j = 1; j <= length; j++) noise += Math.abs(x[j]! - x[j - 1]!);
  for (let i = length; i < n; i++) {
    if (i > length) noise = noise + Math.abs(x[i]! - x[i - 1]!) - Math.abs(x[i - length]! - x[i - length - 1]!);
    const v = x[i]!;
    const ratio = noise !== 0 ? Math.abs(v - x[i - length]!) / noise : 0;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
    out[i] = k;
  }
}

/**
 * The MA the script computes for a family: note its "HMA" family is `ta.sma` (the input is
 * labelled HULL, the code calls `ta.sma`). `scratch` (n values) is used by DEMA only.
 */
export function pineMovingAverage(family: Family, x: Float64Array, length: number, out: Float64Array, scratch?: Float64Array): void {
  switch (family) {
    case 'ema': return ema(x, length, out);
    case 'hma': return sma(x, length, out);
    case 'wma': return wma(x, length, out);
    case 'dema': return pineDema(x, length, out, scratch);
    case 'lsma': return pineLinreg(x, length, out);
    case 'kama': return pineKama(x, length, out);
  }
}
