// One bar of each moving average, on the stream's state vector. Each function repeats its batch
// kernel's operations (kernels/moving-averages.ts, pine/moving-averages.ts) in the same order
// for bar `i` only, so bar i's value has the batch's bits. Conventions, shared by the steps:
// - `st` is the state vector (docs/streaming.md layout) being stepped; `o` the offset of the
//   MA's ten slots; `q` its index; the closes are `st[0..W)` already shifted to end with bar
//   i's close: x[i − j] = st[W − 1 − j] (W = plan.layout.window).
// - a per-MA window (HMA diffs, Pine DEMA e1 values) is a ring inside the vector: value of bar
//   j in slot `j mod length` (state.ts rotates it to the canonical oldest-first order).
// - the return value is the MA at bar i (NaN in its warm-up), as the batch writes it.
import { KAMA_SLOW, KAMA_SPAN, pairwiseSum } from '../kernels/moving-averages.js';
import type { StreamPlan } from './plan.js';

/** `emaFrom`'s recurrence for one value, with its keep-equal rule (`e === v` keeps `e`). */
function emaUpdate(e: number, v: number, w: number, alpha: number, den: number): number {
  if (e === v) return e;
  return den === 1 ? w * e + alpha * v : (w * e + alpha * v) / den;
}

/** `ema`: seeded with the pairwise mean of the first L closes at bar L−1 (slot m0 = e). */
export function stepEma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  const length = p.lengths[q]!;
  if (i < length - 1) return NaN;
  const W = p.layout.window;
  const e = i === length - 1 ? pairwiseSum(st, W - length, W) / length : emaUpdate(st[o]!, v, p.keep[q]!, p.alpha[q]!, p.den[q]!);
  st[o] = e;
  return e;
}

/** Reference `dema` (`demaThrough`): E2 seeded with E1 at bar L−1 (m0 = e1, m1 = e2). */
export function stepDema(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  const length = p.lengths[q]!;
  if (i < length - 1) return NaN;
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
  return 2 * e1 - e2;
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
export function stepWma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  return stepWeightedSums(p, st, o, p.lengths[q]!, v, i) ? st[o + 1]! / p.triangle[q]! : NaN;
}

/** `linregAt` evaluated at `at` (reference LSMA: L−1; Pine `ta.linreg`: L). */
function stepLinreg(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number, at: number): number {
  const length = p.lengths[q]!;
  if (!stepWeightedSums(p, st, o, length, v, i)) return NaN;
  const sy = st[o]!, sxy = st[o + 1]!;
  const sx = p.triangle[q]!, sxx = p.sxx[q]!, det = p.det[q]!;
  const m = (length * sxy - sx * sy) / det;
  const b = (sy * sxx - sx * sxy) / det;
  return m * at + b;
}

/** Reference LSMA (`lsma`: the line at L−1). */
export function stepLsma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  return stepLinreg(p, st, o, q, v, i, p.lengths[q]! - 1);
}

/** Pine `ta.linreg` (`pineLinreg`: the line at L). */
export function stepPineLinreg(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  return stepLinreg(p, st, o, q, v, i, p.lengths[q]!);
}

/**
 * Reference Hull MA (`hma` → `hullDiff`, then `wmaFrom` over the diffs): m0,m1 the half WMA's
 * sums, m2,m3 the full one's, m4,m5 stage 2's; the last ⌊√L⌋+1 diffs in the window ring.
 */
export function stepHma(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, v: number, i: number): number {
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
  const oldest = st[ring + ((i + 1) % size)]!; // diff[i − root]: the ring holds diff[i−root .. i−1] and diff[i − root − 1]
  st[ring + (i % size)] = diff;
  const first = length - 2 + root;
  if (i < first) return NaN;
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
  return w2 / p.rootTriangle[q]!;
}

/** Reference KAMA (`kamaThrough`): x[0] until bar L, then efficiency-ratio smoothing (m0 = k, m1 = noise). */
export function stepKama(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  const length = p.lengths[q]!;
  let k = i === 0 ? v : st[o]!;
  if (i >= length) {
    const W = p.layout.window;
    const back = st[W - 1 - length]!; // x[i − L]
    const noise = kamaNoise(st, W, o, length, i);
    const ratio = noise === 0 ? 0 : Math.abs(v - back) / noise;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
  }
  st[o] = k;
  return k;
}

/** Pine `pineKama`: from 0, creeping by SLOW² before bar L, then the efficiency ratio (m0 = k, m1 = noise). */
export function stepPineKama(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  const length = p.lengths[q]!;
  let k = st[o]!;
  if (i < length) {
    k = k + KAMA_SLOW * KAMA_SLOW * (v - k);
  } else {
    const W = p.layout.window;
    const noise = kamaNoise(st, W, o, length, i);
    const ratio = noise !== 0 ? Math.abs(v - st[W - 1 - length]!) / noise : 0;
    const t = ratio * KAMA_SPAN + KAMA_SLOW;
    k = k + t * t * (v - k);
  }
  st[o] = k;
  return k;
}

/** KAMA's running noise at bar i ≥ L (slot m1): summed from 0.0 at bar L, then slid. */
function kamaNoise(st: Float64Array, W: number, o: number, length: number, i: number): number {
  let noise: number;
  if (i === length) {
    noise = 0.0;
    const x0 = W - 1 - length; // x[j] = st[x0 + j]
    for (let j = 1; j <= length; j++) noise += Math.abs(st[x0 + j]! - st[x0 + j - 1]!);
  } else {
    noise = st[o + 1]! + Math.abs(st[W - 1]! - st[W - 2]!) - Math.abs(st[W - 1 - length]! - st[W - 2 - length]!);
  }
  st[o + 1] = noise;
  return noise;
}

/** Pine's "HMA" family, `ta.sma` (`sma`): sequential seed sum at bar L−1, then slid (m0 = S). */
export function stepSma(p: StreamPlan, st: Float64Array, o: number, q: number, v: number, i: number): number {
  const length = p.lengths[q]!;
  if (i < length - 1) return NaN;
  const W = p.layout.window;
  let s: number;
  if (i === length - 1) {
    s = 0.0;
    for (let j = W - length; j < W; j++) s += st[j]!;
  } else {
    s = st[o]! + v - st[W - 1 - length]!;
  }
  st[o] = s;
  return s / length;
}

/**
 * Pine DEMA (`pineDema`): E1 the EMA above (m0); E2 (m1) seeded at bar 2L−2 with the pairwise
 * mean of E1[L−1..2L−2], kept in the window ring (L values, NaN before bar L−1).
 */
export function stepPineDema(p: StreamPlan, st: Float64Array, o: number, q: number, k: number, v: number, i: number, scratch: Float64Array): number {
  const length = p.lengths[q]!;
  const e1 = stepEma(p, st, o, q, v, i);
  const ring = p.windowAt[k]!;
  st[ring + (i % length)] = e1;
  const first = 2 * length - 2;
  if (i < first) return NaN;
  let e2: number;
  if (i === first) {
    for (let j = 0; j < length; j++) scratch[j] = st[ring + ((length - 1 + j) % length)]!; // E1[L−1 + j]
    e2 = pairwiseSum(scratch, 0, length) / length;
  } else {
    e2 = emaUpdate(st[o + 1]!, e1, p.keep[q]!, p.alpha[q]!, p.den[q]!);
  }
  st[o + 1] = e2;
  return 2 * e1 - e2;
}
