// The js backend's `computeAtc` for `semantics: 'pine'`: core's resolved config and buffers
// (n bars per row, see core's `outputBars`) into the Pine pipeline.
import { type AtcBuffers, FAMILIES, type FamilyRecord, type ResolvedAtcConfig, familyWeight } from '@adaptive-trend/core';
import { type PineConfig, runPine } from './pipeline.js';

/** The Pine pipeline's view of a resolved config. */
export function pineConfigOf(config: ResolvedAtcConfig): PineConfig {
  const weights = Object.fromEntries(FAMILIES.map((f) => [f, familyWeight(config, f)])) as FamilyRecord<number>;
  return { lengths: config.lengths, weights, lambda: config.lambda, decay: config.decay, cutout: config.cutout };
}

/** The Pine pipeline into core's buffers; returns the growth check's verdict (`runPine`). */
export function computePineAtc(prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers): number {
  return runPine(prices, pineConfigOf(config), buffers);
}
