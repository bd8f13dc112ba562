// One bar of each moving average, on the stream's state vector. Each function repeats its batch
// kernel's operations (kernels/moving-averages.ts, pine/moving-averages.ts) in the same order
// for bar `i` only, so bar i's value has the batch's bits. Conventions, shared by the steps:
// - `st` is the state vector (docs/streaming.md layout) being stepped; `o` the offset of the
//   MA's ten slots; `q` its index; the closes are read from `xs`, ending with bar i's close:
//   x[i − j] = xs[end − j] (one bar: the state's own closes, `xs = st`, `end = W − 1`).
// - a per-MA window (HMA diffs, Pine DEMA e1 values) is a ring inside the vector: value of bar
//   j in slot `j mod length` (state.ts rotates it to the canonical oldest-first order).
// - each writes the MA at bar i to `values[at]` (NaN in its warm-up), as the batch writes it
//   (not returned: a double returned from a call that is not inlined is boxed).
// `stepMovingAverages` at the end steps all 54 over a run of bars, one MA at a time.
import { LENGTHS_PER_FAMILY, MA_COUNT, STREAM_MA_SLOTS } from '@adaptive-trend/core';
import { KAMA_SLOW, KAMA_SPAN, pairwiseSum } from '../kernels/moving-averages.js';
import type { StreamPlan } from './plan.js';

/**
 * `emaFrom`'s recurrence for one value on the EMA held in `st[slot]`, with its keep-equal rule
 * (`e === v` keeps `e`). In place, not returned: see the note on boxing above.
 */
function emaUpdate(st: Float64Array, slot: number, v: number, w: number, alpha: number, den: number): void {
  const e = st[slot]!;
  if (e !== v) st[slot] = den === 1 ? w * e + alpha * v : (w * e + alpha * v) / den;
}

/** `ema`: seeded with the pairwise mean of the first L closes at bar L−1 (slot m0 = e). */
export function stepEma(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  if (i < length - 1) {
    values[at] = NaN;
    return;
  }
  if (i === length - 1) st[o] = pairwiseSum(xs, end + 1 - length, end + 1) / length;
  else emaUpdate(st, o, xs[end]!, p.keep[q]!, p.alpha[q]!, p.den[q]!);
  values[at] = st[o]!;
}

/** Reference `dema` (`demaThrough`): E2 seeded with E1 at bar L−1 (m0 = e1, m1 = e2). */
export function stepDema(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  if (i < length - 1) {
    values[at] = NaN;
    return;
  }
  let e1: number, e2: number;
  if (i === length - 1) {
    e1 = pairwiseSum(xs, end + 1 - length, end + 1) / length;
    e2 = e1;
  } else {
    const w = p.keep[q]!, alpha = p.alpha[q]!, den = p.den[q]!;
    emaUpdate(st, o, xs[end]!, w, alpha, den);
    e1 = st[o]!;
    emaUpdate(st, o + 1, e1, w, alpha, den);
    e2 = st[o + 1]!;
  }
  st[o] = e1;
  st[o + 1] = e2;
  values[at] = 2 * e1 - e2;
}

/**
 * `wmaFrom`/`linregAt`'s running sums (m0 = S = Σx, m1 = W = Σ j·x): seeded at bar L−1, then
 * advanced. False in the warm-up.
 */
function stepWeightedSums(st: Float64Array, o: number, length: number, xs: Float64Array, end: number, i: number): boolean {
  if (i < length - 1) return false;
  let s: number, w: number;
  if (i === length - 1) {
    s = 0.0;
    w = 0.0;
    for (let j = 0, x0 = end + 1 - length; j < length; j++) {
      const x = xs[x0 + j]!;
      s += x;
      w += (j + 1) * x;
    }
  } else {
    const v = xs[end]!;
    s = st[o]!;
    w = st[o + 1]!;
    w = w + length * v - s;
    s = s + v - xs[end - length]!;
  }
  st[o] = s;
  st[o + 1] = w;
  return true;
}

/** `wma`: `W / (L(L+1)/2)`. */
export function stepWma(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  values[at] = stepWeightedSums(st, o, p.lengths[q]!, xs, end, i) ? st[o + 1]! / p.triangle[q]! : NaN;
}

/** `linregAt` evaluated at `position` (reference LSMA: L−1; Pine `ta.linreg`: L). */
function stepLinreg(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, position: number, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  if (!stepWeightedSums(st, o, length, xs, end, i)) {
    values[at] = NaN;
    return;
  }
  const sy = st[o]!, sxy = st[o + 1]!;
  const sx = p.triangle[q]!, sxx = p.sxx[q]!, det = p.det[q]!;
  const m = (length * sxy - sx * sy) / det;
  const b = (sy * sxx - sx * sxy) / det;
  values[at] = m * position + b;
}

/** Reference LSMA (`lsma`: the line at L−1). */
export function stepLsma(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  stepLinreg(p, st, o, q, xs, end, i, p.lengths[q]! - 1, values, at);
}

/** Pine `ta.linreg` (`pineLinreg`: the line at L). */
export function stepPineLinreg(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  stepLinreg(p, st, o, q, xs, end, i, p.lengths[q]!, values, at);
}

/**
 * Reference Hull MA (`hma` → `hullDiff`, then `wmaFrom` over the diffs): m0,m1 the half WMA's
 * sums, m2,m3 the full one's, m4,m5 stage 2's; the last ⌊√L⌋+1 diffs in the window ring.
 */
export function stepHma(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, xs: Float64Array, end: number, i: number, slot: number, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  const half = p.half[q]!;
  let diff = NaN;
  if (i >= length - 1) {
    let sh: number, wh: number, sf: number, wf: number;
    if (i === length - 1) {
      // hullDiff's seed: both sums from x[0], then the half one advanced to bar L−1
      const x0 = end + 1 - length; // x[j] = xs[x0 + j]
      sh = 0.0; wh = 0.0; sf = 0.0; wf = 0.0;
      for (let j = 0; j < half; j++) {
        const x = xs[x0 + j]!;
        sh += x;
        wh += (j + 1) * x;
      }
      for (let j = 0; j < length; j++) {
        const x = xs[x0 + j]!;
        sf += x;
        wf += (j + 1) * x;
      }
      for (let j = half; j < length; j++) {
        const x = xs[x0 + j]!;
        wh = wh + half * x - sh;
        sh = sh + x - xs[x0 + j - half]!;
      }
    } else {
      const v = xs[end]!;
      sh = st[o]!; wh = st[o + 1]!; sf = st[o + 2]!; wf = st[o + 3]!;
      wh = wh + half * v - sh;
      sh = sh + v - xs[end - half]!;
      wf = wf + length * v - sf;
      sf = sf + v - xs[end - length]!;
    }
    st[o] = sh; st[o + 1] = wh; st[o + 2] = sf; st[o + 3] = wf;
    diff = 2 * (wh / p.halfTriangle[q]!) - wf / p.triangle[q]!;
  }
  // stage 2: WMA of ⌊√L⌋ over the diffs from bar L−1 (first value at L−2+⌊√L⌋)
  const root = p.root[q]!;
  const ring = p.windowAt[k]!;
  const size = root + 1;
  // slot = i mod size; the ring holds diff[i−root−1 .. i−1], diff[i − root] in the slot after bar i's
  const oldest = st[ring + (slot + 1 === size ? 0 : slot + 1)]!;
  st[ring + slot] = diff;
  const first = length - 2 + root;
  if (i < first) {
    values[at] = NaN;
    return;
  }
  let s2: number, w2: number;
  if (i === first) {
    s2 = 0.0;
    w2 = 0.0;
    for (let j = 0; j < root; j++) {
      const x = st[ring + ((i - root + 1 + j) % size)]!; // diff[L − 1 + j]
      s2 += x;
      w2 += (j + 1) * x;
    }
  } else {
    s2 = st[o + 4]!;
    w2 = st[o + 5]!;
    w2 = w2 + root * diff - s2;
    s2 = s2 + diff - oldest;
  }
  st[o + 4] = s2;
  st[o + 5] = w2;
  values[at] = w2 / p.rootTriangle[q]!;
}

/** Reference KAMA (`kamaThrough`): x[0] until bar L, then efficiency-ratio smoothing (m0 = k, m1 = noise). */
export function stepKama(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  const v = xs[end]!;
  let k = i === 0 ? v : st[o]!;
  if (i >= length) {
    const back = xs[end - length]!; // x[i − L]
    kamaNoise(st, o, length, xs, end, i);
    const noise = st[o + 1]!;
    const ratio = noise === 0 ? 0 : Math.abs(v - back) / noise;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
  }
  st[o] = k;
  values[at] = k;
}

/** Pine `pineKama`: from 0, creeping by SLOW² before bar L, then the efficiency ratio (m0 = k, m1 = noise). */
export function stepPineKama(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  const v = xs[end]!;
  let k = st[o]!;
  if (i < length) {
    k = k + KAMA_SLOW * KAMA_SLOW * (v - k);
  } else {
    kamaNoise(st, o, length, xs, end, i);
    const noise = st[o + 1]!;
    const ratio = noise !== 0 ? Math.abs(v - xs[end - length]!) / noise : 0;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
  }
  st[o] = k;
  values[at] = k;
}

/** KAMA's running noise at bar i ≥ L (slot m1): summed from 0.0 at bar L, then slid. */
function kamaNoise(st: Float64Array, o: number, length: number, xs: Float64Array, end: number, i: number): void {
  let noise: number;
  if (i === length) {
    noise = 0.0;
    const x0 = end - length; // x[j] = xs[x0 + j]
    for (let j = 1; j <= length; j++) noise += Math.abs(xs[x0 + j]! - xs[x0 + j - 1]!);
  } else {
    noise = st[o + 1]! + Math.abs(xs[end]! - xs[end - 1]!) - Math.abs(xs[end - length]! - xs[end - 1 - length]!);
  }
  st[o + 1] = noise;
}

/** Pine's "HMA" family, `ta.sma` (`sma`): sequential seed sum at bar L−1, then slid (m0 = S). */
export function stepSma(p: StreamPlan, st: Float64Array, o: number, q: number, xs: Float64Array, end: number, i: number, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  if (i < length - 1) {
    values[at] = NaN;
    return;
  }
  let s: number;
  if (i === length - 1) {
    s = 0.0;
    for (let j = end + 1 - length; j <= end; j++) s += xs[j]!;
  } else {
    s = st[o]! + xs[end]! - xs[end - length]!;
  }
  st[o] = s;
  values[at] = s / length;
}

/**
 * Pine DEMA (`pineDema`): E1 the EMA above (m0); E2 (m1) seeded at bar 2L−2 with the pairwise
 * mean of E1[L−1..2L−2], kept in the window ring (L values, NaN before bar L−1).
 */
export function stepPineDema(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, xs: Float64Array, end: number, i: number, slot: number, scratch: Float64Array, values: Float64Array, at: number): void {
  const length = p.lengths[q]!;
  stepEma(p, st, o, q, xs, end, i, values, at);
  const e1 = values[at]!;
  const ring = p.windowAt[k]!;
  st[ring + slot] = e1; // slot = i mod L
  const first = 2 * length - 2;
  if (i < first) {
    values[at] = NaN;
    return;
  }
  let e2: number;
  if (i === first) {
    for (let j = 0; j < length; j++) scratch[j] = st[ring + ((length - 1 + j) % length)]!; // E1[L−1 + j]
    e2 = pairwiseSum(scratch, 0, length) / length;
  } else {
    emaUpdate(st, o + 1, e1, p.keep[q]!, p.alpha[q]!, p.den[q]!);
    e2 = st[o + 1]!;
  }
  st[o + 1] = e2;
  values[at] = 2 * e1 - e2;
}

/**
 * Every MA over `count` bars from bar `i0`, one MA at a time (its state stays in registers and
 * cache across the bars): closes `xs[end0 + j]` for bar i0 + j; MA q's value of bar i0 + j at
 * `values[q·count + j]`. `slots[k]` = i0 mod the k-th window's length; `seed` holds the longest
 * length's doubles (Pine DEMA). One bar: `count = 1`, `xs = st`, `end0 = W − 1`. One function
 * per family below, so that V8 inlines each family's step into its loop.
 */
export function stepMovingAverages(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, slots: Int32Array, values: Float64Array, seed: Float64Array): void {
  emaRun(p, st, xs, end0, i0, count, values);
  wmaRun(p, st, xs, end0, i0, count, values);
  if (p.pine) {
    smaRun(p, st, xs, end0, i0, count, values);
    pineDemaRun(p, st, xs, end0, i0, count, slots, values, seed);
    pineLinregRun(p, st, xs, end0, i0, count, values);
    pineKamaRun(p, st, xs, end0, i0, count, values);
  } else {
    hmaRun(p, st, xs, end0, i0, count, slots, values);
    demaRun(p, st, xs, end0, i0, count, values);
    lsmaRun(p, st, xs, end0, i0, count, values);
    kamaRun(p, st, xs, end0, i0, count, values);
  }
}

const K = LENGTHS_PER_FAMILY;
const maAt = (p: StreamPlan, q: number): number => p.layout.mas + q * STREAM_MA_SLOTS;

/**
 * Bars of a run (from bar i0, `count` of them) that still go through the per-bar step of an MA
 * whose last special bar (seed, or the bar that seeds a second stage) is `lastSpecial`: the rest
 * take the MA's steady loop below, with its state in locals and written back once.
 */
const stepped = (lastSpecial: number, i0: number, count: number): number => Math.min(count, Math.max(0, lastSpecial + 1 - i0));

// ---- steady loops -------------------------------------------------------------------------
// Each is its step's steady branch (past every seed) over `n` bars, the same operations in the
// same order: closes xs[x0 + j], values[v0 + j]; the state is read once and written back once.

function emaSteady(st: Float64Array, o: number, w: number, alpha: number, den: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number): void {
  let e = st[o]!;
  if (den === 1) {
    for (let j = 0; j < n; j++) {
      const v = xs[x0 + j]!;
      if (e !== v) e = w * e + alpha * v;
      values[v0 + j] = e;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const v = xs[x0 + j]!;
      if (e !== v) e = (w * e + alpha * v) / den;
      values[v0 + j] = e;
    }
  }
  st[o] = e;
}

function demaSteady(st: Float64Array, o: number, w: number, alpha: number, den: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number): void {
  let e1 = st[o]!, e2 = st[o + 1]!;
  for (let j = 0; j < n; j++) {
    const v = xs[x0 + j]!;
    if (e1 !== v) e1 = den === 1 ? w * e1 + alpha * v : (w * e1 + alpha * v) / den;
    if (e2 !== e1) e2 = den === 1 ? w * e2 + alpha * e1 : (w * e2 + alpha * e1) / den;
    values[v0 + j] = 2 * e1 - e2;
  }
  st[o] = e1;
  st[o + 1] = e2;
}

/**
 * {@link demaSteady} (`second` true) or {@link emaSteady} of MAs q, q+1, q+2 in one loop, when all
 * three have `den === 1` (as `ema3`/`dema3` require): the latency-bound recurrences overlap.
 */
function emaSteady3(p: StreamPlan, st: Float64Array, q: number, second: boolean, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number, vStride: number): void {
  const o0 = maAt(p, q), o1 = o0 + STREAM_MA_SLOTS, o2 = o1 + STREAM_MA_SLOTS;
  const w0 = p.keep[q]!, w1 = p.keep[q + 1]!, w2 = p.keep[q + 2]!;
  const a0 = p.alpha[q]!, a1 = p.alpha[q + 1]!, a2 = p.alpha[q + 2]!;
  const u1 = v0 + vStride, u2 = u1 + vStride;
  let e0 = st[o0]!, e1 = st[o1]!, e2 = st[o2]!;
  if (!second) {
    for (let j = 0, end = x0; j < n; j++, end++) {
      const v = xs[end]!;
      if (e0 !== v) e0 = w0 * e0 + a0 * v;
      if (e1 !== v) e1 = w1 * e1 + a1 * v;
      if (e2 !== v) e2 = w2 * e2 + a2 * v;
      values[v0 + j] = e0;
      values[u1 + j] = e1;
      values[u2 + j] = e2;
    }
  } else {
    let f0 = st[o0 + 1]!, f1 = st[o1 + 1]!, f2 = st[o2 + 1]!;
    for (let j = 0, end = x0; j < n; j++, end++) {
      const v = xs[end]!;
      if (e0 !== v) e0 = w0 * e0 + a0 * v;
      if (e1 !== v) e1 = w1 * e1 + a1 * v;
      if (e2 !== v) e2 = w2 * e2 + a2 * v;
      if (f0 !== e0) f0 = w0 * f0 + a0 * e0;
      if (f1 !== e1) f1 = w1 * f1 + a1 * e1;
      if (f2 !== e2) f2 = w2 * f2 + a2 * e2;
      values[v0 + j] = 2 * e0 - f0;
      values[u1 + j] = 2 * e1 - f1;
      values[u2 + j] = 2 * e2 - f2;
    }
    st[o0 + 1] = f0;
    st[o1 + 1] = f1;
    st[o2 + 1] = f2;
  }
  st[o0] = e0;
  st[o1] = e1;
  st[o2] = e2;
}

/** MAs q..q+2 all past their seed `L − 1` and with `den === 1`: {@link emaSteady3} applies. */
function threeSteadyEmas(p: StreamPlan, q: number, last: number, i0: number): boolean {
  if (q + 3 > last) return false;
  for (let t = q; t < q + 3; t++) if (!(i0 > p.lengths[t]! - 1) || p.den[t] !== 1) return false;
  return true;
}

/** WMA (`position` NaN) or the linreg line at `position`. */
function weightedSteady(p: StreamPlan, st: Float64Array, o: number, q: number, position: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number): void {
  const length = p.lengths[q]!;
  const sx = p.triangle[q]!, sxx = p.sxx[q]!, det = p.det[q]!;
  const at = +position; // unboxed (a parameter is re-checked every bar)
  let s = st[o]!, w = st[o + 1]!;
  if (at !== at) {
    for (let j = 0, end = x0; j < n; j++, end++) {
      const v = xs[end]!;
      w = w + length * v - s;
      s = s + v - xs[end - length]!;
      values[v0 + j] = w / sx;
    }
  } else {
    for (let j = 0, end = x0; j < n; j++, end++) {
      const v = xs[end]!;
      w = w + length * v - s;
      s = s + v - xs[end - length]!;
      const m = (length * w - sx * s) / det;
      const b = (s * sxx - sx * w) / det;
      values[v0 + j] = m * at + b;
    }
  }
  st[o] = s;
  st[o + 1] = w;
}

/** {@link weightedSteady}'s WMA for MAs q, q+1, q+2 in one loop (their sum chains overlap, as {@link kamaSteady3}); each MA's operations in its order. */
function wmaSteady3(p: StreamPlan, st: Float64Array, q: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number, vStride: number): void {
  const oa = maAt(p, q), ob = oa + STREAM_MA_SLOTS, oc = ob + STREAM_MA_SLOTS;
  const la = p.lengths[q]!, lb = p.lengths[q + 1]!, lc = p.lengths[q + 2]!;
  const xa = p.triangle[q]!, xb = p.triangle[q + 1]!, xc = p.triangle[q + 2]!;
  let sa = st[oa]!, wa = st[oa + 1]!, sb = st[ob]!, wb = st[ob + 1]!, sc = st[oc]!, wc = st[oc + 1]!;
  const va = v0, vb = v0 + vStride, vc = vb + vStride;
  for (let j = 0, end = x0; j < n; j++, end++) {
    const v = xs[end]!;
    wa = wa + la * v - sa;
    sa = sa + v - xs[end - la]!;
    wb = wb + lb * v - sb;
    sb = sb + v - xs[end - lb]!;
    wc = wc + lc * v - sc;
    sc = sc + v - xs[end - lc]!;
    values[va + j] = wa / xa;
    values[vb + j] = wb / xb;
    values[vc + j] = wc / xc;
  }
  st[oa] = sa; st[oa + 1] = wa; st[ob] = sb; st[ob + 1] = wb; st[oc] = sc; st[oc + 1] = wc;
}

function smaSteady(st: Float64Array, o: number, length: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number): void {
  const l = length | 0; // unboxed (a parameter is re-checked every bar)
  let s = st[o]!;
  for (let j = 0, end = x0; j < n; j++, end++) {
    s = s + xs[end]! - xs[end - l]!;
    values[v0 + j] = s / l;
  }
  st[o] = s;
}

/**
 * Reference (`noise === 0 ? 0 : …`) or Pine (`noise !== 0 ? … : 0`) KAMA: one form, since the
 * two give the same value for every noise (±0: 0; NaN and the rest: the quotient).
 */
function kamaSteady(st: Float64Array, o: number, length: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number): void {
  // unboxed locals: TurboFan re-reads an imported binding and re-checks a parameter every bar
  const span = +KAMA_SPAN, slow = +KAMA_SLOW, l = length | 0;
  let k = st[o]!, noise = st[o + 1]!;
  for (let j = 0, end = x0; j < n; j++, end++) {
    const v = xs[end]!;
    noise = noise + Math.abs(xs[end]! - xs[end - 1]!) - Math.abs(xs[end - l]! - xs[end - 1 - l]!);
    const back = xs[end - l]!;
    const ratio = noise === 0 ? 0 : Math.abs(v - back) / noise;
    const t = ratio * span + slow;
    k = k + t * t * (v - k);
    values[v0 + j] = k;
  }
  st[o] = k;
  st[o + 1] = noise;
}

/** {@link kamaSteady} of MAs at `o`, `o + 10`, `o + 20` (lengths l0..l2) in one loop: three latency-bound recurrences overlap (as `kama3`). */
function kamaSteady3(st: Float64Array, o: number, l0: number, l1: number, l2: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number, vStride: number): void {
  const o1 = o + STREAM_MA_SLOTS, o2 = o1 + STREAM_MA_SLOTS;
  const w1 = v0 + vStride, w2 = w1 + vStride;
  // unboxed locals (as kamaSteady)
  const span = +KAMA_SPAN, slow = +KAMA_SLOW, la = l0 | 0, lb = l1 | 0, lc = l2 | 0;
  let k0 = st[o]!, n0 = st[o + 1]!, k1 = st[o1]!, n1 = st[o1 + 1]!, k2 = st[o2]!, n2 = st[o2 + 1]!;
  for (let j = 0, end = x0; j < n; j++, end++) {
    const v = xs[end]!;
    const step = Math.abs(xs[end]! - xs[end - 1]!);
    n0 = n0 + step - Math.abs(xs[end - la]! - xs[end - 1 - la]!);
    n1 = n1 + step - Math.abs(xs[end - lb]! - xs[end - 1 - lb]!);
    n2 = n2 + step - Math.abs(xs[end - lc]! - xs[end - 1 - lc]!);
    const b0 = xs[end - la]!, b1 = xs[end - lb]!, b2 = xs[end - lc]!;
    const r0 = n0 === 0 ? 0 : Math.abs(v - b0) / n0;
    const r1 = n1 === 0 ? 0 : Math.abs(v - b1) / n1;
    const r2 = n2 === 0 ? 0 : Math.abs(v - b2) / n2;
    const t0 = r0 * span + slow, t1 = r1 * span + slow, t2 = r2 * span + slow;
    k0 = k0 + t0 * t0 * (v - k0);
    k1 = k1 + t1 * t1 * (v - k1);
    k2 = k2 + t2 * t2 * (v - k2);
    values[v0 + j] = k0;
    values[w1 + j] = k1;
    values[w2 + j] = k2;
  }
  st[o] = k0; st[o + 1] = n0; st[o1] = k1; st[o1 + 1] = n1; st[o2] = k2; st[o2 + 1] = n2;
}

function hmaSteady(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, xs: Float64Array, x0: number, n: number, slot0: number, values: Float64Array, v0: number): void {
  const length = p.lengths[q]!, half = p.half[q]!, root = p.root[q]!;
  const dh = p.halfTriangle[q]!, df = p.triangle[q]!, dr = p.rootTriangle[q]!;
  const ring = p.windowAt[k]!;
  const size = root + 1;
  let sh = st[o]!, wh = st[o + 1]!, sf = st[o + 2]!, wf = st[o + 3]!, s2 = st[o + 4]!, w2 = st[o + 5]!;
  for (let j = 0, end = x0, slot = slot0; j < n; j++, end++) {
    const v = xs[end]!;
    wh = wh + half * v - sh;
    sh = sh + v - xs[end - half]!;
    wf = wf + length * v - sf;
    sf = sf + v - xs[end - length]!;
    const diff = 2 * (wh / dh) - wf / df;
    const next = slot + 1 === size ? 0 : slot + 1;
    const oldest = st[ring + next]!;
    st[ring + slot] = diff;
    w2 = w2 + root * diff - s2;
    s2 = s2 + diff - oldest;
    values[v0 + j] = w2 / dr;
    slot = next;
  }
  st[o] = sh; st[o + 1] = wh; st[o + 2] = sf; st[o + 3] = wf; st[o + 4] = s2; st[o + 5] = w2;
}

/**
 * {@link hmaSteady} of MAs q, q+1, q+2 (ring k, k+1, k+2; every bar of the run steady for all
 * three) in one loop: six latency-bound sums per MA, three MAs' chains overlap (as
 * {@link kamaSteady3}). Each MA's operations are hmaSteady's, in its order.
 */
function hmaSteady3(p: StreamPlan, st: Float64Array, q: number, k: number, xs: Float64Array, x0: number, n: number, slots: Int32Array, values: Float64Array, v0: number, vStride: number): void {
  const oa = maAt(p, q), ob = oa + STREAM_MA_SLOTS, oc = ob + STREAM_MA_SLOTS;
  const la = p.lengths[q]!, ha = p.half[q]!, ra = p.root[q]!, dha = p.halfTriangle[q]!, dfa = p.triangle[q]!, dra = p.rootTriangle[q]!;
  const lb = p.lengths[q + 1]!, hb = p.half[q + 1]!, rb = p.root[q + 1]!, dhb = p.halfTriangle[q + 1]!, dfb = p.triangle[q + 1]!, drb = p.rootTriangle[q + 1]!;
  const lc = p.lengths[q + 2]!, hc = p.half[q + 2]!, rc = p.root[q + 2]!, dhc = p.halfTriangle[q + 2]!, dfc = p.triangle[q + 2]!, drc = p.rootTriangle[q + 2]!;
  const ga = p.windowAt[k]!, gb = p.windowAt[k + 1]!, gc = p.windowAt[k + 2]!;
  const za = ra + 1, zb = rb + 1, zc = rc + 1;
  let sha = st[oa]!, wha = st[oa + 1]!, sfa = st[oa + 2]!, wfa = st[oa + 3]!, s2a = st[oa + 4]!, w2a = st[oa + 5]!;
  let shb = st[ob]!, whb = st[ob + 1]!, sfb = st[ob + 2]!, wfb = st[ob + 3]!, s2b = st[ob + 4]!, w2b = st[ob + 5]!;
  let shc = st[oc]!, whc = st[oc + 1]!, sfc = st[oc + 2]!, wfc = st[oc + 3]!, s2c = st[oc + 4]!, w2c = st[oc + 5]!;
  const va = v0, vb = v0 + vStride, vc = vb + vStride;
  for (let j = 0, end = x0, ta = slots[k]!, tb = slots[k + 1]!, tc = slots[k + 2]!; j < n; j++, end++) {
    const v = xs[end]!;
    wha = wha + ha * v - sha;
    sha = sha + v - xs[end - ha]!;
    wfa = wfa + la * v - sfa;
    sfa = sfa + v - xs[end - la]!;
    whb = whb + hb * v - shb;
    shb = shb + v - xs[end - hb]!;
    wfb = wfb + lb * v - sfb;
    sfb = sfb + v - xs[end - lb]!;
    whc = whc + hc * v - shc;
    shc = shc + v - xs[end - hc]!;
    wfc = wfc + lc * v - sfc;
    sfc = sfc + v - xs[end - lc]!;
    const da = 2 * (wha / dha) - wfa / dfa, db = 2 * (whb / dhb) - wfb / dfb, dc = 2 * (whc / dhc) - wfc / dfc;
    const na = ta + 1 === za ? 0 : ta + 1, nb = tb + 1 === zb ? 0 : tb + 1, nc = tc + 1 === zc ? 0 : tc + 1;
    const olda = st[ga + na]!, oldb = st[gb + nb]!, oldc = st[gc + nc]!;
    st[ga + ta] = da;
    st[gb + tb] = db;
    st[gc + tc] = dc;
    w2a = w2a + ra * da - s2a;
    s2a = s2a + da - olda;
    w2b = w2b + rb * db - s2b;
    s2b = s2b + db - oldb;
    w2c = w2c + rc * dc - s2c;
    s2c = s2c + dc - oldc;
    values[va + j] = w2a / dra;
    values[vb + j] = w2b / drb;
    values[vc + j] = w2c / drc;
    ta = na; tb = nb; tc = nc;
  }
  st[oa] = sha; st[oa + 1] = wha; st[oa + 2] = sfa; st[oa + 3] = wfa; st[oa + 4] = s2a; st[oa + 5] = w2a;
  st[ob] = shb; st[ob + 1] = whb; st[ob + 2] = sfb; st[ob + 3] = wfb; st[ob + 4] = s2b; st[ob + 5] = w2b;
  st[oc] = shc; st[oc + 1] = whc; st[oc + 2] = sfc; st[oc + 3] = wfc; st[oc + 4] = s2c; st[oc + 5] = w2c;
}

function pineDemaSteady(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, xs: Float64Array, x0: number, n: number, slot0: number, values: Float64Array, v0: number): void {
  const w = p.keep[q]!, alpha = p.alpha[q]!, den = p.den[q]!;
  const ring = p.windowAt[k]!;
  const size = p.layout.windowLengths[k]!;
  let e1 = st[o]!, e2 = st[o + 1]!;
  for (let j = 0, end = x0, slot = slot0; j < n; j++, end++) {
    const v = xs[end]!;
    if (e1 !== v) e1 = den === 1 ? w * e1 + alpha * v : (w * e1 + alpha * v) / den;
    st[ring + slot] = e1;
    if (e2 !== e1) e2 = den === 1 ? w * e2 + alpha * e1 : (w * e2 + alpha * e1) / den;
    values[v0 + j] = 2 * e1 - e2;
    slot = slot + 1 === size ? 0 : slot + 1;
  }
  st[o] = e1;
  st[o + 1] = e2;
}

// ---- runs: the per-bar step through the seeds, then the steady loop ---------------------------

function emaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  for (let q = 0; q < K; q++) {
    if (threeSteadyEmas(p, q, K, i0)) {
      emaSteady3(p, st, q, false, xs, end0, count, values, q * count, count);
      q += 2;
      continue;
    }
    const o = maAt(p, q);
    const m = stepped(p.lengths[q]! - 1, i0, count);
    for (let j = 0; j < m; j++) stepEma(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
    if (m < count) emaSteady(st, o, p.keep[q]!, p.alpha[q]!, p.den[q]!, xs, end0 + m, count - m, values, q * count + m);
  }
}
function wmaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  for (let q = 2 * K; q < 3 * K; q++) {
    if (q + 2 < 3 * K && stepped(p.lengths[q + 2]! - 1, i0, count) === 0 && stepped(p.lengths[q + 1]! - 1, i0, count) === 0 && stepped(p.lengths[q]! - 1, i0, count) === 0) {
      wmaSteady3(p, st, q, xs, end0, count, values, q * count, count);
      q += 2;
      continue;
    }
    const o = maAt(p, q);
    const m = stepped(p.lengths[q]! - 1, i0, count);
    for (let j = 0; j < m; j++) stepWma(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
    if (m < count) weightedSteady(p, st, o, q, NaN, xs, end0 + m, count - m, values, q * count + m);
  }
}
function smaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  for (let q = K; q < 2 * K; q++) {
    const o = maAt(p, q);
    const m = stepped(p.lengths[q]! - 1, i0, count);
    for (let j = 0; j < m; j++) stepSma(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
    if (m < count) smaSteady(st, o, p.lengths[q]!, xs, end0 + m, count - m, values, q * count + m);
  }
}
function pineDemaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, slots: Int32Array, values: Float64Array, seed: Float64Array): void {
  for (let k = 0, q = 3 * K; k < K; k++, q++) {
    const size = p.layout.windowLengths[k]!;
    const o = maAt(p, q);
    const m = stepped(2 * p.lengths[q]! - 2, i0, count);
    let slot = slots[k]!;
    for (let j = 0; j < m; j++, slot = slot + 1 === size ? 0 : slot + 1) {
      stepPineDema(p, st, o, q, k, xs, end0 + j, i0 + j, slot, seed, values, q * count + j);
    }
    if (m < count) pineDemaSteady(p, st, o, q, k, xs, end0 + m, count - m, slot, values, q * count + m);
  }
}
function pineLinregRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  for (let q = 4 * K; q < 5 * K; q++) {
    const o = maAt(p, q);
    const m = stepped(p.lengths[q]! - 1, i0, count);
    for (let j = 0; j < m; j++) stepPineLinreg(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
    if (m < count) weightedSteady(p, st, o, q, p.lengths[q]!, xs, end0 + m, count - m, values, q * count + m);
  }
}
function pineKamaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  kamaRunOf(p, st, true, xs, end0, i0, count, values);
}
/** Both KAMAs: three MAs at a time once all three are past their seeds, else one by one. */
function kamaRunOf(p: StreamPlan, st: Float64Array, pine: boolean, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  for (let q = 5 * K; q < MA_COUNT; q++) {
    const o = maAt(p, q);
    if (q + 3 <= MA_COUNT && i0 > p.lengths[q]! && i0 > p.lengths[q + 1]! && i0 > p.lengths[q + 2]!) {
      kamaSteady3(st, o, p.lengths[q]!, p.lengths[q + 1]!, p.lengths[q + 2]!, xs, end0, count, values, q * count, count);
      q += 2;
      continue;
    }
    const m = stepped(p.lengths[q]!, i0, count);
    for (let j = 0; j < m; j++) {
      if (pine) stepPineKama(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
      else stepKama(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
    }
    if (m < count) kamaSteady(st, o, p.lengths[q]!, xs, end0 + m, count - m, values, q * count + m);
  }
}
function hmaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, slots: Int32Array, values: Float64Array): void {
  for (let k = 0, q = K; k < K; k++, q++) {
    if (k + 2 < K && stepped(p.lengths[q + 2]! - 2 + p.root[q + 2]!, i0, count) === 0 && stepped(p.lengths[q + 1]! - 2 + p.root[q + 1]!, i0, count) === 0 && stepped(p.lengths[q]! - 2 + p.root[q]!, i0, count) === 0) {
      hmaSteady3(p, st, q, k, xs, end0, count, slots, values, q * count, count);
      k += 2;
      q += 2;
      continue;
    }
    const size = p.layout.windowLengths[k]!;
    const o = maAt(p, q);
    const m = stepped(p.lengths[q]! - 2 + p.root[q]!, i0, count);
    let slot = slots[k]!;
    for (let j = 0; j < m; j++, slot = slot + 1 === size ? 0 : slot + 1) {
      stepHma(p, st, o, q, k, xs, end0 + j, i0 + j, slot, values, q * count + j);
    }
    if (m < count) hmaSteady(p, st, o, q, k, xs, end0 + m, count - m, slot, values, q * count + m);
  }
}
function demaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  for (let q = 3 * K; q < 4 * K; q++) {
    if (threeSteadyEmas(p, q, 4 * K, i0)) {
      emaSteady3(p, st, q, true, xs, end0, count, values, q * count, count);
      q += 2;
      continue;
    }
    const o = maAt(p, q);
    const m = stepped(p.lengths[q]! - 1, i0, count);
    for (let j = 0; j < m; j++) stepDema(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
    if (m < count) demaSteady(st, o, p.keep[q]!, p.alpha[q]!, p.den[q]!, xs, end0 + m, count - m, values, q * count + m);
  }
}
function lsmaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  for (let q = 4 * K; q < 5 * K; q++) {
    const o = maAt(p, q);
    const m = stepped(p.lengths[q]! - 1, i0, count);
    for (let j = 0; j < m; j++) stepLsma(p, st, o, q, xs, end0 + j, i0 + j, values, q * count + j);
    if (m < count) weightedSteady(p, st, o, q, p.lengths[q]! - 1, xs, end0 + m, count - m, values, q * count + m);
  }
}
function kamaRun(p: StreamPlan, st: Float64Array, xs: Float64Array, end0: number, i0: number, count: number, values: Float64Array): void {
  kamaRunOf(p, st, false, xs, end0, i0, count, values);
}
