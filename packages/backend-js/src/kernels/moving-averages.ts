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
  demaThrough(x, length, n - 1, out);
}

/**
 * {@link dema} on `x[0..=end]` (`length − 1 ≤ end < n`; slots before L−1 are the caller's),
 * returning its two EMA states at `end`.
 */
function demaThrough(x: Float64Array, length: number, end: number, out: Float64Array): [number, number] {
  const alpha = 2 / (length + 1);
  const w = 1 - alpha;
  const den = w + alpha;
  let e1 = pairwiseSum(x, 0, length) / length;
  let e2 = e1;
  out[length - 1] = 2 * e1 - e2;
  for (let i = length; i <= end; i++) {
    const v = x[i]!;
    if (e1 !== v) e1 = den === 1 ? w * e1 + alpha * v : (w * e1 + alpha * v) / den;
    if (e2 !== e1) e2 = den === 1 ? w * e2 + alpha * e1 : (w * e2 + alpha * e1) / den;
    out[i] = 2 * e1 - e2;
  }
  return [e1, e2];
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
 * {@link hma} given `wmaOfLength` = {@link wma}(x, length) (the WMA family's row of the same
 * length): the diff's `WMA(x, L)` term is read instead of recomputed. hullDiff's full-length
 * sums are wmaFrom's, so `wf / df` there is exactly `wmaOfLength[i]`; the last WMA runs in the
 * diffs' loop with wmaFrom's operations. The values are bit-identical to `hma(x, length, …)`.
 */
export function hmaFromWma(x: Float64Array, length: number, wmaOfLength: Float64Array, out: Float64Array, scratchSpace: Float64Array): void {
  const n = x.length;
  const half = Math.floor(length / 2);
  if (n < length || half < 1) return hma(x, length, out, scratchSpace);
  const root = Math.floor(Math.sqrt(length));
  const diff = scratchSpace.subarray(0, n);
  let sh = 0.0, wh = 0.0;
  for (let j = 0; j < half; j++) {
    const v = x[j]!;
    sh += v;
    wh += (j + 1) * v;
  }
  const dh = (half * (half + 1)) / 2;
  for (let i = half; i < length; i++) {
    const v = x[i]!;
    wh = wh + half * v - sh;
    sh = sh + v - x[i - half]!;
  }
  diff[length - 1] = 2 * (wh / dh) - wmaOfLength[length - 1]!;
  // the last step, wmaFrom(diff, L − 1, root), advanced in the same loop as the diffs: its seed
  // sums the diffs L−1..L+root−2, then each new diff enters as it is computed
  const firstValid = length - 2 + root;
  out.fill(NaN, 0, Math.min(firstValid, n));
  if (n <= firstValid) return;
  const d = (root * (root + 1)) / 2;
  let s = 0.0, w = 0.0;
  for (let j = 0; j < root; j++) {
    const at = length - 1 + j;
    if (j > 0) {
      const v = x[at]!;
      wh = wh + half * v - sh;
      sh = sh + v - x[at - half]!;
      diff[at] = 2 * (wh / dh) - wmaOfLength[at]!;
    }
    const v = diff[at]!;
    s += v;
    w += (j + 1) * v;
  }
  out[firstValid] = w / d;
  for (let i = firstValid + 1; i < n; i++) {
    const v = x[i]!;
    wh = wh + half * v - sh;
    sh = sh + v - x[i - half]!;
    const di = 2 * (wh / dh) - wmaOfLength[i]!;
    diff[i] = di;
    w = w + root * di - s;
    s = s + di - diff[i - root]!;
    out[i] = w / d;
  }
}

/**
 * {@link wma} and {@link lsma} of one length from one pass: linregAt's sums (Σy, Σx·y) are
 * wmaFrom's (S, W) — same seed loop, same recurrence — so both outputs are bit-identical to the
 * two separate calls.
 */
export function wmaAndLsma(x: Float64Array, length: number, wmaOut: Float64Array, lsmaOut: Float64Array): void {
  const n = x.length;
  wmaOut.fill(NaN, 0, Math.min(length - 1, n));
  lsmaOut.fill(NaN, 0, Math.min(length - 1, n));
  if (n < length) return;
  const d = (length * (length + 1)) / 2;
  const sx = (length * (length + 1)) / 2;
  const sxx = (sx * (2 * length + 1)) / 3;
  const det = length * sxx - sx * sx;
  const at = length - 1;
  let s = 0.0;
  let w = 0.0;
  for (let j = 0; j < length; j++) {
    const v = x[j]!;
    s += v;
    w += (j + 1) * v;
  }
  for (let i = length - 1; ; ) {
    wmaOut[i] = w / d;
    const m = (length * w - sx * s) / det;
    const b = (s * sxx - sx * w) / det;
    lsmaOut[i] = m * at + b;
    if (++i >= n) break;
    const v = x[i]!;
    w = w + length * v - s;
    s = s + v - x[i - length]!;
  }
}

/**
 * The least-squares line over each window of `length` bars (x = 1..L, oldest first), evaluated
 * at x = `at`. Running sums as the WMA's: `S = Σy`, `W = Σ x·y`. The reference's LSMA and
 * Pine's `ta.linreg` differ only in `at` ({@link lsma}, and `pineLinreg` in src/pine).
 */
export function linregAt(x: Float64Array, length: number, at: number, out: Float64Array): void {
  const n = x.length;
  out.fill(NaN, 0, Math.min(length - 1, n));
  if (n < length) return;
  const sx = (length * (length + 1)) / 2;
  const sxx = (sx * (2 * length + 1)) / 3;
  const det = length * sxx - sx * sx;
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

/**
 * pandas_ta `linreg`: the least-squares line evaluated at x = L−1 — one bar *before* the
 * window's newest bar (reference quirk, kept for parity; Pine's `ta.linreg` evaluates at the newest bar).
 */
export function lsma(x: Float64Array, length: number, out: Float64Array): void {
  linregAt(x, length, length - 1, out);
}

/** KAMA's fast and slow smoothing constants (the reference's and the script's; the stream reuses them). */
export const KAMA_FAST = 0.666;
export const KAMA_SLOW = 0.064;
export const KAMA_SPAN = KAMA_FAST - KAMA_SLOW; // 0.6020000000000001, as the reference computes it

/**
 * ATC's KAMA: seeded at x[0] with no NaN warm-up and flat until bar L−1 (reference), then
 * efficiency-ratio smoothing with a running noise sum (the reference re-sums per bar).
 */
export function kama(x: Float64Array, length: number, out: Float64Array): void {
  const n = x.length;
  if (n === 0) return;
  if (n <= length) {
    out.fill(x[0]!, 0, n);
    return;
  }
  kamaThrough(x, length, n - 1, out);
}

/** {@link kama} on `x[0..=end]` (`length ≤ end < n`), returning its value and noise at `end`. */
function kamaThrough(x: Float64Array, length: number, end: number, out: Float64Array): [number, number] {
  let k = x[0]!;
  out.fill(k, 0, length);
  let noise = 0.0;
  for (let j = 1; j <= length; j++) noise += Math.abs(x[j]! - x[j - 1]!);
  const span = +KAMA_SPAN, slow = +KAMA_SLOW; // unboxed locals (see kama3)
  for (let i = length; i <= end; i++) {
    if (i > length) noise = noise + Math.abs(x[i]! - x[i - 1]!) - Math.abs(x[i - length]! - x[i - length - 1]!);
    const v = x[i]!;
    const signal = Math.abs(v - x[i - length]!);
    const ratio = noise === 0 ? 0 : signal / noise;
    const t = ratio * span + slow;
    k = k + t * t * (v - k);
    out[i] = k;
  }
  return [k, noise];
}

// ---- three lengths at once ------------------------------------------------------------------
// EMA, DEMA and KAMA are latency-bound recurrences (each bar waits for the previous value).
// Three lengths advanced in one loop overlap their dependency chains. Each lane first runs
// alone up to the common start (the lanes start at their own length), then the three run
// together; every lane performs exactly the single-length function's operations, so the
// outputs are bit-identical to three separate calls.

/** `single(x, lengths[k], outs[k])` for each k: the fallback of the three-length functions. */
function eachLength(single: (x: Float64Array, length: number, out: Float64Array) => void, x: Float64Array, lengths: readonly number[], outs: readonly Float64Array[]): void {
  lengths.forEach((length, k) => single(x, length, outs[k]!));
}

/** EMA of three lengths (see {@link ema}); lengths ≥ 1. */
export function ema3(x: Float64Array, l0: number, l1: number, l2: number, o0: Float64Array, o1: Float64Array, o2: Float64Array): void {
  const n = x.length;
  const w0 = 1 - 2 / (l0 + 1), w1 = 1 - 2 / (l1 + 1), w2 = 1 - 2 / (l2 + 1);
  const a0 = 2 / (l0 + 1), a1 = 2 / (l1 + 1), a2 = 2 / (l2 + 1);
  const start = Math.max(l0, l1, l2) - 1;
  if (n <= start + 1 || w0 + a0 !== 1 || w1 + a1 !== 1 || w2 + a2 !== 1) {
    return eachLength(ema, x, [l0, l1, l2], [o0, o1, o2]);
  }
  // each lane alone up to `start` (inclusive)
  ema(x.subarray(0, start + 1), l0, o0);
  ema(x.subarray(0, start + 1), l1, o1);
  ema(x.subarray(0, start + 1), l2, o2);
  let e0 = o0[start]!, e1 = o1[start]!, e2 = o2[start]!;
  for (let i = start + 1; i < n; i++) {
    const v = x[i]!;
    if (e0 !== v) e0 = w0 * e0 + a0 * v;
    if (e1 !== v) e1 = w1 * e1 + a1 * v;
    if (e2 !== v) e2 = w2 * e2 + a2 * v;
    o0[i] = e0;
    o1[i] = e1;
    o2[i] = e2;
  }
}

/** DEMA of three lengths (see {@link dema}); lengths ≥ 1. */
export function dema3(x: Float64Array, l0: number, l1: number, l2: number, o0: Float64Array, o1: Float64Array, o2: Float64Array): void {
  const n = x.length;
  const w0 = 1 - 2 / (l0 + 1), w1 = 1 - 2 / (l1 + 1), w2 = 1 - 2 / (l2 + 1);
  const a0 = 2 / (l0 + 1), a1 = 2 / (l1 + 1), a2 = 2 / (l2 + 1);
  const start = Math.max(l0, l1, l2) - 1;
  if (n <= start + 1 || w0 + a0 !== 1 || w1 + a1 !== 1 || w2 + a2 !== 1) {
    return eachLength(dema, x, [l0, l1, l2], [o0, o1, o2]);
  }
  // each lane alone up to `start`, keeping its two EMA states (dema's own loop, to `start`)
  for (const [length, out] of [[l0, o0], [l1, o1], [l2, o2]] as const) out.fill(NaN, 0, length - 1);
  const [p0, q0] = demaThrough(x, l0, start, o0);
  const [p1, q1] = demaThrough(x, l1, start, o1);
  const [p2, q2] = demaThrough(x, l2, start, o2);
  let e10 = p0, e20 = q0, e11 = p1, e21 = q1, e12 = p2, e22 = q2;
  for (let i = start + 1; i < n; i++) {
    const v = x[i]!;
    if (e10 !== v) e10 = w0 * e10 + a0 * v;
    if (e11 !== v) e11 = w1 * e11 + a1 * v;
    if (e12 !== v) e12 = w2 * e12 + a2 * v;
    if (e20 !== e10) e20 = w0 * e20 + a0 * e10;
    if (e21 !== e11) e21 = w1 * e21 + a1 * e11;
    if (e22 !== e12) e22 = w2 * e22 + a2 * e12;
    o0[i] = 2 * e10 - e20;
    o1[i] = 2 * e11 - e21;
    o2[i] = 2 * e12 - e22;
  }
}

/** KAMA of three lengths (see {@link kama}); lengths ≥ 1. */
export function kama3(x: Float64Array, l0: number, l1: number, l2: number, o0: Float64Array, o1: Float64Array, o2: Float64Array): void {
  const n = x.length;
  const start = Math.max(l0, l1, l2);
  if (n <= start + 1) {
    return eachLength(kama, x, [l0, l1, l2], [o0, o1, o2]);
  }
  // each lane alone up to `start` (inclusive), keeping its state
  const [k0, z0] = kamaThrough(x, l0, start, o0);
  const [k1, z1] = kamaThrough(x, l1, start, o1);
  const [k2, z2] = kamaThrough(x, l2, start, o2);
  let c0 = k0, c1 = k1, c2 = k2, n0 = z0, n1 = z1, n2 = z2;
  // unboxed locals: TurboFan re-reads an exported binding (with a TDZ check) every bar otherwise
  const span = +KAMA_SPAN, slow = +KAMA_SLOW;
  for (let i = start + 1; i < n; i++) {
    const v = x[i]!;
    const step = Math.abs(v - x[i - 1]!);
    n0 = n0 + step - Math.abs(x[i - l0]! - x[i - l0 - 1]!);
    n1 = n1 + step - Math.abs(x[i - l1]! - x[i - l1 - 1]!);
    n2 = n2 + step - Math.abs(x[i - l2]! - x[i - l2 - 1]!);
    const r0 = n0 === 0 ? 0 : Math.abs(v - x[i - l0]!) / n0;
    const r1 = n1 === 0 ? 0 : Math.abs(v - x[i - l1]!) / n1;
    const r2 = n2 === 0 ? 0 : Math.abs(v - x[i - l2]!) / n2;
    const t0 = r0 * span + slow;
    const t1 = r1 * span + slow;
    const t2 = r2 * span + slow;
    c0 = c0 + t0 * t0 * (v - c0);
    c1 = c1 + t1 * t1 * (v - c1);
    c2 = c2 + t2 * t2 * (v - c2);
    o0[i] = c0;
    o1[i] = c1;
    o2[i] = c2;
  }
}
