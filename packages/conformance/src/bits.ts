// "Same bits": every output double of a backend is the very double the reference gives
// (Object.is: +0 and −0 differ, NaN equals NaN). A difference is reported by series and bar.
import { type AtcBuffers, FAMILIES, LENGTHS_PER_FAMILY, REFERENCE_FAMILY_NAMES } from '@adaptive-trend/core';

/** Index of the first element where `a` and `b` are not the same double, or −1 (lengths must match). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Throws, naming the series and bar, unless `ours` and `reference` hold the same doubles. */
export function requireSameBits(label: string, ours: ArrayLike<number>, reference: ArrayLike<number>): void {
  const i = firstDifference(ours, reference);
  if (i < 0) return;
  if (ours.length !== reference.length) throw new Error(`${label}: length ${ours.length}, reference ${reference.length}`);
  throw new Error(`${label}[${i}]: ${ours[i]} but the reference gives ${reference[i]} (first of the differing values)`);
}

/** The 13 rows of `AtcBuffers.outputs`, in buffer order. */
const OUTPUT_ROW_NAMES = [...FAMILIES.map((f) => `${REFERENCE_FAMILY_NAMES[f]}_Signal`), ...FAMILIES.map((f) => `${REFERENCE_FAMILY_NAMES[f]}_S`), 'Average_Signal'];
const MA_NAMES = FAMILIES.flatMap((f) => Array.from({ length: LENGTHS_PER_FAMILY }, (_, k) => `${f} MA #${k}`));

/** One flat row-major buffer compared row by row, so a failure names the row. */
function requireSameRows(label: string, rows: readonly string[], ours: ArrayLike<number> | undefined, reference: ArrayLike<number> | undefined): void {
  if (ours === undefined || reference === undefined) {
    if (ours !== reference) throw new Error(`${label}: present on one side only`);
    return;
  }
  if (ours.length !== reference.length) throw new Error(`${label}: length ${ours.length}, reference ${reference.length}`);
  const m = ours.length / rows.length;
  const i = firstDifference(ours, reference);
  if (i < 0) return;
  const row = Math.floor(i / m);
  throw new Error(`${label} ${rows[row]} bar ${i - row * m}: ${ours[i]} but the reference gives ${reference[i]}`);
}

/** Every buffer of one pipeline call (13 outputs and, when present, the 54-row details). */
export function requireSameBuffers(label: string, ours: AtcBuffers, reference: AtcBuffers): void {
  requireSameRows(label, OUTPUT_ROW_NAMES, ours.outputs, reference.outputs);
  requireSameRows(`${label} details:`, MA_NAMES.map((n) => `${n} value`), ours.movingAverages, reference.movingAverages);
  requireSameRows(`${label} details:`, MA_NAMES.map((n) => `${n} signal`), ours.maSignals, reference.maSignals);
  requireSameRows(`${label} details:`, MA_NAMES.map((n) => `${n} equity`), ours.maEquities, reference.maEquities);
}
