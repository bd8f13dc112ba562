// The steady bars of a run after its MAs (stepMovingAverages), either semantics, MA by MA: the
// fused pipeline's order of work (pipeline.ts: each MA's signal and equity over all bars into the
// family's Layer-1 sums, then Layer 1 and Layer 2 per family, then the average) with exactly
// the per-bar step's operations (settleReference / settlePine, their steady branches) — each
// bar's sums still add the MAs in k order from 0.0, so the bits are the per-bar path's. Per-MA
// and per-family state is read once into locals and written back once.
import { LENGTHS_PER_FAMILY, MA_COUNT, STREAM_FAMILY_SLOTS, STREAM_MA_SLOTS } from '@adaptive-trend/core';
import { EQUITY_FLOOR } from '../kernels/equity.js';
import { fdlibmExp } from '../kernels/exp.js';
import { layer1Round, round2 } from '../kernels/layer1.js';
import { pineCut } from '../pine/average.js';
import { pineRound2 } from '../pine/layer1.js';
import { outputsFinite } from './outputs.js';
import type { StreamPlan } from './plan.js';

/** Bars `Stepper.advanceMany` steps MA by MA at once: bounds the run's scratch (54 × this doubles). */
export const RUN = 256;

// The run's lane, LANE: the MA values (54 rows of RUN, from 0), then per-bar rows of RUN —
// scaled returns, the family's Layer-1 sums, the average's sums — then the floor picks (six
// doubles: "Floor picks" below), the run's closes x[i0 − 1 .. i0 + n) (RUN + 1), then the run's
// 13 output rows, copied into the caller's rows at the end of the run. The lane
// and its offsets are module constants, not scratch fields or parameters: TurboFan then folds
// `RETURNS_AT + j` into the address and knows the array's length and data pointer, where a
// typed array passed in was map-checked and its length and data pointer reloaded every bar, and
// each offset took a register and an add (the settle's three-MA loop: 254 → 167 instructions
// per bar). Not exported: an exported binding is read through its cell, with a hole check.
const RETURNS_AT = MA_COUNT * RUN;
const NUM_AT = RETURNS_AT + RUN;
const DEN_AT = NUM_AT + RUN;
const NOM_AT = DEN_AT + RUN;
const SUM_AT = NOM_AT + RUN;
const PICK_AT = SUM_AT + RUN;
const RUN_CLOSES_AT = PICK_AT + 8;
const OUT_AT = RUN_CLOSES_AT + RUN + 1; // the run's 13 output rows (row r at OUT_AT + r·RUN)
const LANE = new Float64Array(OUT_AT + 13 * RUN);
/** The 13 output rows of a full run, as views (copied out with `set`: no per-bar checks on `out`). */
const OUT_ROWS = Array.from({ length: 13 }, (_, r) => LANE.subarray(OUT_AT + r * RUN, OUT_AT + (r + 1) * RUN));

/**
 * `advanceMany`'s scratch: views of {@link LANE} (`values`, `returns`, `num`, `den`) and the
 * closes (the state's W, then the run's), shared by every stream (JavaScript runs one step at a
 * time and a step calls no user code), so a stream's own memory stays O(longest length).
 */
export interface SettleScratch {
  readonly values: Float64Array;
  readonly closes: Float64Array;
  readonly returns: Float64Array;
  readonly num: Float64Array;
  readonly den: Float64Array;
}

let shared: SettleScratch | undefined;
/** The scratch, its closes grown to the largest window W (W + RUN doubles). */
export function runScratch(window: number): SettleScratch {
  if (shared !== undefined && shared.closes.length >= window + RUN) return shared;
  shared = {
    values: LANE.subarray(0, RETURNS_AT),
    closes: new Float64Array(window + RUN),
    returns: LANE.subarray(RETURNS_AT, NUM_AT),
    num: LANE.subarray(NUM_AT, DEN_AT),
    den: LANE.subarray(DEN_AT, NOM_AT),
  };
  return shared;
}

/*
 * Floor picks: the equity floor `Math.max(u, EQUITY_FLOOR)` without a branch: u goes to `LANE[at]`, the
 * floor sits in `LANE[at + 1]`, and the result is `LANE[at + +(u < EQUITY_FLOOR)]` — the same double for
 * every u (below the floor, −∞ and −0 included: the floor; NaN, +∞ and the rest: u). V8 compiles
 * Math.max to compare-and-branch, and on long series the growth factor makes the equities
 * cross the floor often enough that those branches mispredict (pushMany of 10⁷ bars: ~9%
 * faster with this form). Callers store u and read the pick inline (a helper returning a
 * double would box it when not inlined).
 */

/**
 * The first bar from which {@link settleRun} may take over: past the cutout bar (and so past bar
 * 0, Pine's no-crossover bar). Earlier bars go through the per-bar settle.
 */
export function firstSteadyBar(p: StreamPlan): number {
  return p.cutout + 1;
}

/**
 * Bars `i0 .. i0+n−1`, all before the cutout, after their MAs (arguments as {@link settleRun}):
 * the per-bar settle's `i < c` branch over the run, MA by MA — no outputs (13 NaNs per bar);
 * reference: each MA's `maPrev` becomes its last value; Pine: each MA's crossover signal steps
 * from bar 1 on as `settlePine`'s (the same branch-free operations).
 */
export function settleBeforeCutout(p: StreamPlan, st: Float64Array, xs: Float64Array, x0: number, i0: number, n: number, values: Float64Array, vAt: number, vStride: number, out: Float64Array, at: number, stride: number): void {
  for (let row = 0; row < 13; row++) out.fill(NaN, at + row * stride, at + row * stride + n);
  const first = p.layout.mas;
  for (let q = 0, v0 = vAt; q < MA_COUNT; q++, v0 += vStride) {
    const o = first + q * STREAM_MA_SLOTS;
    if (!p.pine) {
      st[o + 6] = values[v0 + n - 1]!;
      continue;
    }
    let j = 0;
    let maPrevious = st[o + 6]!, s = st[o + 7]!;
    if (i0 === 0) {
      maPrevious = values[v0]!; // bar 0: no crossover
      j = 1;
    }
    for (let end = x0 + j; j < n; j++, end++) {
      const v = xs[end]!, previous = xs[end - 1]!;
      const ma = values[v0 + j]!;
      const t = (+(v > ma) & +(previous <= maPrevious)) - (+(v < ma) & +(previous >= maPrevious));
      s = t + s * (1 - t * t);
      maPrevious = ma;
    }
    st[o + 6] = maPrevious;
    st[o + 7] = s;
  }
}

/**
 * Bars `i0 .. i0+n−1` (all ≥ {@link firstSteadyBar}) after their MAs: closes x[i0 + j] =
 * `scratch.closes[x0 + j]`, MA q's value of bar i0 + j at `scratch.values[vAt + j + q·vStride]`;
 * outputs of bar i0 + j at `out[at + j + row·stride]`. −1, or the first bar offset whose outputs
 * fail core's growth rule (`st` must then be discarded, as after the per-bar settle's failure).
 */
export function settleRun(p: StreamPlan, st: Float64Array, x0: number, i0: number, n: number, vAt: number, vStride: number, out: Float64Array, at: number, stride: number, scratch: SettleScratch): number {
  const { closes: xs, values, returns, num, den } = scratch;
  const c = p.cutout;
  const pine = p.pine;
  let finite = true;
  for (let j = 0, end = x0; j < n; j++, end++) {
    const v = xs[end]!, previous = xs[end - 1]!;
    const growth = fdlibmExp(p.lambdaScaled * (i0 + j - c));
    const r = pine ? ((v - previous) / previous) * growth : (v / previous - 1.0) * growth;
    returns[j] = r;
    finite &&= r - r === 0;
  }
  for (let j = 0; j <= n; j++) LANE[RUN_CLOSES_AT + j] = xs[x0 - 1 + j]!; // the run's closes, from the previous bar's
  if (!pine && finite && unitSignals(p, st)) return referenceFiniteRun(p, st, n, vAt, vStride, out, at, stride);
  for (let f = 0; f < 6; f++) {
    const last = (f + 1) * LENGTHS_PER_FAMILY;
    if (pine) {
      num.fill(0.0, 0, n);
      den.fill(0.0, 0, n);
      for (let q = f * LENGTHS_PER_FAMILY; q < last; q += 3) {
        pineThree(st, p.layout.mas + q * STREAM_MA_SLOTS, p.d, n, vAt + q * vStride, vStride);
      }
      pineFamily(p, st, f, n, returns, num, den, out, at, stride);
      continue;
    }
    num.fill(0.0, 0, n);
    den.fill(0.0, 0, n);
    for (let q = f * LENGTHS_PER_FAMILY; q < last; q++) referenceMa(p, st, q, xs, x0, n, values, vAt + q * vStride, returns, num, den);
    referenceFamily(p, st, f, n, returns, num, den, out, at, stride);
  }
  if (pine) pineAverage(n, out, at, stride);
  else referenceAverage(p, st, n, out, at, stride);
  for (let j = 0; j < n; j++) if (!outputsFinite(out, at + j, stride)) return j;
  return -1;
}

/**
 * Whether every MA's held signal in `st` is −1, 0 or 1 (always, unless a restored state was
 * crafted otherwise): the finite-run loops then hold the signals as int32.
 */
function unitSignals(p: StreamPlan, st: Float64Array): boolean {
  for (let q = 0, o = p.layout.mas + 7; q < MA_COUNT; q++, o += STREAM_MA_SLOTS) {
    const s = st[o]!;
    if (s !== 0 && s !== 1 && s !== -1) return false;
  }
  return true;
}

/** `settleReference`'s per-MA steady step over the run (branch-free for a finite return, `accumulateMa` otherwise). */
function referenceMa(p: StreamPlan, st: Float64Array, q: number, xs: Float64Array, x0: number, n: number, values: Float64Array, v0: number, returns: Float64Array, num: Float64Array, den: Float64Array): void {
  const o = p.layout.mas + q * STREAM_MA_SLOTS;
  const d = p.d;
  let maPrevious = st[o + 6]!, s = st[o + 7]!, e = st[o + 8]!;
  for (let j = 0, end = x0; j < n; j++, end++) {
    const v = xs[end]!, previous = xs[end - 1]!;
    const r = returns[j]!;
    const ma = values[v0 + j]!;
    if (r - r === 0) {
      const held = s;
      e = Math.max(e * d * (1.0 + held * r), EQUITY_FLOOR);
      const t = (+(v > ma) & +(previous <= maPrevious)) - (+(v < ma) & +(previous >= maPrevious));
      s = t + held * (1 - t * t);
    } else {
      let a = 0.0;
      if (r === r) {
        if (s > 0) a = r;
        else if (s < 0) a = -r;
      }
      e = e * d * (1.0 + a);
      if (e < EQUITY_FLOOR) e = EQUITY_FLOOR;
      if (v > ma && previous <= maPrevious) s = 1;
      else if (v < ma && previous >= maPrevious) s = -1;
    }
    maPrevious = ma;
    num[j] = num[j]! + s * e;
    den[j] = den[j]! + e;
  }
  st[o + 6] = maPrevious;
  st[o + 7] = s;
  st[o + 8] = e;
}

/**
 * settleRun's reference path when every return of the run is finite (the usual case). Per family:
 * its MAs three at a time ({@link referenceThree}), then Layer 1 and Layer 2, adding the
 * family's terms of the average as it goes ({@link referenceFamilyFinite}); then the average and
 * core's growth rule per bar ({@link referenceAverageFinite}). Every sum adds its terms in the
 * per-bar step's order from 0.0.
 */
function referenceFiniteRun(p: StreamPlan, st: Float64Array, n: number, vAt: number, vStride: number, out: Float64Array, at: number, stride: number): number {
  const d = p.d;
  // every sum from 0.0 (the per-bar step's order): zeroed rows, so no loop tests for its first term
  LANE.fill(0.0, NOM_AT, NOM_AT + n);
  LANE.fill(0.0, SUM_AT, SUM_AT + n);
  for (let f = 0; f < 6; f++) {
    LANE.fill(0.0, NUM_AT, NUM_AT + n);
    LANE.fill(0.0, DEN_AT, DEN_AT + n);
    for (let q = f * LENGTHS_PER_FAMILY; q < (f + 1) * LENGTHS_PER_FAMILY; q += 3) {
      referenceThree(st, p.layout.mas + q * STREAM_MA_SLOTS, d, n, vAt + q * vStride, vStride);
    }
    referenceFamilyFinite(p, st, f, n);
  }
  const failed = referenceAverageFinite(p, st, n);
  for (let r = 0; r < 13; r++) out.set(n === RUN ? OUT_ROWS[r]! : LANE.subarray(OUT_AT + r * RUN, OUT_AT + r * RUN + n), at + r * stride);
  return failed;
}

/**
 * {@link referenceMa} for MAs q, q+1, q+2 when every return of the run is finite (its
 * branch-free form only), in one loop as `accumulateThree`: three independent equity
 * recurrences overlap in the CPU pipeline. Each bar's sums still add q, q+1, q+2 in order, onto
 * the rows the caller zeroed for the family.
 * Everything it reads per bar is in {@link LANE}: the run's closes, the MAs' values from `v0`,
 * returns and the sums; the MAs' slots from `o0` in `st`.
 */
function referenceThree(st: Float64Array, o0: number, d: number, n: number, v0: number, vStride: number): void {
  const o1 = o0 + STREAM_MA_SLOTS, o2 = o1 + STREAM_MA_SLOTS;
  const v1 = v0 + vStride, v2 = v1 + vStride;
  const p0 = PICK_AT, p1 = PICK_AT + 2, p2 = PICK_AT + 4; // the floor picks ("Floor picks" above)
  // unboxed double locals (TurboFan re-reads an imported binding and re-checks a parameter every bar)
  const floor = +EQUITY_FLOOR, decay = +d;
  LANE[p0 + 1] = floor; LANE[p1 + 1] = floor; LANE[p2 + 1] = floor;
  let y0 = st[o0 + 6]!, e0 = st[o0 + 8]!;
  let y1 = st[o1 + 6]!, e1 = st[o1 + 8]!;
  let y2 = st[o2 + 6]!, e2 = st[o2 + 8]!;
  // the held signals as int32 (each is −1, 0 or 1: unitSignals), set or kept as familyPass
  // does: `(t & 1) − 1` is 0 for t = ±1 and all bits for t = 0, so `t | (s & …)` is t or s
  let s0 = st[o0 + 7]! | 0, s1 = st[o1 + 7]! | 0, s2 = st[o2 + 7]! | 0;
  // `| 0` on every index: int32 adds without overflow checks (the offsets stay far below 2³¹)
  for (let j = 0, end = RUN_CLOSES_AT + 1; j < n; j = (j + 1) | 0, end = (end + 1) | 0) {
    const v = LANE[end]!, previous = LANE[(end - 1) | 0]!;
    const r = LANE[(RETURNS_AT + j) | 0]!;
    const u0 = e0 * decay * (1.0 + s0 * r), u1 = e1 * decay * (1.0 + s1 * r), u2 = e2 * decay * (1.0 + s2 * r);
    LANE[p0] = u0; LANE[p1] = u1; LANE[p2] = u2;
    e0 = LANE[(p0 + +(u0 < floor)) | 0]!; e1 = LANE[(p1 + +(u1 < floor)) | 0]!; e2 = LANE[(p2 + +(u2 < floor)) | 0]!;
    const m0 = LANE[(v0 + j) | 0]!, m1 = LANE[(v1 + j) | 0]!, m2 = LANE[(v2 + j) | 0]!;
    const t0 = (+(v > m0) & +(previous <= y0)) - (+(v < m0) & +(previous >= y0));
    const t1 = (+(v > m1) & +(previous <= y1)) - (+(v < m1) & +(previous >= y1));
    const t2 = (+(v > m2) & +(previous <= y2)) - (+(v < m2) & +(previous >= y2));
    s0 = t0 | (s0 & ((t0 & 1) - 1));
    s1 = t1 | (s1 & ((t1 & 1) - 1));
    s2 = t2 | (s2 & ((t2 & 1) - 1));
    LANE[(NUM_AT + j) | 0] = LANE[(NUM_AT + j) | 0]! + s0 * e0 + s1 * e1 + s2 * e2;
    LANE[(DEN_AT + j) | 0] = LANE[(DEN_AT + j) | 0]! + e0 + e1 + e2;
    y0 = m0; y1 = m1; y2 = m2;
  }
  st[o0 + 6] = y0; st[o0 + 7] = s0; st[o0 + 8] = e0;
  st[o1 + 6] = y1; st[o1 + 7] = s1; st[o1 + 8] = e1;
  st[o2 + 6] = y2; st[o2 + 7] = s2; st[o2 + 8] = e2;
}

/**
 * `settleReference`'s Layer 1 and Layer-2 step of family f over the run, every return finite:
 * the batch's branch-free forms, `layer1Round` and `layer2Finite`'s step — the sign of the
 * previous bar's Layer 1 flips often on real data and the `signal > 0` / `signal < 0` branches
 * were mispredicted; σ·r is r, −r or ±0, so `1 + σ·r` is `1 + a`; the floor is a pick ("Floor
 * picks" above; NaN stays NaN). Adds the family's `cut(L1)·E2` and `E2` to the average's sums
 * (`averageSignal`'s terms, its branch-free cut; onto rows the caller zeroed).
 */
function referenceFamilyFinite(p: StreamPlan, st: Float64Array, f: number, n: number): void {
  const g = p.layout.families + f * STREAM_FAMILY_SLOTS;
  // unboxed double locals (TurboFan re-reads an imported binding and re-checks a property's value every bar)
  const floor = +EQUITY_FLOOR, d = +p.d, longThreshold = +p.longThreshold, shortThreshold = +p.shortThreshold;
  let eq2 = st[g]!, signal = st[g + 2]!;
  const l1At = OUT_AT + f * RUN, l2At = OUT_AT + (6 + f) * RUN;
  LANE[PICK_AT + 1] = floor; // the floor pick ("Floor picks" above)
  for (let j = 0; j < n; j++) {
    const layer1 = layer1Round(LANE[NUM_AT + j]! / LANE[DEN_AT + j]!);
    const sign = +(signal > 0) - +(signal < 0);
    const u = eq2 * d * (1.0 + sign * LANE[RETURNS_AT + j]!);
    LANE[PICK_AT] = u;
    eq2 = LANE[PICK_AT + +(u < floor)]!;
    signal = layer1;
    LANE[l1At + j] = layer1;
    LANE[l2At + j] = eq2;
    const long = +(layer1 > longThreshold);
    const cut = long - (+(layer1 < shortThreshold) & (long ^ 1)); // long wins when both hold
    LANE[NOM_AT + j] = LANE[NOM_AT + j]! + cut * eq2;
    LANE[SUM_AT + j] = LANE[SUM_AT + j]! + eq2;
  }
  st[g] = eq2;
  st[g + 2] = signal;
}

/**
 * `settleReference`'s average from the sums {@link referenceFamilyFinite} left (strategy mode:
 * the previous bar's), and core's growth rule per bar: the first failing bar offset, or −1.
 */
function referenceAverageFinite(p: StreamPlan, st: Float64Array, n: number): number {
  const avgAt = p.layout.avgPrev;
  const strategyMode = p.strategyMode;
  const row = OUT_AT + 12 * RUN;
  let avgPrevious = st[avgAt]!;
  let failed = -1;
  for (let j = 0; j < n; j++) {
    const quotient = LANE[NOM_AT + j]! / LANE[SUM_AT + j]!;
    const average = Number.isFinite(quotient) ? quotient : 0.0;
    LANE[row + j] = strategyMode ? avgPrevious : average;
    avgPrevious = average;
    if (failed < 0 && !outputsFinite(LANE, OUT_AT + j, RUN)) failed = j;
  }
  st[avgAt] = avgPrevious;
  return failed;
}

/** `settleReference`'s Layer 1 and Layer-2 step of family f over the run (any returns). */
function referenceFamily(p: StreamPlan, st: Float64Array, f: number, n: number, returns: Float64Array, num: Float64Array, den: Float64Array, out: Float64Array, at: number, stride: number): void {
  const g = p.layout.families + f * STREAM_FAMILY_SLOTS;
  const d = p.d;
  let eq2 = st[g]!, signal = st[g + 2]!;
  for (let j = 0; j < n; j++) {
    const quotient = num[j]! / den[j]!;
    const layer1 = Number.isFinite(quotient) ? round2(quotient) : NaN;
    const r = returns[j]!;
    let a = 0.0;
    if (r === r) {
      if (signal > 0) a = r;
      else if (signal < 0) a = -r;
    }
    eq2 = eq2 * d * (1.0 + a);
    if (eq2 < EQUITY_FLOOR) eq2 = EQUITY_FLOOR;
    signal = layer1;
    out[at + j + f * stride] = layer1;
    out[at + j + (6 + f) * stride] = eq2;
  }
  st[g] = eq2;
  st[g + 2] = signal;
}

/** `settleReference`'s average over the run (strategy mode: the previous bar's). */
function referenceAverage(p: StreamPlan, st: Float64Array, n: number, out: Float64Array, at: number, stride: number): void {
  const avgAt = p.layout.avgPrev;
  const { longThreshold, shortThreshold, strategyMode } = p;
  let avgPrevious = st[avgAt]!;
  for (let j = 0; j < n; j++) {
    const b = at + j;
    let nom = 0.0;
    let sum = 0.0;
    for (let f = 0; f < 6; f++) {
      const l1 = out[b + f * stride]!;
      const e2 = out[b + (6 + f) * stride]!;
      // averageSignal's branch-free cut(L1): long wins when both tests hold
      const long = +(l1 > longThreshold);
      const cut = long - (+(l1 < shortThreshold) & (long ^ 1));
      nom += cut * e2;
      sum += e2;
    }
    const quotient = nom / sum;
    const average = Number.isFinite(quotient) ? quotient : 0.0;
    out[b + 12 * stride] = strategyMode ? avgPrevious : average;
    avgPrevious = average;
  }
  st[avgAt] = avgPrevious;
}

/**
 * `settlePine`'s per-MA step (bars past 0 and the cutout) for MAs q, q+1, q+2 in one loop, the
 * sums adding them in order; arguments as {@link referenceThree} (everything per bar in {@link LANE}).
 */
function pineThree(st: Float64Array, o0: number, d: number, n: number, v0: number, vStride: number): void {
  const o1 = o0 + STREAM_MA_SLOTS, o2 = o1 + STREAM_MA_SLOTS;
  const v1 = v0 + vStride, v2 = v1 + vStride;
  const p0 = PICK_AT, p1 = PICK_AT + 2, p2 = PICK_AT + 4; // the floor picks ("Floor picks" above)
  // unboxed double locals (TurboFan re-reads an imported binding and re-checks a parameter every bar)
  const floor = +EQUITY_FLOOR, decay = +d;
  LANE[p0 + 1] = floor; LANE[p1 + 1] = floor; LANE[p2 + 1] = floor;
  let y0 = st[o0 + 6]!, s0 = st[o0 + 7]!, e0 = st[o0 + 8]!, a0 = st[o0 + 9]!;
  let y1 = st[o1 + 6]!, s1 = st[o1 + 7]!, e1 = st[o1 + 8]!, a1 = st[o1 + 9]!;
  let y2 = st[o2 + 6]!, s2 = st[o2 + 7]!, e2 = st[o2 + 8]!, a2 = st[o2 + 9]!;
  // `| 0` on every index: int32 adds without overflow checks (the offsets stay far below 2³¹)
  for (let j = 0, end = RUN_CLOSES_AT + 1; j < n; j = (j + 1) | 0, end = (end + 1) | 0) {
    const v = LANE[end]!, previous = LANE[(end - 1) | 0]!;
    const r = LANE[(RETURNS_AT + j) | 0]!;
    const m0 = LANE[(v0 + j) | 0]!, m1 = LANE[(v1 + j) | 0]!, m2 = LANE[(v2 + j) | 0]!;
    // a from the held signal (sig[1]), before the crossover updates it
    a0 = s0 !== 0 ? s0 * r : a0;
    a1 = s1 !== 0 ? s1 * r : a1;
    a2 = s2 !== 0 ? s2 * r : a2;
    const u0 = e0 * decay * (1 + a0), u1 = e1 * decay * (1 + a1), u2 = e2 * decay * (1 + a2);
    LANE[p0] = u0; LANE[p1] = u1; LANE[p2] = u2;
    e0 = LANE[(p0 + +(u0 < floor)) | 0]!; e1 = LANE[(p1 + +(u1 < floor)) | 0]!; e2 = LANE[(p2 + +(u2 < floor)) | 0]!;
    const t0 = (+(v > m0) & +(previous <= y0)) - (+(v < m0) & +(previous >= y0));
    const t1 = (+(v > m1) & +(previous <= y1)) - (+(v < m1) & +(previous >= y1));
    const t2 = (+(v > m2) & +(previous <= y2)) - (+(v < m2) & +(previous >= y2));
    s0 = t0 + s0 * (1 - t0 * t0);
    s1 = t1 + s1 * (1 - t1 * t1);
    s2 = t2 + s2 * (1 - t2 * t2);
    LANE[(NUM_AT + j) | 0] = LANE[(NUM_AT + j) | 0]! + s0 * e0 + s1 * e1 + s2 * e2;
    LANE[(DEN_AT + j) | 0] = LANE[(DEN_AT + j) | 0]! + e0 + e1 + e2;
    y0 = m0; y1 = m1; y2 = m2;
  }
  st[o0 + 6] = y0; st[o0 + 7] = s0; st[o0 + 8] = e0; st[o0 + 9] = a0;
  st[o1 + 6] = y1; st[o1 + 7] = s1; st[o1 + 8] = e1; st[o1 + 9] = a1;
  st[o2 + 6] = y2; st[o2 + 7] = s2; st[o2 + 8] = e2; st[o2 + 9] = a2;
}

/** `settlePine`'s Layer 1 and `pineEquity` step of family f over the run. */
function pineFamily(p: StreamPlan, st: Float64Array, f: number, n: number, returns: Float64Array, num: Float64Array, den: Float64Array, out: Float64Array, at: number, stride: number): void {
  const g = p.layout.families + f * STREAM_FAMILY_SLOTS;
  const d = p.d;
  let eq2 = st[g]!, a2 = st[g + 1]!, signal = st[g + 2]!;
  for (let j = 0; j < n; j++) {
    const quotient = num[j]! / den[j]!;
    const layer1 = Number.isNaN(quotient) ? NaN : pineRound2(quotient);
    const r = returns[j]!;
    if (signal > 0) a2 = r;
    else if (signal < 0) a2 = -r;
    eq2 = eq2 * d * (1 + a2);
    if (eq2 < EQUITY_FLOOR) eq2 = EQUITY_FLOOR;
    signal = layer1;
    out[at + j + f * stride] = layer1;
    out[at + j + (6 + f) * stride] = eq2;
  }
  st[g] = eq2;
  st[g + 1] = a2;
  st[g + 2] = signal;
}

/** `pineAverageSignal` over the run. */
function pineAverage(n: number, out: Float64Array, at: number, stride: number): void {
  for (let j = 0; j < n; j++) {
    const b = at + j;
    const e0 = out[b + 6 * stride]!;
    let nom = pineCut(out[b]!) * e0;
    let sum = e0;
    for (let f = 1; f < 6; f++) {
      const e2 = out[b + (6 + f) * stride]!;
      nom += pineCut(out[b + f * stride]!) * e2;
      sum += e2;
    }
    out[b + 12 * stride] = nom / sum;
  }
}
