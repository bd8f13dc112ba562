// The js backend's `BackendStream` (docs/streaming.md): state vectors for the base (after n − 1
// bars, what `replaceLast` steps from), the current state (after n bars) and a work copy the
// next step runs on, so a step that fails core's growth rule is simply not committed (plus
// `pushMany`'s spare: its new base). Memory: four vectors of O(longest length) doubles.
import { type BackendStream, type ResolvedAtcConfig, STEP_NOT_FINITE, STEP_OK, type StreamState } from '@adaptive-trend/core';
import { planStream } from './plan.js';
import { exportState, importState, initialState } from './state.js';
import { Stepper, requireClose } from './step.js';

/**
 * A stream of `config`, new or restored from `restore` (a canonical vector from any backend).
 *
 * @example
 * ```ts
 * const stream = createJsStream(resolveConfig());
 * const out = new Float64Array(13);
 * for (const close of closes) stream.push(close, out); // out: bar's 13 outputs
 * const again = createJsStream(resolveConfig(), { bars: stream.length, state: stream.exportState() });
 * ```
 */
export function createJsStream(config: ResolvedAtcConfig, restore?: StreamState): BackendStream {
  return new JsStream(new Stepper(planStream(config)), restore);
}

class JsStream implements BackendStream {
  private bars = 0;
  private base: Float64Array;
  private current: Float64Array;
  private work: Float64Array;
  /** `pushMany`'s copy of the state before its last bar (the new base). */
  private spare: Float64Array;

  constructor(private readonly stepper: Stepper, restore?: StreamState) {
    const plan = stepper.plan;
    const length = plan.layout.length;
    this.work = new Float64Array(length);
    this.spare = new Float64Array(length);
    if (!restore) {
      this.base = initialState(plan);
      this.current = this.base.slice();
      return;
    }
    const { bars, state } = restore;
    if (!Number.isSafeInteger(bars) || bars < 0) throw new RangeError(`createStream: restore.bars must be an integer ≥ 0, got ${bars}`);
    if (state.length !== length) throw new RangeError(`createStream: restore.state has length ${state.length}, expected ${length}`);
    this.base = importState(plan, state, Math.max(bars - 1, 0));
    this.current = this.base.slice();
    if (bars === 0) return;
    // the snapshot holds the base and the last close: step it again to get the current state
    const close = state[plan.layout.lastClose]!;
    requireClose('createStream (restore.state last close)', close);
    this.bars = bars - 1;
    if (this.push(close, new Float64Array(13)) !== STEP_OK) {
      throw new RangeError('createStream: restore.state does not step its last close to finite outputs (not a state this config exported)');
    }
  }

  get length(): number {
    return this.bars;
  }

  push(close: number, out: Float64Array): number {
    requireClose('push', close);
    requireOut('push', out, 13);
    if (!this.stepper.advance(this.stepFrom(this.current), close, this.bars, out, 0, 1)) return STEP_NOT_FINITE;
    const base = this.base;
    this.base = this.current;
    this.current = this.work;
    this.work = base;
    this.bars++;
    return STEP_OK;
  }

  replaceLast(close: number, out: Float64Array): number {
    if (this.bars === 0) throw new RangeError('replaceLast: the stream has no bar yet (push first)');
    requireClose('replaceLast', close);
    requireOut('replaceLast', out, 13);
    if (!this.stepper.advance(this.stepFrom(this.base), close, this.bars - 1, out, 0, 1)) return STEP_NOT_FINITE;
    const current = this.current;
    this.current = this.work;
    this.work = current;
    return STEP_OK;
  }

  pushMany(closes: Float64Array, out: Float64Array): number {
    const k = closes.length;
    if (out.length !== 13 * k) throw new RangeError(`pushMany: out has length ${out.length}, expected 13 × ${k}`);
    for (let j = 0; j < k; j++) requireClose('pushMany', closes[j]!);
    if (k === 0) return -1;
    // all bars but the last MA by MA, then the last one alone from a copy: the new base
    const work = this.stepFrom(this.current);
    const failed = this.stepper.advanceMany(work, closes, 0, k - 1, this.bars, out, 0, k);
    if (failed >= 0) return failed;
    this.spare.set(work);
    if (!this.stepper.advance(work, closes[k - 1]!, this.bars + k - 1, out, k - 1, k)) return k - 1;
    [this.base, this.spare] = [this.spare, this.base];
    [this.current, this.work] = [this.work, this.current];
    this.bars += k;
    return -1;
  }

  exportState(): Float64Array {
    const W = this.stepper.plan.layout.window;
    return exportState(this.stepper.plan, this.base, Math.max(this.bars - 1, 0), this.bars === 0 ? NaN : this.current[W - 1]!);
  }

  /** `from` copied into the work vector, which the step then advances. */
  private stepFrom(from: Float64Array): Float64Array {
    this.work.set(from);
    return this.work;
  }
}

/** `out` must hold at least `size` doubles. */
export function requireOut(method: string, out: Float64Array, size: number): void {
  if (!(out instanceof Float64Array) || out.length < size) throw new RangeError(`${method}: out must be a Float64Array of at least ${size} doubles`);
}
