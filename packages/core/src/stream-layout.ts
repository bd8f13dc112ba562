// The canonical stream state vector's layout (docs/streaming.md, "Canonical state vector"):
// the one TypeScript statement of its size and section offsets, used by core's snapshot
// checks and by backend-js's stream; atc-kernels `stream.rs` states the same in Rust.
import type { ResolvedAtcConfig } from './config.js';
import { FAMILIES, LENGTHS_PER_FAMILY } from './families.js';

/** Doubles per MA in the state vector: `m0…m5 maPrev signal equity a`. */
export const STREAM_MA_SLOTS = 10;
/** Doubles per family in the state vector: `eq2 a2 l1Prev`. */
export const STREAM_FAMILY_SLOTS = 3;

/** Section offsets of a config's canonical state vector. */
export interface StreamLayout {
  /** `W = maxLen + 2`: closes kept (oldest first). */
  readonly window: number;
  /** Offset of the last close. */
  readonly lastClose: number;
  /** Offset of MA 0's ten slots (MA q at `mas + 10·q`). */
  readonly mas: number;
  /** Offset of the per-MA windows (reference: HMA diffs; Pine: DEMA e1 values). */
  readonly windows: number;
  /** Length of each of the nine per-MA windows, in family-length order. */
  readonly windowLengths: readonly number[];
  /** Offset of family 0's three slots. */
  readonly families: number;
  /** Offset of `avgPrev`. */
  readonly avgPrev: number;
  /** Total doubles. */
  readonly length: number;
}

/**
 * The state vector's layout for `config`.
 *
 * @example
 * ```ts
 * streamLayout(resolveConfig()).length; // doubles in a default stream's state
 * ```
 */
export function streamLayout(config: ResolvedAtcConfig): StreamLayout {
  const all = FAMILIES.flatMap((f) => config.lengths[f]);
  const window = Math.max(...all) + 2;
  const lastClose = window;
  const mas = lastClose + 1;
  const windowLengths =
    config.semantics === 'pine'
      ? config.lengths.dema.map((l) => l)
      : config.lengths.hma.map((l) => Math.floor(Math.sqrt(l)) + 1);
  const windows = mas + FAMILIES.length * LENGTHS_PER_FAMILY * STREAM_MA_SLOTS;
  const families = windows + windowLengths.reduce((a, b) => a + b, 0);
  const avgPrev = families + FAMILIES.length * STREAM_FAMILY_SLOTS;
  return { window, lastClose, mas, windows, windowLengths, families, avgPrev, length: avgPrev + 1 };
}

/** Doubles in `config`'s canonical stream state vector. */
export function streamStateLength(config: ResolvedAtcConfig): number {
  return streamLayout(config).length;
}
