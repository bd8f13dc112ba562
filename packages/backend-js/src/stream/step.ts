// Bars on a state vector, either semantics: the closes in, the MAs (stepMovingAverages), then
// the semantics' signals, equities and outputs bar by bar (settleReference / settlePine) — or,
// for a run's bars past the cutout, MA by MA (settleRun), with the same operations.
import { LENGTHS_PER_FAMILY, MA_COUNT } from '@adaptive-trend/core';
import { stepMovingAverages } from './moving-averages.js';
import { settlePine } from './pine-step.js';
import type { StreamPlan } from './plan.js';
import { settleReference } from './reference-step.js';
import { RUN, firstSteadyBar, runScratch, settleBeforeCutout, settleRun } from './settle-run.js';

/** Steps state vectors in place; one per stream or set. */
export class Stepper {
  /** The MA values of the bar being stepped. */
  private readonly values = new Float64Array(MA_COUNT);
  /** `i mod` each per-MA window's length for bar `slotsBar` (a ring's slot; they advance by one per bar). */
  private readonly slots = new Int32Array(LENGTHS_PER_FAMILY);
  private slotsBar = -1;
  /** The Pine DEMA seed's oldest-first copy of its window. */
  private readonly seed: Float64Array;

  constructor(readonly plan: StreamPlan) {
    this.seed = new Float64Array(plan.layout.window);
  }

  /**
   * Bar `i` with `close` on `st` (the state after i bars), outputs at `out[at + row·stride]`.
   * False when an output bar fails core's growth rule: `st` is then half stepped and must be
   * discarded.
   */
  advance(st: Float64Array, close: number, i: number, out: Float64Array, at: number, stride: number): boolean {
    const plan = this.plan;
    const W = plan.layout.window;
    for (let j = 1; j < W; j++) st[j - 1] = st[j]!;
    st[W - 1] = close;
    stepMovingAverages(plan, st, st, W - 1, i, 1, this.slotsFor(i), this.values, this.seed);
    return plan.pine
      ? settlePine(plan, st, st, W - 1, i, this.values, 0, 1, out, at, stride)
      : settleReference(plan, st, st, W - 1, i, this.values, 0, 1, out, at, stride);
  }

  /**
   * Bars `i..i+k−1` with `closes[from..from+k)` on `st`, the same steps as `k` {@link advance}
   * calls but each MA over all k bars before the next (the batch's order of work, not of
   * operations); outputs of bar i + j at `out[at + j + row·stride]`. −1, or the first bar
   * offset whose outputs fail the growth rule (`st` must then be discarded).
   */
  advanceMany(st: Float64Array, closes: Float64Array, from: number, k: number, i: number, out: Float64Array, at: number, stride: number): number {
    const plan = this.plan;
    const W = plan.layout.window;
    const scratch = runScratch(W);
    const { values, closes: xs } = scratch;
    for (let start = 0; start < k; start += RUN) {
      const count = Math.min(RUN, k - start);
      for (let j = 0; j < W; j++) xs[j] = st[j]!;
      for (let j = 0; j < count; j++) xs[W + j] = closes[from + start + j]!;
      const i0 = i + start;
      stepMovingAverages(plan, st, xs, W, i0, count, this.slotsFor(i0), values, this.seed);
      for (let j = 0; j < W; j++) st[j] = xs[count + j]!; // the state's closes after the run
      // bars before the cutout MA by MA (no outputs), the cutout bar alone, the steady rest MA
      // by MA (settleRun)
      const early = Math.min(count, Math.max(0, plan.cutout - i0));
      if (early > 0) settleBeforeCutout(plan, st, xs, W, i0, early, values, 0, count, out, at + start, stride);
      const steady = Math.min(count, Math.max(0, firstSteadyBar(plan) - i0));
      for (let j = early; j < steady; j++) {
        const ok = plan.pine
          ? settlePine(plan, st, xs, W + j, i0 + j, values, j, count, out, at + start + j, stride)
          : settleReference(plan, st, xs, W + j, i0 + j, values, j, count, out, at + start + j, stride);
        if (!ok) return start + j;
      }
      if (steady < count) {
        const failed = settleRun(plan, st, W + steady, i0 + steady, count - steady, steady, count, out, at + start + steady, stride, scratch);
        if (failed >= 0) return start + steady + failed;
      }
    }
    return -1;
  }

  private slotsFor(i: number): Int32Array {
    const slots = this.slots;
    if (i === this.slotsBar) return slots;
    const lengths = this.plan.layout.windowLengths;
    const next = this.slotsBar >= 0 && i === this.slotsBar + 1;
    for (let k = 0; k < LENGTHS_PER_FAMILY; k++) {
      const size = lengths[k]!;
      slots[k] = next ? (slots[k]! + 1 === size ? 0 : slots[k]! + 1) : i % size;
    }
    this.slotsBar = i;
    return slots;
  }
}

/** A close a stream accepts: a finite number > 0 (core checks first; this is the backend's own guard). */
export function requireClose(method: string, close: number): void {
  if (typeof close !== 'number' || !(close > 0 && close < Infinity)) throw new RangeError(`${method}: a close must be a finite number > 0, got ${close}`);
}
