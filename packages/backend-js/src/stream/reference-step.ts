// One bar of the reference semantics (docs/streaming.md, "The step, reference semantics") once
// its MAs are stepped: the fused pipeline's (pipeline.ts) operations in its order — the per-MA equity
// then signal (`accumulateMa` / `accumulateThree`), the Layer-1 sums in k order from 0.0,
// `round2`, the Layer-2 `equityCurve` step and `averageSignal` — on the state vector.
import { LENGTHS_PER_FAMILY, MA_COUNT, STREAM_FAMILY_SLOTS, STREAM_MA_SLOTS } from '@adaptive-trend/core';
import { EQUITY_FLOOR } from '../kernels/equity.js';
import { fdlibmExp } from '../kernels/exp.js';
import { round2 } from '../kernels/layer1.js';
import { outputsFinite, writeNaNs } from './outputs.js';
import type { StreamPlan } from './plan.js';

/**
 * Bar `i` after its MAs (`stepMovingAverages`): closes x[i − m] = xs[end − m], MA q's value at
 * `values[vAt + q·vStride]`; advances the per-MA signals and equities, the family slots and
 * `avgPrev` of `st` and writes output r to `out[at + r·stride]`. False when an output bar
 * fails core's growth rule (the caller then discards `st`).
 */
export function settleReference(p: StreamPlan, st: Float64Array, xs: Float64Array, end: number, i: number, values: Float64Array, vAt: number, vStride: number, out: Float64Array, at: number, stride: number): boolean {
  const v = xs[end]!;
  const previous = xs[end - 1]!;
  const c = p.cutout;
  const first = p.layout.mas;
  if (i < c) {
    for (let q = 0; q < MA_COUNT; q++) st[first + q * STREAM_MA_SLOTS + 6] = values[vAt + q * vStride]!;
    writeNaNs(out, at, stride);
    return true;
  }
  const d = p.d;
  // the fused pipeline's scaled return of cut bar i − c (NaN at the cutout bar itself)
  const r = i > c ? (v / previous - 1.0) * fdlibmExp(p.lambdaScaled * (i - c)) : NaN;
  const families = p.layout.families;
  for (let f = 0; f < 6; f++) {
    let num = 0.0;
    let den = 0.0;
    const last = (f + 1) * LENGTHS_PER_FAMILY;
    if (i === c) {
      for (let q = f * LENGTHS_PER_FAMILY; q < last; q++) {
        const o = first + q * STREAM_MA_SLOTS;
        st[o + 6] = values[vAt + q * vStride]!;
        st[o + 7] = 0;
        st[o + 8] = 1.0;
        num = num + 0 * 1.0;
        den = den + 1.0;
      }
    } else if (r - r === 0) {
      // accumulateThree's branch-free form, exact for a finite return: 1 + s·r is 1 + a, and
      // `t + s·(1 − t²)` sets or keeps the signal
      for (let q = f * LENGTHS_PER_FAMILY; q < last; q++) {
        const o = first + q * STREAM_MA_SLOTS;
        const ma = values[vAt + q * vStride]!;
        const maPrevious = st[o + 6]!;
        const held = st[o + 7]!;
        const e = Math.max(st[o + 8]! * d * (1.0 + held * r), EQUITY_FLOOR);
        const t = (+(v > ma) & +(previous <= maPrevious)) - (+(v < ma) & +(previous >= maPrevious));
        const s = t + held * (1 - t * t);
        st[o + 6] = ma;
        st[o + 7] = s;
        st[o + 8] = e;
        num = num + s * e;
        den = den + e;
      }
    } else {
      // accumulateMa, for an infinite scaled return
      for (let q = f * LENGTHS_PER_FAMILY; q < last; q++) {
        const o = first + q * STREAM_MA_SLOTS;
        const ma = values[vAt + q * vStride]!;
        let s = st[o + 7]!;
        let a = 0.0;
        if (r === r) {
          if (s > 0) a = r;
          else if (s < 0) a = -r;
        }
        let e = st[o + 8]! * d * (1.0 + a);
        if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
        const maPrevious = st[o + 6]!;
        if (v > ma && previous <= maPrevious) s = 1;
        else if (v < ma && previous >= maPrevious) s = -1;
        st[o + 6] = ma;
        st[o + 7] = s;
        st[o + 8] = e;
        num = num + s * e;
        den = den + e;
      }
    }
    const quotient = num / den;
    const layer1 = Number.isFinite(quotient) ? round2(quotient) : NaN;
    // Layer 2: equityCurve over the Layer-1 signal, starting at the cutout bar
    const g = families + f * STREAM_FAMILY_SLOTS;
    let eq2: number;
    if (i === c) {
      eq2 = p.weights[f]!;
    } else {
      const signal = st[g + 2]!;
      let a = 0.0;
      if (r === r) {
        if (signal > 0) a = r;
        else if (signal < 0) a = -r;
      }
      eq2 = st[g]! * d * (1.0 + a);
      if (eq2 < EQUITY_FLOOR) eq2 = EQUITY_FLOOR;
    }
    st[g] = eq2;
    st[g + 2] = layer1;
    out[at + f * stride] = layer1;
    out[at + (6 + f) * stride] = eq2;
  }
  // averageSignal: Σ cut(L1)·E2 / Σ E2 from 0.0, 0 where not finite; strategy mode lags a bar
  let nom = 0.0;
  let sum = 0.0;
  for (let f = 0; f < 6; f++) {
    const l1 = out[at + f * stride]!;
    const e2 = out[at + (6 + f) * stride]!;
    const cut = l1 > p.longThreshold ? 1.0 : l1 < p.shortThreshold ? -1.0 : 0.0;
    nom += cut * e2;
    sum += e2;
  }
  const quotient = nom / sum;
  const average = Number.isFinite(quotient) ? quotient : 0.0;
  const avgAt = p.layout.avgPrev;
  out[at + 12 * stride] = p.strategyMode ? (i === c ? 0.0 : st[avgAt]!) : average;
  st[avgAt] = average;
  return outputsFinite(out, at, stride);
}
