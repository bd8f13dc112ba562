import { describe, expect, it } from 'vitest';
import { fdlibmExp } from '../src/kernels/exp.js';

describe('fdlibmExp', () => {
  it('is within 1 ulp of Math.exp over the growth range and beyond', () => {
    for (let i = 0; i < 200_000; i++) {
      const x = (i - 100_000) * 0.0071234;
      const ours = fdlibmExp(x);
      const ref = Math.exp(x);
      expect(Math.abs(ours - ref), `x=${x}`).toBeLessThanOrEqual(Math.abs(ref) * 2.3e-16);
    }
  });
  it('handles the edges', () => {
    expect(fdlibmExp(0)).toBe(1);
    expect(fdlibmExp(1e-300)).toBe(1);
    expect(fdlibmExp(800)).toBe(Number.MAX_VALUE);
    expect(fdlibmExp(-800)).toBe(0);
    expect(fdlibmExp(NaN)).toBeNaN();
    // fdlibm (like Java's StrictMath) returns e one ulp above the correctly rounded Math.E.
    expect(fdlibmExp(1)).toBe(2.7182818284590455);
  });
});
