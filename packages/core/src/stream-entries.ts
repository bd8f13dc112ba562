// Entry events, one bar at a time: the same rule as `entrySignals` (entries.ts) advanced
// over a stream's output bars, its state four doubles (kept in snapshots as core's section):
// `[output bars seen, direction, last Average_Signal, the one before]`.
import type { ResolvedAtcConfig } from './config.js';

/** A fresh tracker state. */
export function newEntryTracker(): Float64Array {
  return Float64Array.of(0, 0, NaN, NaN);
}

/**
 * Advances `state` (at `offset`) by one output bar whose Average_Signal is `v`; returns the
 * bar's entry event (+1 long, −1 short, 0), exactly `entrySignals`' value at that bar.
 */
export function advanceEntry(state: Float64Array, offset: number, v: number, config: ResolvedAtcConfig): -1 | 0 | 1 {
  const lag = config.strategyMode && config.semantics === 'pine' ? 1 : 0;
  const j = state[offset]!;
  const p1 = state[offset + 2]!, p2 = state[offset + 3]!;
  let entry: -1 | 0 | 1 = 0;
  if (j >= lag + 1) {
    const current = lag === 1 ? p1 : v;
    const previous = lag === 1 ? p2 : p1;
    const direction = state[offset + 1]!;
    const crossUp = current > config.longThreshold && previous <= config.longThreshold;
    const crossDown = current < config.shortThreshold && previous >= config.shortThreshold;
    if (crossUp && direction === -1) entry = 1;
    else if (crossDown && direction === 1) entry = -1;
    if (crossUp) state[offset + 1] = 1;
    if (crossDown) state[offset + 1] = -1;
  }
  state[offset] = j + 1;
  state[offset + 2] = v;
  state[offset + 3] = p1;
  return entry;
}

/** Output bars (columns of `compute`'s result) among the first `bars` bars of a stream. */
export function outputBarsBefore(config: ResolvedAtcConfig, bars: number): number {
  return config.semantics === 'pine' ? bars : Math.max(0, bars - config.cutout);
}

/** Whether bar `index` is a column of `compute`'s result (reference: from the cutout on). */
export function isOutputBar(config: ResolvedAtcConfig, index: number): boolean {
  return config.semantics === 'pine' || index >= config.cutout;
}
