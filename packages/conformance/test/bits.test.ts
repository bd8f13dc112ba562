// The bit-identity tier can fail for the reason it names: one value one ulp off, or +0 for −0,
// in any row of a pipeline's buffers is reported by series and bar; NaN equals NaN.
import { allocateBuffers, resolveConfig } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { requireSameBits, requireSameBuffers } from '../src/bits.js';
import { fusedBuffers, referenceBackend } from '../src/reference.js';
import { smokeSeries } from '../src/tiers/vectors.js';

const nextUp = (x: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
};

describe('same bits', () => {
  it('NaN equals NaN; one ulp, +0/−0 and lengths differ', () => {
    expect(() => requireSameBits('x', [NaN, 1], [NaN, 1])).not.toThrow();
    expect(() => requireSameBits('x', [1, 2], [1, nextUp(2)])).toThrow(/x\[1\]/);
    expect(() => requireSameBits('x', [0], [-0])).toThrow(/x\[0\]/);
    expect(() => requireSameBits('x', [1], [1, 2])).toThrow(/length 1, reference 2/);
  });

  it('a pipeline with one value one ulp off is caught and named (outputs and details)', () => {
    const prices = smokeSeries();
    const config = resolveConfig({ cutout: 20 });
    const reference = fusedBuffers(referenceBackend(), prices, config);
    const m = prices.length - config.cutout;
    const off = (pick: (b: ReturnType<typeof allocateBuffers>) => Float64Array, index: number) => {
      const ours = fusedBuffers(referenceBackend(), prices, config);
      pick(ours)[index] = nextUp(pick(ours)[index]!);
      return () => requireSameBuffers('case', ours, reference);
    };
    expect(() => requireSameBuffers('case', fusedBuffers(referenceBackend(), prices, config), reference)).not.toThrow();
    expect(off((b) => b.outputs, 12 * m + 5)).toThrow(/Average_Signal bar 5/);
    expect(off((b) => b.outputs, 7 * m + 100)).toThrow(/HMA_S bar 100/);
    expect(off((b) => b.maEquities!, 53 * m + 3)).toThrow(/kama MA #8 equity bar 3/);
  });
});
