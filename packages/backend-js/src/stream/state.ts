// The state vector inside a stream and its canonical form (docs/streaming.md, "Canonical state
// vector"). Inside, the vector has the canonical layout except that each per-MA window is a
// ring (bar j's value in slot j mod length) so a step writes one slot instead of shifting the
// window; exporting rotates every ring to oldest-first and canonicalises NaNs, importing
// rotates back. The closes are kept shifted (oldest first) as in the canonical form.
import { FAMILIES, LENGTHS_PER_FAMILY, STREAM_FAMILY_SLOTS, STREAM_MA_SLOTS } from '@adaptive-trend/core';
import type { StreamPlan } from './plan.js';

/** The state before bar 0 (docs/streaming.md, "Initial values"). */
export function initialState(p: StreamPlan): Float64Array {
  const { layout } = p;
  const st = new Float64Array(layout.length); // every m*, a, a2 and unused slot 0.0
  st.fill(NaN, 0, layout.mas); // closes and the last close
  for (let q = 0; q < FAMILIES.length * LENGTHS_PER_FAMILY; q++) {
    const o = layout.mas + q * STREAM_MA_SLOTS;
    st[o + 6] = NaN; // maPrev
    st[o + 8] = 1.0; // equity
  }
  st.fill(NaN, layout.windows, layout.families);
  for (let f = 0; f < FAMILIES.length; f++) {
    const g = layout.families + f * STREAM_FAMILY_SLOTS;
    st[g] = p.weights[f]!; // eq2 = floor(weight)
    st[g + 2] = NaN; // l1Prev
  }
  st[layout.avgPrev] = NaN;
  return st;
}

/**
 * The canonical vector of a stream whose base `base` has stepped `bars` bars and whose last
 * close is `lastClose` (NaN for an empty stream).
 */
export function exportState(p: StreamPlan, base: Float64Array, bars: number, lastClose: number): Float64Array {
  const out = Float64Array.from(base);
  out[p.layout.lastClose] = lastClose;
  eachWindow(p, (at, length) => {
    const shift = bars % length; // slot of the oldest value
    for (let t = 0; t < length; t++) out[at + t] = base[at + ((shift + t) % length)]!;
  });
  canonicalizeNaNs(out);
  return out;
}

/** The inside form of a canonical vector whose base has stepped `bars` bars (the inverse of {@link exportState}, last close aside). */
export function importState(p: StreamPlan, state: Float64Array, bars: number): Float64Array {
  const st = Float64Array.from(state);
  st[p.layout.lastClose] = NaN;
  eachWindow(p, (at, length) => {
    const shift = bars % length;
    for (let t = 0; t < length; t++) st[at + ((shift + t) % length)] = state[at + t]!;
  });
  return st;
}

function eachWindow(p: StreamPlan, visit: (at: number, length: number) => void): void {
  p.layout.windowLengths.forEach((length, k) => visit(p.windowAt[k]!, length));
}

/** Every NaN as `0x7FF8000000000000` (engines may store other NaN payloads or the sign bit). */
function canonicalizeNaNs(v: Float64Array): void {
  const words = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  const high = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: the high word is second
  for (let j = 0; j < v.length; j++) {
    if (v[j] !== v[j]) {
      words[2 * j + high] = 0x7ff80000;
      words[2 * j + 1 - high] = 0;
    }
  }
}
