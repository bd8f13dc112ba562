// fdlibm's e_exp.c, ported operation for operation. The Rust kernels carry the same port, so
// the growth factor, and with it every equity curve, is bit-identical on all backends
// (Math.exp and libm's exp are not specified to the last bit and differ between engines).

import { EXP_OVERFLOW_THRESHOLD } from '@adaptive-trend/core';

const HALF = [0.5, -0.5] as const;
const LN2_HI = [6.93147180369123816490e-1, -6.93147180369123816490e-1] as const;
const LN2_LO = [1.90821492927058770002e-10, -1.90821492927058770002e-10] as const;
const INV_LN2 = 1.4426950408889634;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;
// fdlibm's o_threshold; core's growth rule refuses inputs that reach it (one definition).
const O_THRESHOLD = EXP_OVERFLOW_THRESHOLD;
const U_THRESHOLD = -7.45133219101941108420e2;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word

/** 2^k for integer k in the normal range, built exactly from its bits. */
function twoPow(k: number): number {
  u32[HI] = (0x3ff + k) << 20;
  u32[1 - HI] = 0;
  return f64[0]!;
}

/** `exp(x)` exactly as fdlibm computes it; overflow gives `Number.MAX_VALUE` (the reference's clamp). */
export function fdlibmExp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > O_THRESHOLD) return Number.MAX_VALUE;
  if (x < U_THRESHOLD) return 0;
  f64[0] = x;
  const hx = u32[HI]! & 0x7fffffff;
  const xsb = u32[HI]! >>> 31;
  let hi = 0;
  let lo = 0;
  let k = 0;
  let r = x;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      hi = r - LN2_HI[xsb]!;
      lo = LN2_LO[xsb]!;
      k = 1 - xsb - xsb;
    } else {
      k = Math.trunc(INV_LN2 * r + HALF[xsb]!);
      hi = r - k * LN2_HI[0];
      lo = k * LN2_LO[0];
    }
    r = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1 + r;
  }
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((r * c) / (c - 2.0) - r);
  const y = 1 - (lo - (r * c) / (2.0 - c) - hi);
  if (k === 1024) return y * 2.0 * twoPow(1023); // fdlibm adds k to y's exponent; 2^1024 itself overflows
  if (k >= -1021) return y * twoPow(k);
  return y * twoPow(k + 1000) * twoPow(-1000);
}
