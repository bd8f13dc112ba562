// One bar of each moving average, on the stream's state vector. Each function repeats its batch
// kernel's operations (kernels/moving-averages.ts, pine/moving-averages.ts) in the same order
// for bar `i` only, so bar i's value has the batch's bits. Conventions, shared by the steps:
// - `st` is the state vector (docs/streaming.md layout) being stepped; `o` the offset of the
//   MA's ten slots; `q` its index; the closes are `st[0..W)` already shifted to end with bar
//   i's close: x[i − j] = st[W − 1 − j] (W = plan.layout.window).
// - a per-MA window (HMA diffs, Pine DEMA e1 values) is a ring inside the vector: value of bar
//   j in slot `j mod length` (state.ts rotates it to the canonical oldest-first order).
// - each writes the MA at bar i to `values[q]` (NaN in its warm-up), as the batch writes it
//   (not returned: a double returned from a call that is not inlined is boxed).
// The two `…MovingAverages` functions at the end step all 54, one family per loop.
import { LENGTHS_PER_FAMILY, MA_COUNT, STREAM_MA_SLOTS } from '@adaptive-trend/core';
import { KAMA_SLOW, KAMA_SPAN, pairwiseSum } from '../kernels/moving-averages.js';
import type { StreamPlan } from './plan.js';

/** `emaFrom`'s recurrence for one value, with its keep-equal rule (`e === v` keeps `e`). */
function emaUpdate(e: number, v: number, w: number, alpha: number, den: number): number {
  if (e === v) return e;
  return den === 1 ? w * e + alpha * v : (w * e + alpha * v) / den;
}

/** `ema`: seeded with the pairwise mean of the first L closes at bar L−1 (slot m0 = e). */
export function stepEma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  const length = p.lengths[q]!;
  if (i < length - 1) {
    values[q] = NaN;
    return;
  }
  const W = p.layout.window;
  const e = i === length - 1 ? pairwiseSum(st, W - length, W) / length : emaUpdate(st[o]!, v, p.keep[q]!, p.alpha[q]!, p.den[q]!);
  st[o] = e;
  values[q] = e;
}

/** Reference `dema` (`demaThrough`): E2 seeded with E1 at bar L−1 (m0 = e1, m1 = e2). */
export function stepDema(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  const length = p.lengths[q]!;
  if (i < length - 1) {
    values[q] = NaN;
    return;
  }
  let e1: number, e2: number;
  if (i === length - 1) {
    const W = p.layout.window;
    e1 = pairwiseSum(st, W - length, W) / length;
    e2 = e1;
  } else {
    const w = p.keep[q]!, alpha = p.alpha[q]!, den = p.den[q]!;
    e1 = emaUpdate(st[o]!, v, w, alpha, den);
    e2 = emaUpdate(st[o + 1]!, e1, w, alpha, den);
  }
  st[o] = e1;
  st[o + 1] = e2;
  values[q] = 2 * e1 - e2;
}

/**
 * `wmaFrom`/`linregAt`'s running sums (m0 = S = Σx, m1 = W = Σ j·x): seeded at bar L−1, then
 * advanced. False in the warm-up.
 */
function stepWeightedSums(p: StreamPlan, st: Float64Array, o: number, length: number, v: number, i: number): boolean {
  if (i < length - 1) return false;
  const W = p.layout.window;
  let s: number, w: number;
  if (i === length - 1) {
    s = 0.0;
    w = 0.0;
    for (let j = 0; j < length; j++) {
      const x = st[W - length + j]!;
      s += x;
      w += (j + 1) * x;
    }
  } else {
    s = st[o]!;
    w = st[o + 1]!;
    w = w + length * v - s;
    s = s + v - st[W - 1 - length]!;
  }
  st[o] = s;
  st[o + 1] = w;
  return true;
}

/** `wma`: `W / (L(L+1)/2)`. */
export function stepWma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  values[q] = stepWeightedSums(p, st, o, p.lengths[q]!, v, i) ? st[o + 1]! / p.triangle[q]! : NaN;
}

/** `linregAt` evaluated at `at` (reference LSMA: L−1; Pine `ta.linreg`: L). */
function stepLinreg(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, at: number, values: Float64Array): void {
  const length = p.lengths[q]!;
  if (!stepWeightedSums(p, st, o, length, v, i)) {
    values[q] = NaN;
    return;
  }
  const sy = st[o]!, sxy = st[o + 1]!;
  const sx = p.triangle[q]!, sxx = p.sxx[q]!, det = p.det[q]!;
  const m = (length * sxy - sx * sy) / det;
  const b = (sy * sxx - sx * sxy) / det;
  values[q] = m * at + b;
}

/** Reference LSMA (`lsma`: the line at L−1). */
export function stepLsma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  stepLinreg(p, st, o, q, v, i, p.lengths[q]! - 1, values);
}

/** Pine `ta.linreg` (`pineLinreg`: the line at L). */
export function stepPineLinreg(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  stepLinreg(p, st, o, q, v, i, p.lengths[q]!, values);
}

/**
 * Reference Hull MA (`hma` → `hullDiff`, then `wmaFrom` over the diffs): m0,m1 the half WMA's
 * sums, m2,m3 the full one's, m4,m5 stage 2's; the last ⌊√L⌋+1 diffs in the window ring.
 */
export function stepHma(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, v: number, i: number, slot: number, values: Float64Array): void {
  const length = p.lengths[q]!;
  const half = p.half[q]!;
  const W = p.layout.window;
  let diff = NaN;
  if (i >= length - 1) {
    let sh: number, wh: number, sf: number, wf: number;
    if (i === length - 1) {
      // hullDiff's seed: both sums from x[0], then the half one advanced to bar L−1
      const x0 = W - length; // x[j] = st[x0 + j]
      sh = 0.0; wh = 0.0; sf = 0.0; wf = 0.0;
      for (let j = 0; j < half; j++) {
        const x = st[x0 + j]!;
        sh += x;
        wh += (j + 1) * x;
      }
      for (let j = 0; j < length; j++) {
        const x = st[x0 + j]!;
        sf += x;
        wf += (j + 1) * x;
      }
      for (let j = half; j < length; j++) {
        const x = st[x0 + j]!;
        wh = wh + half * x - sh;
        sh = sh + x - st[x0 + j - half]!;
      }
    } else {
      sh = st[o]!; wh = st[o + 1]!; sf = st[o + 2]!; wf = st[o + 3]!;
      wh = wh + half * v - sh;
      sh = sh + v - st[W - 1 - half]!;
      wf = wf + length * v - sf;
      sf = sf + v - st[W - 1 - length]!;
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
    values[q] = NaN;
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
  values[q] = w2 / p.rootTriangle[q]!;
}

/** Reference KAMA (`kamaThrough`): x[0] until bar L, then efficiency-ratio smoothing (m0 = k, m1 = noise). */
export function stepKama(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  const length = p.lengths[q]!;
  let k = i === 0 ? v : st[o]!;
  if (i >= length) {
    const W = p.layout.window;
    const back = st[W - 1 - length]!; // x[i − L]
    kamaNoise(st, W, o, length, i);
    const noise = st[o + 1]!;
    const ratio = noise === 0 ? 0 : Math.abs(v - back) / noise;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
  }
  st[o] = k;
  values[q] = k;
}

/** Pine `pineKama`: from 0, creeping by SLOW² before bar L, then the efficiency ratio (m0 = k, m1 = noise). */
export function stepPineKama(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  const length = p.lengths[q]!;
  let k = st[o]!;
  if (i < length) {
    k = k + KAMA_SLOW * KAMA_SLOW * (v - k);
  } else {
    const W = p.layout.window;
    kamaNoise(st, W, o, length, i);
    const noise = st[o + 1]!;
    const ratio = noise !== 0 ? Math.abs(v - st[W - 1 - length]!) / noise : 0;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
  }
  st[o] = k;
  values[q] = k;
}

/** KAMA's running noise at bar i ≥ L (slot m1): summed from 0.0 at bar L, then slid. */
function kamaNoise(st: Float64Array, W: number, o: number, length: number, i: number): void {
  let noise: number;
  if (i === length) {
    noise = 0.0;
    const x0 = W - 1 - length; // x[j] = st[x0 + j]
    for (let j = 1; j <= length; j++) noise += Math.abs(st[x0 + j]! - st[x0 + j - 1]!);
  } else {
    noise = st[o + 1]! + Math.abs(st[W - 1]! - st[W - 2]!) - Math.abs(st[W - 1 - length]! - st[W - 2 - length]!);
  }
  st[o + 1] = noise;
}

/** Pine's "HMA" family, `ta.sma` (`sma`): sequential seed sum at bar L−1, then slid (m0 = S). */
export function stepSma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, values: Float64Array): void {
  const length = p.lengths[q]!;
  if (i < length - 1) {
    values[q] = NaN;
    return;
  }
  const W = p.layout.window;
  let s: number;
  if (i === length - 1) {
    s = 0.0;
    for (let j = W - length; j < W; j++) s += st[j]!;
  } else {
    s = st[o]! + v - st[W - 1 - length]!;
  }
  st[o] = s;
  values[q] = s / length;
}

/**
 * Pine DEMA (`pineDema`): E1 the EMA above (m0); E2 (m1) seeded at bar 2L−2 with the pairwise
 * mean of E1[L−1..2L−2], kept in the window ring (L values, NaN before bar L−1).
 */
export function stepPineDema(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, v: number, i: number, slot: number, scratch: Float64Array, values: Float64Array): void {
  const length = p.lengths[q]!;
  stepEma(p, st, o, q, v, i, values);
  const e1 = values[q]!;
  const ring = p.windowAt[k]!;
  st[ring + slot] = e1; // slot = i mod L
  const first = 2 * length - 2;
  if (i < first) {
    values[q] = NaN;
    return;
  }
  let e2: number;
  if (i === first) {
    for (let j = 0; j < length; j++) scratch[j] = st[ring + ((length - 1 + j) % length)]!; // E1[L−1 + j]
    e2 = pairwiseSum(scratch, 0, length) / length;
  } else {
    e2 = emaUpdate(st[o + 1]!, e1, p.keep[q]!, p.alpha[q]!, p.den[q]!);
  }
  st[o + 1] = e2;
  values[q] = 2 * e1 - e2;
}

/**
 * The 54 reference MAs at bar i into `values` (family-major); `slots[k]` = i mod the k-th
 * window's length.
 */
export function referenceMovingAverages(p: StreamPlan, st: Float64Array, v: number, i: number, slots: Int32Array, values: Float64Array): void {
  const first = p.layout.mas;
  const K = LENGTHS_PER_FAMILY;
  for (let q = 0; q < K; q++) stepEma(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let k = 0, q = K; k < K; k++, q++) stepHma(p, st, first + q * STREAM_MA_SLOTS, q, k, v, i, slots[k]!, values);
  for (let q = 2 * K; q < 3 * K; q++) stepWma(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let q = 3 * K; q < 4 * K; q++) stepDema(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let q = 4 * K; q < 5 * K; q++) stepLsma(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let q = 5 * K; q < MA_COUNT; q++) stepKama(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
}

/** The 54 Pine MAs at bar i into `values` (see {@link referenceMovingAverages}); `scratch` ≥ the longest length. */
export function pineMovingAverages(p: StreamPlan, st: Float64Array, v: number, i: number, slots: Int32Array, values: Float64Array, scratch: Float64Array): void {
  const first = p.layout.mas;
  const K = LENGTHS_PER_FAMILY;
  for (let q = 0; q < K; q++) stepEma(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let q = K; q < 2 * K; q++) stepSma(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let q = 2 * K; q < 3 * K; q++) stepWma(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let k = 0, q = 3 * K; k < K; k++, q++) stepPineDema(p, st, first + q * STREAM_MA_SLOTS, q, k, v, i, slots[k]!, scratch, values);
  for (let q = 4 * K; q < 5 * K; q++) stepPineLinreg(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
  for (let q = 5 * K; q < MA_COUNT; q++) stepPineKama(p, st, first + q * STREAM_MA_SLOTS, q, v, i, values);
}
