// One bar of the Pine semantics (docs/streaming.md, "The step, Pine semantics") once its MAs
// are stepped: the Pine pipeline's (pine/pipeline.ts) operations in its order — the
// per-MA crossover, `a` and equity (`accumulateMa` / `accumulateThree`), the Layer-1 sums from
// 0.0 in k order, `pineRound2`, `pineEquity` and `pineAverageSignal` — on the state vector.
import { LENGTHS_PER_FAMILY, STREAM_FAMILY_SLOTS, STREAM_MA_SLOTS } from '@adaptive-trend/core';
import { EQUITY_FLOOR } from '../kernels/equity.js';
import { fdlibmExp } from '../kernels/exp.js';
import { pineCut } from '../pine/average.js';
import { pineRound2 } from '../pine/layer1.js';
import { outputsFinite, writeNaNs } from './outputs.js';
import type { StreamPlan } from './plan.js';

/** Bar `i` after its MAs (see `settleReference` for the arguments). False when an output bar fails core's growth rule. */
export function settlePine(p: StreamPlan, st: Float64Array, xs: Float64Array, end: number, i: number, values: Float64Array, vAt: number, vStride: number, out: Float64Array, at: number, stride: number): boolean {
  const v = xs[end]!;
  const previous = xs[end - 1]!;
  const c = p.cutout;
  const d = p.d;
  const first = p.layout.mas;
  const families = p.layout.families;
  // pineScaledReturns: na before max(c, 1), growth exp(λ·(i − c)) from the cutout bar
  const r = i >= c && i >= 1 ? ((v - previous) / previous) * fdlibmExp(p.lambdaScaled * (i - c)) : NaN;
  for (let f = 0; f < 6; f++) {
    let num = 0.0;
    let den = 0.0;
    const last = (f + 1) * LENGTHS_PER_FAMILY;
    for (let q = f * LENGTHS_PER_FAMILY; q < last; q++) {
      const o = first + q * STREAM_MA_SLOTS;
      const ma = values[vAt + q * vStride]!;
      const held = st[o + 7]!; // sig[1]
      let s = held;
      if (i > 0) {
        // the crossover from bar 1 on, branch-free as accumulateThree: t ∈ {−1, 0, 1} sets or keeps
        const maPrevious = st[o + 6]!;
        const t = (+(v > ma) & +(previous <= maPrevious)) - (+(v < ma) & +(previous >= maPrevious));
        s = t + held * (1 - t * t);
        st[o + 7] = s;
      }
      st[o + 6] = ma;
      if (i >= c) {
        // `a` keeps its value under a flat signal; q·r is exactly r or −r for q = ±1
        const a = held !== 0 ? held * r : st[o + 9]!;
        const e = i > c ? Math.max(st[o + 8]! * d * (1 + a), EQUITY_FLOOR) : 1.0;
        st[o + 8] = e;
        st[o + 9] = a;
        num = num + s * e;
        den = den + e;
      }
    }
    if (i < c) continue;
    const quotient = num / den;
    const layer1 = Number.isNaN(quotient) ? NaN : pineRound2(quotient);
    // Layer 2 (pineEquity over the Layer-1 signal): floor(weight) at the cutout bar
    const g = families + f * STREAM_FAMILY_SLOTS;
    let eq2 = p.weights[f]!;
    if (i > c) {
      const signal = st[g + 2]!;
      let a2 = st[g + 1]!;
      if (signal > 0) a2 = r;
      else if (signal < 0) a2 = -r;
      st[g + 1] = a2;
      eq2 = st[g]! * d * (1 + a2);
      if (eq2 < EQUITY_FLOOR) eq2 = EQUITY_FLOOR;
    }
    st[g] = eq2;
    st[g + 2] = layer1;
    out[at + f * stride] = layer1;
    out[at + (6 + f) * stride] = eq2;
  }
  if (i < c) {
    writeNaNs(out, at, stride);
    return true;
  }
  // pineAverageSignal: starts from family 0's terms, no 0-for-non-finite, no strategy shift
  const e0 = out[at + 6 * stride]!;
  let nom = pineCut(out[at]!) * e0;
  let sum = e0;
  for (let f = 1; f < 6; f++) {
    const e2 = out[at + (6 + f) * stride]!;
    nom += pineCut(out[at + f * stride]!) * e2;
    sum += e2;
  }
  out[at + 12 * stride] = nom / sum;
  return outputsFinite(out, at, stride);
}
