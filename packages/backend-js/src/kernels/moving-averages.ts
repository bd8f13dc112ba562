// Moving averages, O(n) each, following docs/kernels.md operation for operation (the Rust
// kernels do the same, so backends agree bit for bit). Inputs are finite (core validates);
// warm-up slots are NaN. The reference's quirks are kept on purpose and named where they live.

/** numpy's pairwise summation of `a[start..end)`: the order the reference's means use. */
export function pairwiseSum(a: Float64Array, start: number, end: number): number {
  const n = end - start;
  if (n < 8) {
    let s = 0.0;
    for (let i = start; i < end; i++) s += a[i]!;
    return s;
  }
  if (n <= 128) {
    let r0 = a[start]!, r1 = a[start + 1]!, r2 = a[start + 2]!, r3 = a[start + 3]!;
    let r4 = a[start + 4]!, r5 = a[start + 5]!, r6 = a[start + 6]!, r7 = a[start + 7]!;
    let i = start + 8;
    for (; i + 8 <= end; i += 8) {
      r0 += a[i]!; r1 += a[i + 1]!; r2 += a[i + 2]!; r3 += a[i + 3]!;
      r4 += a[i + 4]!; r5 += a[i + 5]!; r6 += a[i + 6]!; r7 += a[i + 7]!;
    }
    let s = (r0 + r1 + (r2 + r3)) + (r4 + r5 + (r6 + r7));
    for (; i < end; i++) s += a[i]!;
    return s;
  }
  const half = n >> 1;
  const m = half - (half % 8);
  return pairwiseSum(a, start, start + m) + pairwiseSum(a, start + m, end);
}

export function sma(x: Float64Array, length: number, out: Float64Array): void {
  const n = x.length;
  out.fill(NaN, 0, Math.min(length - 1, n));
  if (n < length) return;
  let s = 0.0;
  for (let j = 0; j < length; j++) s += x[j]!;
  out[length - 1] = s / length;
  for (let i = length; i < n; i++) {
    s = s + x[i]! - x[i - length]!;
    out[i] = s / length;
  }
}

/**
 * The EMA recurrence of pandas (adjust=False) from index `first`, seeded with `seed` there.
 * `e == x` keeps `e` exactly (the reference's rule, which matters on flat runs).
 */
function emaFrom(x: Float64Array, length: number, first: number, seed: number, out: Float64Array): void {
  const alpha = 2 / (length + 1);
  const w = 1 - alpha;
  const den = w + alpha;
  let e = seed;
  out[first] = e;
  const n = x.length;
  if (den === 1) {
    for (let i = first + 1; i < n; i++) {
      const v = x[i]!;
      if (e !== v) e = w * e + alpha * v;
      out[i] = e;
    }
  } else {
    for (let i = first + 1; i < n; i++) {
      const v = x[i]!;
      if (e !== v) e = (w * e + alpha * v) / den;
      out[i] = e;
    }
  }
}

/** EMA seeded with the (pairwise) mean of the first `length` values at index length−1. */
export function ema(x: Float64Array, length: number, out: Float64Array): void {
  out.fill(NaN, 0, Math.min(length - 1, x.length));
  if (x.length < length) return;
  emaFrom(x, length, length - 1, pairwiseSum(x, 0, length) / length, out);
}

/**
 * DEMA `2·E1 − E2`. Reference quirk: E2's seed is the NaN-skipping mean of E1[0..L−1], i.e.
 * E1[L−1] itself, so DEMA starts at L−1 (TA-Lib starts at 2L−2). Both EMA recurrences run in
 * one loop (E2 consumes E1[i] as soon as it exists), the same operations as two passes.
 */
export function dema(x: Float64Array, length: number, out: Float64Array, _scratch?: Float64Array): void {
  const n = x.length;
  out.fill(NaN, 0, Math.min(length - 1, n));
  if (n < length) return;
  const alpha = 2 / (length + 1);
  const w = 1 - alpha;
  const den = w + alpha;
  let e1 = pairwiseSum(x, 0, length) / length;
  let e2 = e1;
  out[length - 1] = 2 * e1 - e2;
  for (let i = length; i < n; i++) {
    const v = x[i]!;
    if (e1 !== v) e1 = den === 1 ? w * e1 + alpha * v : (w * e1 + alpha * v) / den;
    if (e2 !== e1) e2 = den === 1 ? w * e2 + alpha * e1 : (w * e2 + alpha * e1) / den;
    out[i] = 2 * e1 - e2;
  }
}

/** WMA over `x[from..]`, written to `out[from..]` (NaN before from+length−1). */
function wmaFrom(x: Float64Array, from: number, length: number, out: Float64Array): void {
  const n = x.length;
  const firstValid = from + length - 1;
  out.fill(NaN, from, Math.min(firstValid, n));
  if (n < from + length) return;
  let s = 0.0;
  let w = 0.0;
  for (let j = 0; j < length; j++) {
    const v = x[from + j]!;
    s += v;
    w += (j + 1) * v;
  }
  const d = (length * (length + 1)) / 2;
  out[firstValid] = w / d;
  for (let i = firstValid + 1; i < n; i++) {
    const v = x[i]!;
    w = w + length * v - s;
    s = s + v - x[i - length]!;
    out[i] = w / d;
  }
}

export function wma(x: Float64Array, length: number, out: Float64Array): void {
  wmaFrom(x, 0, length, out);
}

/**
 * `diff[i] = 2·WMA(x, half)[i] − WMA(x, length)[i]` for i ≥ length − 1 (`half ≥ 1`): both
 * running WMAs of {@link wmaFrom} advanced in one loop, with the same operations in the same
 * order, so the values are bit-identical to two `wmaFrom` passes and a difference pass.
 */
function hullDiff(x: Float64Array, half: number, length: number, diff: Float64Array): void {
  const n = x.length;
  let sh = 0.0, wh = 0.0, sf = 0.0, wf = 0.0;
  for (let j = 0; j < half; j++) {
    const v = x[j]!;
    sh += v;
    wh += (j + 1) * v;
  }
  for (let j = 0; j < length; j++) {
    const v = x[j]!;
    sf += v;
    wf += (j + 1) * v;
  }
  const dh = (half * (half + 1)) / 2;
  const df = (length * (length + 1)) / 2;
  for (let i = half; i < length; i++) {
    const v = x[i]!;
    wh = wh + half * v - sh;
    sh = sh + v - x[i - half]!;
  }
  diff[length - 1] = 2 * (wh / dh) - wf / df;
  for (let i = length; i < n; i++) {
    const v = x[i]!;
    wh = wh + half * v - sh;
    sh = sh + v - x[i - half]!;
    wf = wf + length * v - sf;
    sf = sf + v - x[i - length]!;
    diff[i] = 2 * (wh / dh) - wf / df;
  }
}

/**
 * True Hull MA (the reference's Python; the original Pine script used an SMA in this slot):
 * `WMA(2·WMA(x, ⌊L/2⌋) − WMA(x, L), ⌊√L⌋)`, first value at L−2+⌊√L⌋. Needs L ≥ 2.
 */
export function hma(x: Float64Array, length: number, out: Float64Array, scratchSpace: Float64Array = new Float64Array(x.length)): void {
  const scratch = scratchSpace.subarray(0, x.length);
  const half = Math.floor(length / 2);
  const root = Math.floor(Math.sqrt(length));
  const n = x.length;
  if (n < length) {
    out.fill(NaN);
    return;
  }
  if (half >= 1) {
    hullDiff(x, half, length, scratch);
  } else {
    wmaFrom(x, 0, half, scratch);
    wmaFrom(x, 0, length, out);
    for (let i = length - 1; i < n; i++) scratch[i] = 2 * scratch[i]! - out[i]!;
  }
  out.fill(NaN, 0, length - 1);
  wmaFrom(scratch, length - 1, root, out);
}

/**
 * pandas_ta `linreg`: least-squares line over the window with x = 1..L, evaluated at
 * x = L−1 — one bar *before* the window's newest bar (reference quirk, kept for parity; Pine's
 * `ta.linreg` evaluates at the newest bar).
 */
export function lsma(x: Float64Array, length: number, out: Float64Array): void {
  const n = x.length;
  out.fill(NaN, 0, Math.min(length - 1, n));
  if (n < length) return;
  const sx = (length * (length + 1)) / 2;
  const sxx = (sx * (2 * length + 1)) / 3;
  const det = length * sxx - sx * sx;
  const at = length - 1;
  let sy = 0.0;
  let sxy = 0.0;
  for (let j = 0; j < length; j++) {
    const v = x[j]!;
    sy += v;
    sxy += (j + 1) * v;
  }
  for (let i = length - 1; ; ) {
    const m = (length * sxy - sx * sy) / det;
    const b = (sy * sxx - sx * sxy) / det;
    out[i] = m * at + b;
    if (++i >= n) break;
    const v = x[i]!;
    sxy = sxy + length * v - sy;
    sy = sy + v - x[i - length]!;
  }
}

const KAMA_FAST = 0.666;
const KAMA_SLOW = 0.064;
const KAMA_SPAN = KAMA_FAST - KAMA_SLOW; // 0.6020000000000001, as the reference computes it

/**
 * ATC's KAMA: seeded at x[0] with no NaN warm-up and flat until bar L−1 (reference), then
 * efficiency-ratio smoothing with a running noise sum (the reference re-sums per bar).
 */
export function kama(x: Float64Array, length: number, out: Float64Array): void {
  const n = x.length;
  if (n === 0) return;
  let k = x[0]!;
  out.fill(k, 0, Math.min(length, n));
  if (n <= length) return;
  let noise = 0.0;
  for (let j = 1; j <= length; j++) noise += Math.abs(x[j]! - x[j - 1]!);
  for (let i = length; i < n; i++) {
    if (i > length) noise = noise + Math.abs(x[i]! - x[i - 1]!) - Math.abs(x[i - length]! - x[i - length - 1]!);
    const v = x[i]!;
    const signal = Math.abs(v - x[i - length]!);
    const ratio = noise === 0 ? 0 : signal / noise;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
    out[i] = k;
  }
}
