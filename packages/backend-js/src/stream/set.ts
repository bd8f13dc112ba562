// The js backend's `BackendStreamSet`: `count` streams of one config in three contiguous
// blocks (base, current, work; one state vector per stream in each), stepped stream by stream
// (each copy is stepped while it is in cache). A set commits all streams or none.
import { type BackendStreamSet, type ResolvedAtcConfig } from '@adaptive-trend/core';
import { planStream } from './plan.js';
import { exportState, initialState } from './state.js';
import { Stepper, requireClose } from './step.js';

/**
 * `count` new streams of `config`, one close each per call.
 *
 * @example
 * ```ts
 * const set = createJsStreamSet(3, resolveConfig());
 * const out = new Float64Array(13 * 3); // row r of stream s at out[r·3 + s]
 * set.push(Float64Array.of(101, 55.2, 9.7), out); // −1: all three stepped
 * ```
 */
export function createJsStreamSet(count: number, config: ResolvedAtcConfig): BackendStreamSet {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`createStreamSet: count must be an integer ≥ 1, got ${count}`);
  return new JsStreamSet(new Stepper(planStream(config)), count);
}

/** One block of `count` state vectors and a view per stream. */
class Block {
  readonly views: Float64Array[];
  constructor(readonly all: Float64Array, count: number, size: number) {
    this.views = Array.from({ length: count }, (_, s) => all.subarray(s * size, (s + 1) * size));
  }
}

class JsStreamSet implements BackendStreamSet {
  private bars = 0;
  private base: Block;
  private current: Block;
  private work: Block;

  constructor(private readonly stepper: Stepper, readonly count: number) {
    const initial = initialState(stepper.plan);
    const size = initial.length;
    const block = () => {
      const all = new Float64Array(count * size);
      for (let s = 0; s < count; s++) all.set(initial, s * size);
      return new Block(all, count, size);
    };
    this.base = block();
    this.current = block();
    this.work = block();
  }

  get length(): number {
    return this.bars;
  }

  push(closes: Float64Array, out: Float64Array): number {
    const failed = this.stepAll('push', this.current, closes, out, this.bars);
    if (failed >= 0) return failed;
    const base = this.base;
    this.base = this.current;
    this.current = this.work;
    this.work = base;
    this.bars++;
    return -1;
  }

  replaceLast(closes: Float64Array, out: Float64Array): number {
    if (this.bars === 0) throw new RangeError('replaceLast: the set has no bar yet (push first)');
    const failed = this.stepAll('replaceLast', this.base, closes, out, this.bars - 1);
    if (failed >= 0) return failed;
    const current = this.current;
    this.current = this.work;
    this.work = current;
    return -1;
  }

  exportState(index: number): Float64Array {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count) throw new RangeError(`exportState: index must be in [0, ${this.count}), got ${index}`);
    const W = this.stepper.plan.layout.window;
    const lastClose = this.bars === 0 ? NaN : this.current.views[index]![W - 1]!;
    return exportState(this.stepper.plan, this.base.views[index]!, Math.max(this.bars - 1, 0), lastClose);
  }

  /** Bar `i` of every stream from `from` into the work block; the first failing stream, or −1. */
  private stepAll(method: string, from: Block, closes: Float64Array, out: Float64Array, i: number): number {
    const count = this.count;
    if (closes.length !== count) throw new RangeError(`${method}: closes has length ${closes.length}, expected ${count}`);
    if (out.length !== 13 * count) throw new RangeError(`${method}: out has length ${out.length}, expected 13 × ${count}`);
    for (let s = 0; s < count; s++) requireClose(method, closes[s]!);
    const views = this.work.views;
    for (let s = 0; s < count; s++) {
      const st = views[s]!;
      st.set(from.views[s]!);
      if (!this.stepper.advance(st, closes[s]!, i, out, s, count)) return s;
    }
    return -1;
  }
}
