// Core dispatches, it does not compute: buffers are allocated here and filled by the
// backend's fused `computeAtc`; the only arithmetic is the check that what came back is
// finite (the growth rule of docs/input-contract.md).
import type { AtcBuffers, Backend } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { FAMILIES, LENGTHS_PER_FAMILY } from './families.js';
import { requireFiniteOutputs } from './growth.js';
import { outputBars } from './semantics.js';

/** Number of output rows of {@link AtcBuffers.outputs}. */
export const OUTPUT_ROWS = 13;
/** Number of MAs (rows of the detail buffers). */
export const MA_COUNT = FAMILIES.length * LENGTHS_PER_FAMILY;

/**
 * Allocates the buffers of one computation of `bars` output bars.
 *
 * @example
 * ```ts
 * const buffers = allocateBuffers(outputBars(config, prices.length), false);
 * backend.computeAtc(prices, config, buffers);
 * ```
 */
export function allocateBuffers(bars: number, details: boolean, outputs?: Float64Array): AtcBuffers {
  return {
    outputs: outputs ?? new Float64Array(OUTPUT_ROWS * bars),
    movingAverages: details ? new Float64Array(MA_COUNT * bars) : undefined,
    maSignals: details ? new Int8Array(MA_COUNT * bars) : undefined,
    maEquities: details ? new Float64Array(MA_COUNT * bars) : undefined,
  };
}

/**
 * The one way core runs the ATC pipeline on one validated series: the backend's fused
 * `computeAtc`, then the check that every equity stayed finite. `label` names the series in
 * the error (`prices`, `series[3]`).
 */
export function runPipeline(backend: Backend, prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers, label = 'prices'): void {
  backend.computeAtc(prices, config, buffers);
  requireFiniteOutputs(buffers.outputs, outputBars(config, prices.length), config, label);
}
