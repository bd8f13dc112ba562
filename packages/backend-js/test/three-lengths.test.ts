// ema3 / dema3 / kama3 (three lengths in one loop, used by the fused pipeline) must equal three
// single-length calls bit for bit, including short series and lengths longer than the series.
import { describe, expect, it } from 'vitest';
import { bits, randomWalk } from './inputs.js';
import { dema, dema3, ema, ema3, kama, kama3 } from '../src/kernels/moving-averages.js';

const cases: [string, typeof ema, typeof ema3][] = [
  ['ema', ema, ema3],
  ['dema', dema, dema3],
  ['kama', kama, kama3],
];

describe.each(cases)('%s3 equals three %s calls', (_name, single, triple) => {
  it('on random series and lengths', () => {
    for (let c = 0; c < 200; c++) {
      const n = [1, 2, 5, 20, 33, 34, 35, 100, 700][c % 9]!;
      const x = randomWalk(n, c + 1);
      const lens = [1 + ((c * 7) % 40), 1 + ((c * 13) % 35), 1 + ((c * 3) % 45)] as const;
      const got = [new Float64Array(n), new Float64Array(n), new Float64Array(n)] as const;
      triple(x, lens[0], lens[1], lens[2], got[0], got[1], got[2]);
      lens.forEach((length, k) => {
        const want = new Float64Array(n);
        single(x, length, want);
        expect(bits(got[k]), `case ${c}, n=${n}, length ${length}`).toEqual(bits(want));
      });
    }
  });
});
