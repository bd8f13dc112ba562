import { describe, expect, it } from 'vitest';
import { layer1Round, round2 } from '../src/kernels/layer1.js';

/** The definition layer1Round must equal bit for bit (docs/kernels.md: Layer 1). */
const reference = (q: number): number => (Number.isFinite(q) ? round2(q) : NaN);

describe('layer1Round', () => {
  it('equals round2 guarded by isFinite on edge values', () => {
    const edges = [0, -0, 0.005, -0.005, 0.015, -0.015, 0.125, -0.125, 0.0049999999999999, -0.0049999999999999, 5e-324, -5e-324,
      1, -1, 0.995, -0.995, 2 ** 52 / 100, -(2 ** 52) / 100, 2 ** 52, -(2 ** 52), 2 ** 53 + 2, 1e300, -1e300, 1.7e308, -1.7e308,
      Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, NaN];
    for (const q of edges) expect(Object.is(layer1Round(q), reference(q)), `q = ${q}`).toBe(true);
  });

  it('equals round2 guarded by isFinite on random quotients and near-ties', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < 200_000; k++) {
      const scale = [0.01, 1, 1e6, 1e15][k % 4]!;
      const v = (random() * 2 - 1) * scale;
      const tie = Math.round(v * 1000) / 1000 + 0.005; // x.xx5: a tie before rounding error
      for (const q of [v, tie, -tie, tie + Number.EPSILON, tie - Number.EPSILON]) {
        if (!Object.is(layer1Round(q), reference(q))) expect.fail(`q = ${q}: ${layer1Round(q)} vs ${reference(q)}`);
      }
    }
  });
});
