// `Backend.computeLongSeries` for the js backend (docs/architecture.md "Long series"): the
// stream's own run loop (`Stepper.advanceMany`) over the whole series, writing each output bar
// straight into compute's 13 × m output rows (stride m) — no chunk buffer, no copy; each row is
// written sequentially, run by run. The same steps as createStream + pushMany (a run's bars are
// stepped the same way wherever the runs are cut), so the same bits.
import { type ResolvedAtcConfig, firstInputBar, outputBars } from '@adaptive-trend/core';
import { planStream } from './plan.js';
import { initialState } from './state.js';
import { Stepper, requireClose } from './step.js';

/** Bars before the cutout stepped per call (a multiple of the stepper's run). */
const PRE_CUTOUT_CHUNK = 1 << 13;

/**
 * The 13 output rows of `prices` (row r of output bar t at `outputs[r·m + t]`, m =
 * `outputBars(config, n)`) through a new stream. −1, or the input bar whose outputs fail core's
 * growth rule: its column and the earlier ones are written, and so may be the later columns of
 * its run (at most 255 bars; the caller discards the outputs with the error).
 *
 * @example
 * ```ts
 * const config = resolveConfig();
 * const outputs = new Float64Array(13 * outputBars(config, prices.length));
 * if (computeJsLongSeries(prices, config, outputs) >= 0) throw new Error('not finite');
 * ```
 */
export function computeJsLongSeries(prices: Float64Array, config: ResolvedAtcConfig, outputs: Float64Array): number {
  const n = prices.length;
  const m = outputBars(config, n);
  if (!(outputs instanceof Float64Array) || outputs.length !== 13 * m) throw new RangeError(`computeLongSeries: outputs must be a Float64Array of 13 × ${m} doubles`);
  for (let j = 0; j < n; j++) requireClose('computeLongSeries', prices[j]!);
  const stepper = new Stepper(planStream(config));
  const st = initialState(stepper.plan);
  // reference: the bars before the cutout have no column; their (NaN) outputs go to a small
  // scratch, chunk by chunk (a scratch of 13 × cutout doubles would be paged in for nothing)
  const first = Math.min(firstInputBar(config), n);
  const scratch = new Float64Array(13 * Math.min(first, PRE_CUTOUT_CHUNK));
  for (let start = 0; start < first; start += PRE_CUTOUT_CHUNK) {
    const k = Math.min(PRE_CUTOUT_CHUNK, first - start);
    const failed = stepper.advanceMany(st, prices, start, k, start, scratch, 0, k);
    if (failed >= 0) return start + failed; // not reached: bars before the cutout have no outputs to fail
  }
  if (m === 0) return -1;
  const failed = stepper.advanceMany(st, prices, first, m, first, outputs, 0, m);
  return failed >= 0 ? first + failed : -1;
}
