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
  const row = (r: number): number => o[at + r * stride]!;
  const layer2 = ((((row(6) + row(7)) + row(8)) + row(9)) + row(10)) + row(11);
  const total = layer2 + (((row(0) + row(1)) + row(2)) + ((row(3) + row(4)) + row(5)));
  return total - total === 0;
}
