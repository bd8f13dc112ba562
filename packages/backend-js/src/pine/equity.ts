// The script's `R`, `e(La)` and `eq()` (atc-original.pine): returns from bar 1, growth and
// equity from the cutout bar on, with the script's persistent `var float a`.
import { EQUITY_FLOOR } from '../kernels/equity.js';
import { fdlibmExp } from '../kernels/exp.js';

/**
 * `R·e(La)` per bar: `R = (close − close[1]) / close[1]` (na at bar 0; the reference computes
 * `close/close[1] − 1`), times the growth `math.pow(math.e, λ·(bar − cutout))` from the cutout
 * bar on (exponent 0 there; the reference uses `exp(λ·max(bar, 1))`). The growth uses the
 * backends' shared fdlibm `exp` so every backend gets the same bits; `pow(e, x)` and `exp(x)`
 * differ by an ulp or so here. NaN before the cutout (the equity does not use it there).
 */
export function pineScaledReturns(close: Float64Array, lambdaScaled: number, cutout: number, out: Float64Array): void {
  const n = close.length;
  out.fill(NaN, 0, Math.min(Math.max(cutout, 1), n));
  for (let i = Math.max(cutout, 1); i < n; i++) {
    const previous = close[i - 1]!;
    out[i] = ((close[i]! - previous) / previous) * fdlibmExp(lambdaScaled * (i - cutout));
  }
}

/**
 * The script's `eq(starting_equity, sig, R)`: na before the cutout, `starting_equity` at it
 * (floored), then `e = (e[1]·d)·(1 + a)` floored at 0.25. `a` is a `var`: it changes only when
 * the previous bar's signal is > 0 (`a = r`) or < 0 (`a = −r`), and otherwise keeps the last
 * value — so a flat (0) or na signal repeats the last return instead of adding 0 (the
 * reference). Its updates start at the cutout bar itself. `r` = {@link pineScaledReturns}.
 */
export function pineEquity(r: Float64Array, signal: ArrayLike<number>, startingEquity: number, d: number, cutout: number, out: Float64Array): void {
  const n = r.length;
  out.fill(NaN, 0, Math.min(cutout, n));
  if (cutout >= n) return;
  let a = 0.0;
  let e = startingEquity < EQUITY_FLOOR ? EQUITY_FLOOR : startingEquity;
  if (cutout > 0) a = stepA(a, signal[cutout - 1]!, r[cutout]!);
  out[cutout] = e;
  for (let i = cutout + 1; i < n; i++) {
    a = stepA(a, signal[i - 1]!, r[i]!);
    e = e * d * (1 + a);
    if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
    out[i] = e;
  }
}

/** One bar of `if sig[1] > 0: a := r else if sig[1] < 0: a := −r` (NaN compares false). */
function stepA(a: number, previousSignal: number, r: number): number {
  if (previousSignal > 0) return r;
  if (previousSignal < 0) return -r;
  return a;
}
