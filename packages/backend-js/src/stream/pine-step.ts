// One bar of the Pine semantics (docs/streaming.md, "The step, Pine semantics"): the Pine
// pipeline's (pine/pipeline.ts) operations for bar i in its order — the script's MAs, the
// per-MA crossover, `a` and equity (`accumulateMa`'s keeping loop), the Layer-1 sums from 0.0
// in k order, `pineRound2`, `pineEquity` and `pineAverageSignal` — on the state vector.
import { LENGTHS_PER_FAMILY, STREAM_FAMILY_SLOTS, STREAM_MA_SLOTS } from '@adaptive-trend/core';
import { EQUITY_FLOOR } from '../kernels/equity.js';
import { fdlibmExp } from '../kernels/exp.js';
import { pineCut } from '../pine/average.js';
import { pineRound2 } from '../pine/layer1.js';
import { stepEma, stepPineDema, stepPineKama, stepPineLinreg, stepSma, stepWma } from './moving-averages.js';
import { outputsFinite, writeNaNs } from './outputs.js';
import type { StreamPlan } from './plan.js';

/**
 * Steps bar `i` (see `stepReference` for the arguments); `scratch` holds `maxLen` doubles for
 * the DEMA seed. False when an output bar fails core's growth rule.
 */
export function stepPine(p: StreamPlan, st: Float64Array, v: number, previous: number, i: number, out: Float64Array, at: number, stride: number, scratch: Float64Array): boolean {
  const c = p.cutout;
  const { mas, families } = p.layout;
  const d = p.d;
  // pineScaledReturns: na before max(c, 1), growth exp(λ·(i − c)) from the cutout bar
  const r = i >= c && i >= 1 ? ((v - previous) / previous) * fdlibmExp(p.lambdaScaled * (i - c)) : NaN;
  for (let f = 0; f < 6; f++) {
    let num = 0.0;
    let den = 0.0;
    for (let k = 0; k < LENGTHS_PER_FAMILY; k++) {
      const q = f * LENGTHS_PER_FAMILY + k;
      const o = mas + q * STREAM_MA_SLOTS;
      let ma: number;
      switch (f) {
        case 0: ma = stepEma(p, st, o, q, v, i); break;
        case 1: ma = stepSma(p, st, o, q, v, i); break;
        case 2: ma = stepWma(p, st, o, q, v, i); break;
        case 3: ma = stepPineDema(p, st, o, q, k, v, i, scratch); break;
        case 4: ma = stepPineLinreg(p, st, o, q, v, i); break;
        default: ma = stepPineKama(p, st, o, q, v, i);
      }
      // the crossover from bar 1 on; `held` is sig[1]
      const held = st[o + 7]!;
      let s = held;
      if (i > 0) {
        const maPrevious = st[o + 6]!;
        if (v > ma && previous <= maPrevious) s = 1;
        else if (v < ma && previous >= maPrevious) s = -1;
      }
      st[o + 6] = ma;
      st[o + 7] = s;
      if (i >= c) {
        let a = st[o + 9]!;
        if (held > 0) a = r;
        else if (held < 0) a = -r;
        let e = 1.0;
        if (i > c) {
          e = st[o + 8]! * d * (1 + a);
          if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
        }
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

/** The DEMA seed's scratch for {@link stepPine}: the longest length's doubles. */
export function pineStepScratch(p: StreamPlan): Float64Array {
  return new Float64Array(p.layout.window);
}
