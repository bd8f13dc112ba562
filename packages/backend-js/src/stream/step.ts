// One bar on a state vector, either semantics: shift the close in, then the semantics' step.
import { LENGTHS_PER_FAMILY, MA_COUNT } from '@adaptive-trend/core';
import { stepPine } from './pine-step.js';
import type { StreamPlan } from './plan.js';
import { stepReference } from './reference-step.js';

/** Per-step working memory (one per stepper; nothing in it outlives a step). */
export interface StepScratch {
  /** The 54 MA values of the bar being stepped. */
  readonly values: Float64Array;
  /** `i mod` each per-MA window's length, for bar i (a ring's slot). */
  readonly slots: Int32Array;
  /** The Pine DEMA seed's oldest-first copy of its window (the longest length). */
  readonly seed: Float64Array;
}

/** Steps one state vector in place; shared by a stream and a set (one per config). */
export class Stepper {
  private readonly scratch: StepScratch;
  /** The bar `scratch.slots` holds the ring slots of (they advance by one per bar). */
  private slotsBar = -1;

  constructor(readonly plan: StreamPlan) {
    this.scratch = { values: new Float64Array(MA_COUNT), slots: new Int32Array(LENGTHS_PER_FAMILY), seed: new Float64Array(plan.layout.window) };
  }

  /**
   * Bar `i` with `close` on `st` (the state after i bars), outputs at `out[at + row·stride]`.
   * False when an output bar fails core's growth rule: `st` is then half stepped and must be
   * discarded.
   */
  advance(st: Float64Array, close: number, i: number, out: Float64Array, at: number, stride: number): boolean {
    const plan = this.plan;
    const W = plan.layout.window;
    const previous = st[W - 1]!;
    for (let j = 1; j < W; j++) st[j - 1] = st[j]!;
    st[W - 1] = close;
    this.slotsFor(i);
    return plan.pine ? stepPine(plan, st, close, previous, i, out, at, stride, this.scratch) : stepReference(plan, st, close, previous, i, out, at, stride, this.scratch);
  }

  private slotsFor(i: number): void {
    if (i === this.slotsBar) return;
    const { slots } = this.scratch;
    const lengths = this.plan.layout.windowLengths;
    const next = this.slotsBar >= 0 && i === this.slotsBar + 1;
    for (let k = 0; k < LENGTHS_PER_FAMILY; k++) {
      const size = lengths[k]!;
      slots[k] = next ? (slots[k]! + 1 === size ? 0 : slots[k]! + 1) : i % size;
    }
    this.slotsBar = i;
  }
}

/** A close a stream accepts: a finite number > 0 (core checks first; this is the backend's own guard). */
export function requireClose(method: string, close: number): void {
  if (typeof close !== 'number' || !(close > 0 && close < Infinity)) throw new RangeError(`${method}: a close must be a finite number > 0, got ${close}`);
}
