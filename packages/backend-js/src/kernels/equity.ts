import { fdlibmExp } from './exp.js';

/** Floor of every equity curve (reference): the one definition for the kernel and the fused pipeline. */
export const EQUITY_FLOOR = 0.25;

export function rateOfChange(p: Float64Array, out: Float64Array): void {
  if (p.length > 0) out[0] = NaN;
  for (let i = 1; i < p.length; i++) out[i] = p[i]! / p[i - 1]! - 1.0;
}

/** `R[i]·exp(λ·max(i,1))`. The max(i,1) is the reference's bar-0 quirk (R[0] is NaN anyway). */
export function scaledReturns(p: Float64Array, lambdaScaled: number, out: Float64Array): void {
  rateOfChange(p, out);
  for (let i = 1; i < p.length; i++) out[i] = out[i]! * fdlibmExp(lambdaScaled * i);
}

/**
 * Equity of trading `signal` with a one-bar lag: the position over bar i is the sign of
 * `signal[i−1]`. `E = (E·d)·(1 + a)` in that order (bit parity), floored at 0.25, NaN
 * before `cutout`, `startingEquity` (floored) at `cutout`.
 */
export function equityCurve(
  r: Float64Array,
  signal: Float64Array,
  startingEquity: number,
  d: number,
  cutout: number,
  out: Float64Array,
): void {
  const n = r.length;
  out.fill(NaN, 0, Math.min(cutout, n));
  if (cutout >= n) return;
  let e = startingEquity < EQUITY_FLOOR ? EQUITY_FLOOR : startingEquity;
  out[cutout] = e;
  for (let i = cutout + 1; i < n; i++) {
    const q = signal[i - 1]!;
    const ri = r[i]!;
    let a = 0.0;
    if (ri === ri) {
      if (q > 0) a = ri;
      else if (q < 0) a = -ri;
    }
    e = e * d * (1.0 + a);
    if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
    out[i] = e;
  }
}
