/** numpy's `round(2)`: `rint(v·100)/100` with ties to even (Math.round rounds ties up). */
export function round2(v: number): number {
  const y = v * 100.0;
  let r = Math.round(y);
  if (r - y === 0.5 && r % 2 !== 0) r -= 1;
  return r / 100.0;
}

/**
 * Layer 1: `round2(Σ s_k·E_k / Σ E_k)` over `rows` packed row-major, both sums sequential in
 * row order from 0.0; NaN where the quotient is not finite.
 */
export function layer1Signal(signals: Int8Array, equities: Float64Array, out: Float64Array): void {
  const n = out.length;
  if (n === 0) return;
  const rows = signals.length / n;
  for (let i = 0; i < n; i++) {
    let num = 0.0;
    let den = 0.0;
    for (let k = 0, j = i; k < rows; k++, j += n) {
      const e = equities[j]!;
      num += signals[j]! * e;
      den += e;
    }
    const q = num / den;
    out[i] = Number.isFinite(q) ? round2(q) : NaN;
  }
}
