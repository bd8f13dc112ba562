// What one fused `computeAtc` needs in linear memory (crates/atc-wasm `compute_atc` and
// atc-kernels' `Workspace::reserve`), so core can refuse — or route to the long-series path —
// a series that cannot fit before anything is allocated, instead of the module trapping
// ("unreachable") out of memory.
import type { BatchFootprint } from '@adaptive-trend/core';

/** wasm32's address space: 65,536 pages of 64 KiB. */
export const WASM32_MEMORY_BYTES = 4 * 2 ** 30;
/** Kept for the module itself: static data, the stack, streams, the allocator's slack. */
export const WASM_RESERVED_BYTES = 64 * 2 ** 20;

/**
 * Doubles per bar (upper bound, taking the output bars m = n): the copied prices (1), the
 * workspace — 3 × 9 MA/diff columns, 2 warm-up columns, 2 × 9 pass rows, returns and growth
 * (47 + 2) — and the 13 output rows' scratch.
 */
const DOUBLES_PER_BAR = 1 + 47 + 2 + 13;
/** Bytes per bar of the detail rows: 54 MAs and 54 equities (f64) and 54 signals (i8). */
const DETAIL_BYTES_PER_BAR = 54 * (8 + 8 + 1);
/**
 * Headroom for how the scratch grows: it is kept between calls and grown by `Vec::resize`
 * (capacity doubling after a smaller call, and a realloc holds the old block while it
 * copies), so a call can need up to about twice its own size. Refusing early is a typed
 * error; refusing late is a trap.
 */
const GROWTH_HEADROOM = 2;

/**
 * Bytes one `computeAtc` of `bars` bars may need in linear memory (with the growth headroom),
 * against `limitBytes`.
 *
 * @example
 * ```ts
 * const f = wasmBatchFootprint(2_000_000, true);
 * f.bytes > f.limitBytes; // true: 2·10⁶ bars with details may not fit in 4 GiB
 * ```
 */
export function wasmBatchFootprint(bars: number, details: boolean, limitBytes = WASM32_MEMORY_BYTES - WASM_RESERVED_BYTES): BatchFootprint {
  const perBar = 8 * DOUBLES_PER_BAR + (details ? DETAIL_BYTES_PER_BAR : 0);
  return { bytes: GROWTH_HEADROOM * perBar * bars, limitBytes, limit: "the wasm module's 4 GiB linear memory" };
}
