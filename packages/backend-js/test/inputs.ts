// Test inputs shared by the kernel tests: a seeded random walk with flat runs (about one bar in
// five repeats the last price: ties exercise the kernels' "equal" branches) and a bit-exact view
// of a result for comparisons that tell NaN, −0 and every last bit apart.

/** A walk of `n` prices from 100, 1 % steps, ~20 % flat bars; the same for the same seed. */
export function randomWalk(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    if (next() > 0.2) p *= 1 + (next() - 0.5) * 0.02;
    x[i] = p;
  }
  return x;
}

/** Each value's exact bits as a string ('NaN', '-0' or its hexadecimal digits). */
export const bits = (a: ArrayLike<number>): string[] => Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v.toString(16)));
