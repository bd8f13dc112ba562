// The 13 outputs of one bar, written at `out[at + row·stride]` (row-major buffers of any width:
// one bar, k bars of pushMany, or one bar of a set's count streams).

/** Rows 0–12 NaN: a bar with no output (reference bars before the cutout, Pine na bars). */
export function writeNaNs(out: Float64Array, at: number, stride: number): void {
  for (let row = 0; row < 13; row++) out[at + row * stride] = NaN;
}

/**
 * Core's growth rule (`core/src/growth.ts`, `firstNonFiniteBar`) for one output bar, with its
 * sums in its order: the six Layer-2 equities left to right plus the Layer-1 values; the total
 * is finite exactly when every Layer-1 value and the Layer-2 sum are.
 */
export function outputsFinite(o: Float64Array, at: number, stride: number): boolean {
  const s = stride;
  const layer2 = ((((o[at + 6 * s]! + o[at + 7 * s]!) + o[at + 8 * s]!) + o[at + 9 * s]!) + o[at + 10 * s]!) + o[at + 11 * s]!;
  const total = layer2 + (((o[at]! + o[at + s]!) + o[at + 2 * s]!) + ((o[at + 3 * s]! + o[at + 4 * s]!) + o[at + 5 * s]!));
  return total - total === 0;
}
