//! Scalar helpers with pinned arithmetic: fdlibm `exp`, numpy pairwise summation,
//! round-half-even, integer square root. All pure `core`, so native and wasm builds agree.

// ---------------------------------------------------------------------------------------------
// fdlibm e_exp.c
// ---------------------------------------------------------------------------------------------

// The decimal literals are fdlibm's; their bit patterns are asserted in the tests below.
#[allow(clippy::excessive_precision, clippy::approx_constant)]
mod fdlibm_consts {
    pub const HALF: [f64; 2] = [0.5, -0.5];
    pub const LN2_HI: [f64; 2] = [6.93147180369123816490e-01, -6.93147180369123816490e-01];
    pub const LN2_LO: [f64; 2] = [1.90821492927058770002e-10, -1.90821492927058770002e-10];
    pub const INV_LN2: f64 = 1.44269504088896338700e+00;
    pub const P1: f64 = 1.66666666666666019037e-01;
    pub const P2: f64 = -2.77777777770155933842e-03;
    pub const P3: f64 = 6.61375632143793436117e-05;
    pub const P4: f64 = -1.65339022054652515390e-06;
    pub const P5: f64 = 4.13813679705723846039e-08;
    pub const O_THRESHOLD: f64 = 7.09782712893383973096e+02;
    pub const U_THRESHOLD: f64 = -7.45133219101941108420e+02;
    /// 2^-1000
    pub const TWO_M1000: f64 = 9.33263618503218878990e-302;
}
use fdlibm_consts::*;

/// `e^x`, a line-by-line port of fdlibm 5.3 `e_exp.c` (`__ieee754_exp`), error < 1 ulp.
///
/// Deviations from fdlibm, all part of the project's contract:
/// * overflow (`x > 709.782712893384`, including `+∞`) returns `f64::MAX`, because the
///   reference replaces an infinite growth factor by the largest double;
/// * the final scaling by `2^k` is a multiplication by the exact power of two
///   `f64::from_bits((0x3ff + k) << 52)` (identical to fdlibm's exponent-word addition for
///   every normal result); for `k < -1021` fdlibm's two-step `·2^(k+1000)·2^-1000` is kept.
///
/// `NaN → NaN`, `−∞ → 0`, `x < −745.13 → 0`.
pub fn exp(x: f64) -> f64 {
    let bits = x.to_bits();
    let mut hx = (bits >> 32) as u32; // high word
    let xsb = (hx >> 31) as usize; // sign bit
    hx &= 0x7fff_ffff; // high word of |x|

    // filter out non-finite argument
    if hx >= 0x4086_2E42 {
        // |x| >= 709.78...
        if hx >= 0x7ff0_0000 {
            if ((hx & 0xfffff) | (bits as u32)) != 0 {
                return x + x; // NaN
            }
            return if xsb == 0 { f64::MAX } else { 0.0 }; // exp(+inf) = MAX (contract), exp(-inf) = 0
        }
        if x > O_THRESHOLD {
            return f64::MAX; // overflow: reference replaces inf by the largest double
        }
        if x < U_THRESHOLD {
            return TWO_M1000 * TWO_M1000; // underflow (= 0)
        }
    }

    // argument reduction
    let hi: f64;
    let lo: f64;
    let k: i32;
    let xr: f64;
    if hx > 0x3fd6_2e42 {
        // |x| > 0.5 ln2
        if hx < 0x3FF0_A2B2 {
            // and |x| < 1.5 ln2
            hi = x - LN2_HI[xsb];
            lo = LN2_LO[xsb];
            k = 1 - (xsb as i32) - (xsb as i32);
        } else {
            k = (INV_LN2 * x + HALF[xsb]) as i32; // truncation toward zero, like C's (int)
            let t = k as f64;
            hi = x - t * LN2_HI[0]; // t*ln2HI is exact here
            lo = t * LN2_LO[0];
        }
        xr = hi - lo;
    } else if hx < 0x3e30_0000 {
        // |x| < 2**-28: fdlibm returns one+x (after raising inexact)
        return 1.0 + x;
    } else {
        hi = 0.0;
        lo = 0.0;
        k = 0;
        xr = x;
    }

    // x is now in primary range
    let t = xr * xr;
    let c = xr - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if k == 0 {
        return 1.0 - ((xr * c) / (c - 2.0) - xr);
    }
    let y = 1.0 - ((lo - (xr * c) / (2.0 - c)) - hi);
    if k >= -1021 {
        // k <= 1024 here (x <= o_threshold), so 0x3ff + k is in 2..=2047 — but 2047 would be
        // the inf/NaN exponent; fdlibm adds k to y's exponent instead, which for k = 1024 gives
        // y·2^1024 with y < 1. Handle that edge with two exact steps.
        if k <= 1023 {
            y * f64::from_bits(((0x3ff + k) as u64) << 52)
        } else {
            (y * 2.0) * f64::from_bits(((0x3ff + (k - 1)) as u64) << 52)
        }
    } else {
        // subnormal result: y·2^(k+1000) is exact, the final ·2^-1000 rounds once (fdlibm)
        (y * f64::from_bits(((0x3ff + k + 1000) as u64) << 52)) * TWO_M1000
    }
}

// ---------------------------------------------------------------------------------------------
// numpy pairwise summation
// ---------------------------------------------------------------------------------------------

/// numpy's `pairwise_sum` (the order `np.sum` / pandas `mean` use for contiguous float64).
///
/// * `n < 8`: sequential from `0.0`;
/// * `8 ≤ n ≤ 128`: eight lane accumulators, combined `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`,
///   then the `n mod 8` tail sequentially;
/// * `n > 128`: split at `⌊n/2⌋ − (⌊n/2⌋ mod 8)` and recurse.
pub fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
        let full = n - (n % 8);
        let mut i = 8;
        while i < full {
            r[0] += a[i];
            r[1] += a[i + 1];
            r[2] += a[i + 2];
            r[3] += a[i + 3];
            r[4] += a[i + 4];
            r[5] += a[i + 5];
            r[6] += a[i + 6];
            r[7] += a[i + 7];
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

// ---------------------------------------------------------------------------------------------
// rounding
// ---------------------------------------------------------------------------------------------

const TWO_P52: f64 = 4503599627370496.0;

/// Round to the nearest integer, ties to even — bit-identical to `f64::round_ties_even`
/// (which is not available in `core`). NaN stays NaN, ±∞ stay, the sign of zero is kept.
///
/// For `|y| < 2^52`, `(|y| + 2^52) − 2^52` rounds `|y|` to an integer in the current
/// (round-to-nearest-even) mode, exactly; larger magnitudes are already integers.
#[inline]
pub fn round_ties_even(y: f64) -> f64 {
    let a = y.abs();
    if a < TWO_P52 {
        // branch-free sign restore (the sign of y is data dependent)
        ((a + TWO_P52) - TWO_P52).copysign(y)
    } else {
        y // integer, ±∞ or NaN
    }
}

/// numpy `round(v, 2)`: `rint(v·100) / 100`; NaN stays NaN.
#[inline]
pub fn round2(v: f64) -> f64 {
    round_ties_even(v * 100.0) / 100.0
}

/// `⌊√n⌋` for integers, exact for every `usize`.
pub fn isqrt(n: usize) -> usize {
    if n < 2 {
        return n;
    }
    // Newton iteration on integers, starting above the root.
    let mut x = n;
    let mut y = x.div_ceil(2);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdlibm_constant_bits() {
        // hexadecimal values from fdlibm's e_exp.c comments
        assert_eq!(LN2_HI[0].to_bits(), 0x3FE62E42_FEE00000);
        assert_eq!(LN2_HI[1].to_bits(), 0xBFE62E42_FEE00000);
        assert_eq!(LN2_LO[0].to_bits(), 0x3DEA39EF_35793C76);
        assert_eq!(LN2_LO[1].to_bits(), 0xBDEA39EF_35793C76);
        assert_eq!(INV_LN2.to_bits(), 0x3FF71547_652B82FE);
        assert_eq!(P1.to_bits(), 0x3FC55555_5555553E);
        assert_eq!(P2.to_bits(), 0xBF66C16C_16BEBD93);
        assert_eq!(P3.to_bits(), 0x3F11566A_AF25DE2C);
        assert_eq!(P4.to_bits(), 0xBEBBBD41_C5D26BF1);
        assert_eq!(P5.to_bits(), 0x3E663769_72BEA4D0);
        assert_eq!(O_THRESHOLD.to_bits(), 0x40862E42_FEFA39EF);
        assert_eq!(U_THRESHOLD.to_bits(), 0xC0874910_D52D3051);
        assert_eq!(TWO_M1000.to_bits(), 0x01700000_00000000);
    }
}
