/** numpy's `round(2)`: `rint(v·100)/100` with ties to even (Math.round rounds ties up). */
export function round2(v: number): number {
  const y = v * 100.0;
  let r = Math.round(y);
  if (r - y === 0.5 && r % 2 !== 0) r -= 1;
  return r / 100.0;
}

const TWO_P52 = 4503599627370496;

/**
 * Layer 1's last step on the quotient `q = Σ s·E / Σ E`: `round2(q)`, NaN when `q` is not
 * finite — the same bits as `Number.isFinite(q) ? round2(q) : NaN` (and as Rust's
 * `layer1_round`), about 2.5× faster in V8: ties-to-even by the 2^52 trick on |y| (Rust's
 * `round_ties_even`), the sign put back with `y < 0 ? −r : …` (`y === 0` keeps y's own zero,
 * −0 included); at |y| ≥ 2^52 (y an integer, ±∞ or NaN) `(q − q) + |y|` is |y| for a finite q
 * (y = ±∞ when q·100 overflows, as round2 gives) and NaN otherwise.
 *
 * @example
 * ```ts
 * layer1Round(0.125); // 0.12 (ties to even), as round2
 * layer1Round(Infinity); // NaN
 * ```
 */
export function layer1Round(q: number): number {
  const y = q * 100.0;
  const a = Math.abs(y);
  const r = a < TWO_P52 ? a + TWO_P52 - TWO_P52 : q - q + a;
  return (y < 0 ? -r : y === 0 ? y : r) / 100.0;
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
    out[i] = layer1Round(num / den);
  }
}
