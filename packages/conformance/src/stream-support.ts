// Helpers for a backend package's own stream tests: a seeded walk, and each bar's 13 outputs as
// backend-js's batch pipeline gives them (the value a stream must reproduce, docs/streaming.md).
import { OUTPUT_ROWS, type ResolvedAtcConfig, allocateBuffers, firstInputBar, outputBars } from '@adaptive-trend/core';
import { referenceBackend } from './reference.js';

/** A seeded random walk of `n` closes (LCG) from 100, moves up to ±`swing`/2. */
export function seededWalk(n: number, seed: number, swing = 0.04): Float64Array {
  const out = new Float64Array(n);
  let p = 100;
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    p *= 1 + (s / 2147483648 - 0.5) * swing;
    out[i] = p;
  }
  return out;
}

/**
 * Bar i's 13 outputs as backend-js's `computeAtc` over the whole series gives them (all NaN
 * before the reference's cutout).
 */
export function expectedStreamBars(prices: Float64Array, config: ResolvedAtcConfig): Float64Array[] {
  const m = outputBars(config, prices.length);
  const { outputs } = allocateBuffers(m, false);
  referenceBackend().computeAtc(prices, config, { outputs });
  const first = firstInputBar(config);
  return Array.from(prices, (_, i) => Float64Array.from({ length: OUTPUT_ROWS }, (_, r) => (i < first ? NaN : outputs[r * m + i - first]!)));
}
