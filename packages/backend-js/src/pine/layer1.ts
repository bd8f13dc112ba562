// The script's `Signal(...)` (Layer 1) and its rounding.

/**
 * Pine's `math.round(x, 2)`: x·100 rounded half away from zero, divided by 100 (the reference
 * rounds half to even). Decided in doubles, so 0.145 → 0.14 (0.145·100 < 14.5) and
 * −0.125 → −0.13.
 */
export function pineRound2(x: number): number {
  const y = x * 100;
  const r = Math.round(Math.abs(y));
  return (y < 0 ? -r : r) / 100;
}

/**
 * Layer 1 of one family: `math.round(Σ s_k·E_k / Σ E_k, 2)` with both sums left to right in
 * the script's order (MA, MA1..MA4, MA_1..MA_4), rows packed row-major (`rows × n`). na where
 * any equity is na (before the cutout).
 */
export function pineLayer1(signals: Int8Array, equities: Float64Array, out: Float64Array): void {
  const n = out.length;
  if (n === 0) return;
  const rows = signals.length / n;
  for (let i = 0; i < n; i++) {
    let num = signals[i]! * equities[i]!;
    let den = equities[i]!;
    for (let k = 1, j = i + n; k < rows; k++, j += n) {
      const e = equities[j]!;
      num += signals[j]! * e;
      den += e;
    }
    const q = num / den;
    out[i] = Number.isNaN(q) ? NaN : pineRound2(q);
  }
}
