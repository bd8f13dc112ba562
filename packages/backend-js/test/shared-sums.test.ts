// hmaFromWma / wmaAndLsma (the fused pipeline's shared WMA sums) must equal the single kernels
// bit for bit, including series shorter than the length and the shortest Hull length.
import { describe, expect, it } from 'vitest';
import { bits, randomWalk } from './inputs.js';
import { hma, hmaFromWma, lsma, wma, wmaAndLsma } from '../src/kernels/moving-averages.js';

const cases = Array.from({ length: 120 }, (_, c) => ({ n: [1, 2, 3, 7, 20, 34, 35, 36, 300][c % 9]!, length: 2 + ((c * 7) % 40), seed: c + 1 }));

describe('shared WMA sums', () => {
  it('wmaAndLsma equals wma and lsma', () => {
    for (const { n, length, seed } of cases) {
      const x = randomWalk(n, seed);
      const [gotW, gotL, wantW, wantL] = [0, 0, 0, 0].map(() => new Float64Array(n).fill(7)) as [Float64Array, Float64Array, Float64Array, Float64Array];
      wmaAndLsma(x, length, gotW, gotL);
      wma(x, length, wantW);
      lsma(x, length, wantL);
      expect(bits(gotW), `n=${n} L=${length}`).toEqual(bits(wantW));
      expect(bits(gotL), `n=${n} L=${length}`).toEqual(bits(wantL));
    }
  });

  it('hmaFromWma equals hma', () => {
    for (const { n, length, seed } of cases) {
      const x = randomWalk(n, seed);
      const w = new Float64Array(n);
      wma(x, length, w);
      const got = new Float64Array(n).fill(7);
      const want = new Float64Array(n).fill(7);
      hmaFromWma(x, length, w, got, new Float64Array(n));
      hma(x, length, want, new Float64Array(n));
      expect(bits(got), `n=${n} L=${length}`).toEqual(bits(want));
    }
  });
});
