// One bar on a state vector, either semantics: shift the close in, then the semantics' step.
import { pineStepScratch, stepPine } from './pine-step.js';
import type { StreamPlan } from './plan.js';
import { stepReference } from './reference-step.js';

/** Steps one state vector in place; shared by a stream and a set (one per config). */
export class Stepper {
  private readonly scratch: Float64Array;

  constructor(readonly plan: StreamPlan) {
    this.scratch = pineStepScratch(plan);
  }

  /**
   * Bar `i` with `close` on `st` (the state after i bars), outputs at `out[at + row·stride]`.
   * False when an output bar fails core's growth rule: `st` is then half stepped and must be
   * discarded.
   */
  advance(st: Float64Array, close: number, i: number, out: Float64Array, at: number, stride: number): boolean {
    const W = this.plan.layout.window;
    const previous = st[W - 1]!;
    st.copyWithin(0, 1, W);
    st[W - 1] = close;
    return this.plan.pine
      ? stepPine(this.plan, st, close, previous, i, out, at, stride, this.scratch)
      : stepReference(this.plan, st, close, previous, i, out, at, stride);
  }
}

/** A close a stream accepts: a finite number > 0 (core checks first; this is the backend's own guard). */
export function requireClose(method: string, close: number): void {
  if (typeof close !== 'number' || !(close > 0 && close < Infinity)) throw new RangeError(`${method}: a close must be a finite number > 0, got ${close}`);
}
