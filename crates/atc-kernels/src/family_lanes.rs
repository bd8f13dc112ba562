//! One `f64` per MA of a family — nine lanes — as one value type, `Lanes9`, for the fused
//! pipeline's lock-step loops (`isa/family_mas.rs`, `isa/pipeline_body.rs`).
//!
//! Two implementations with identical IEEE operations per lane, hence identical bits:
//! * portable: `Lanes9 = [f64; 9]` with element-wise loops, which the x86 compilers vectorise;
//! * `wasm32` + `simd128`: four `v128` pairs plus one scalar lane, with explicit `f64x2`
//!   arithmetic. For wasm, LLVM leaves the portable loops mostly scalar, moves arrays through
//!   memory between iterations (scalar stores read back as vectors: store-forwarding stalls),
//!   and the engines turn scalar `f64` selects into branches that the data-dependent crossover
//!   tests mispredict. Holding the state in `v128` values and blending with
//!   `v128.bitselect` avoids all three.
//!
//! Every operation is exact IEEE `+ − × ÷`, comparison or blend; nothing is fused or reordered.

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) use portable::*;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) use wasm::*;

use crate::equity::floor_equity;

const K: usize = 9;
/// Families (the wasm build advances Layer 2 and the Average's cut of the six as `f64x2`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
const F: usize = crate::pipeline::FAMILY_COUNT;

/// The crossover step of one lane: `t = [p > ma ∧ pp ≤ ma_prev] − [p < ma ∧ pp ≥ ma_prev]`,
/// `s ← t + s·(1 − t²)` (up and down are exclusive, so t ∈ {−1, 0, 1}: t ≠ 0 sets the held
/// state, 0 keeps it). Booleans become exactly 1.0 / 0.0 by conversion, not by a select.
#[inline(always)]
fn signal_lane(prev: f64, ma: f64, pp: f64, p: f64, s: f64) -> f64 {
    let up = ((p > ma) & (pp <= prev)) as u8 as f64;
    let down = ((p < ma) & (pp >= prev)) as u8 as f64;
    let t = up - down;
    t + s * (1.0 - t * t)
}

/// The equity step of one lane for a finite return: `floor((E·d)·(1 + s·rr))`. With the held
/// state s ∈ {−1, 0, 1}, `s·rr` is exactly −rr, ±0 or rr and `1 + (±0) = 1`, so the factor
/// equals the kernel's `1 + a`. (`e < floor` is false for NaN: NaN stays NaN.)
#[inline(always)]
fn equity_lane(e: f64, s: f64, rr: f64, d: f64) -> f64 {
    floor_equity((e * d) * (1.0 + s * rr))
}

/// One bar of the nine equity recurrences for the return `r` (NaN counts as 0): the
/// branch-free lanes for a finite return, [`position_factor`](crate::equity::position_factor)
/// per lane for an infinite one (the batch's and the stream's one rule).
#[inline(always)]
pub(crate) fn equity_step(eq: Lanes9, s_prev: Lanes9, r: f64, d: f64) -> Lanes9 {
    let rr = if r.is_nan() { 0.0 } else { r };
    if rr.is_finite() {
        return equity_step_finite(eq, s_prev, rr, d);
    }
    let (e, s) = (to_array(eq), to_array(s_prev));
    load9(&core::array::from_fn(|k| {
        floor_equity((e[k] * d) * crate::equity::position_factor(s[k], rr))
    }))
}

/// Layer 2 of one family for the return `rr` (NaN already mapped to 0): the previous bar's
/// Layer 1 `q` gives the position, `floor((E·d)·position_factor(q, rr))` (the batch's and the
/// stream's one rule, `equity::position_factor`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn layer2_lane(e: f64, q: f64, rr: f64, d: f64) -> f64 {
    floor_equity((e * d) * crate::equity::position_factor(q, rr))
}

/// KAMA's efficiency ratio of one lane: `|x − old| / noise`, 0 where `noise == 0`.
#[inline(always)]
fn kama_ratio_lane(x: f64, old: f64, noise: f64) -> f64 {
    let q = (x - old).abs() / noise;
    if noise == 0.0 {
        0.0
    } else {
        q
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod portable {
    use super::{equity_lane, kama_ratio_lane, signal_lane, K};
    use crate::equity::layer1_round;

    /// Nine lanes.
    pub(crate) type Lanes9 = [f64; K];

    #[inline(always)]
    pub(crate) fn load9(a: &[f64; K]) -> Lanes9 {
        *a
    }
    #[inline(always)]
    pub(crate) fn store9(dst: &mut [f64; K], v: Lanes9) {
        *dst = v;
    }
    #[inline(always)]
    pub(crate) fn to_array(v: Lanes9) -> [f64; K] {
        v
    }
    #[inline(always)]
    pub(crate) fn splat9(v: f64) -> Lanes9 {
        [v; K]
    }

    macro_rules! binops {
        ($($name:ident $op:tt),*) => {$(
            #[inline(always)]
            pub(crate) fn $name(a: Lanes9, b: Lanes9) -> Lanes9 {
                let mut out = [0.0; K];
                for k in 0..K {
                    out[k] = a[k] $op b[k];
                }
                out
            }
        )*};
    }
    binops!(add9 +, sub9 -, mul9 *, div9 /);

    /// `if c != v { t } else { c }` per lane (the EMA keeps e where it equals the input).
    #[inline(always)]
    pub(crate) fn keep_where_equal(c: Lanes9, v: Lanes9, t: Lanes9) -> Lanes9 {
        let mut out = [0.0; K];
        for k in 0..K {
            out[k] = if c[k] != v[k] { t[k] } else { c[k] };
        }
        out
    }

    /// KAMA's efficiency ratio per lane (see `kama_ratio_lane`).
    #[inline(always)]
    pub(crate) fn kama_ratio(x: f64, old: Lanes9, noise: Lanes9) -> Lanes9 {
        let mut out = [0.0; K];
        for k in 0..K {
            out[k] = kama_ratio_lane(x, old[k], noise[k]);
        }
        out
    }

    /// One bar of the nine crossover state machines (see `signal_lane`).
    #[inline(always)]
    pub(crate) fn signal_step(prev: Lanes9, row: Lanes9, pp: f64, p: f64, s: Lanes9) -> Lanes9 {
        let mut out = [0.0; K];
        for k in 0..K {
            out[k] = signal_lane(prev[k], row[k], pp, p, s[k]);
        }
        out
    }

    /// One bar of the nine equity recurrences with finite `rr` (see `equity_lane`).
    #[inline(always)]
    pub(crate) fn equity_step_finite(eq: Lanes9, s: Lanes9, rr: f64, d: f64) -> Lanes9 {
        let mut out = [0.0; K];
        for k in 0..K {
            out[k] = equity_lane(eq[k], s[k], rr, d);
        }
        out
    }

    /// Layer 1 of every bar: `l1[i] = layer1_bar(eq[9i..], prod[9i..])`.
    #[inline(always)]
    pub(crate) fn layer1_rows(eq: &[f64], prod: &[f64], l1: &mut [f64]) {
        let bars = eq
            .chunks_exact(K)
            .zip(prod.chunks_exact(K))
            .zip(l1.iter_mut());
        for ((te, tp), out) in bars {
            let mut num = 0.0;
            let mut den = 0.0;
            for k in 0..K {
                num += tp[k];
                den += te[k];
            }
            *out = num / den;
        }
        // rounded in a separate element-wise loop, which vectorises (same result as layer1_bar)
        for v in l1.iter_mut() {
            *v = layer1_round(*v);
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{equity_lane, kama_ratio_lane, layer2_lane, signal_lane, F, K};
    use crate::equity::EQUITY_FLOOR;
    use core::arch::wasm32::*;

    /// `1.0` / `−1.0` / `+0.0` for `a > b` / `a < b` / neither, per lane: masks and'ed with the
    /// bits of 1.0 (exactly 1.0 or +0.0), then subtracted — what the scalar `bool as f64`
    /// differences compute, which LLVM turns back into f64 selects (branches in the engines).
    #[inline(always)]
    fn up_minus_down(up: v128, down: v128) -> v128 {
        let one = f64x2_splat(1.0);
        f64x2_sub(v128_and(up, one), v128_and(down, one))
    }

    /// Layer 2: one bar of the six families' equities as three `f64x2` (see `layer2_lane`):
    /// the position's sign without selects, the floor as `pmax` (as `equity_step_finite`).
    #[inline(always)]
    pub(crate) fn layer2_step(e: [f64; F], prev_l1: [f64; F], rr: f64, d: f64) -> [f64; F] {
        if !rr.is_finite() {
            return core::array::from_fn(|f| layer2_lane(e[f], prev_l1[f], rr, d));
        }
        let (rv, dv, zero) = (f64x2_splat(rr), f64x2_splat(d), f64x2_splat(0.0));
        let (one, floor) = (f64x2_splat(1.0), f64x2_splat(EQUITY_FLOOR));
        let mut out = [0.0; F];
        for j in [0, 2, 4] {
            let (ev, q) = (f64x2(e[j], e[j + 1]), f64x2(prev_l1[j], prev_l1[j + 1]));
            let sq = up_minus_down(f64x2_gt(q, zero), f64x2_lt(q, zero));
            let v = f64x2_mul(f64x2_mul(ev, dv), f64x2_add(one, f64x2_mul(sq, rv)));
            let v = f64x2_pmax(v, floor);
            out[j] = f64x2_extract_lane::<0>(v);
            out[j + 1] = f64x2_extract_lane::<1>(v);
        }
        out
    }

    /// The Average's threshold cut (`equity::cut`) of six Layer-1 values as three `f64x2`:
    /// long where `l1 > long`, else short where `l1 < short` (long wins, as in `cut`).
    #[inline(always)]
    pub(crate) fn cut6(l1: [f64; F], long: f64, short: f64) -> [f64; F] {
        let (lv, sv) = (f64x2_splat(long), f64x2_splat(short));
        let mut out = [0.0; F];
        for j in [0, 2, 4] {
            let x = f64x2(l1[j], l1[j + 1]);
            let up = f64x2_gt(x, lv);
            let c = up_minus_down(up, v128_andnot(f64x2_lt(x, sv), up));
            out[j] = f64x2_extract_lane::<0>(c);
            out[j + 1] = f64x2_extract_lane::<1>(c);
        }
        out
    }

    /// Layer 1 of one bar from its nine `s·E` and `E` (sums in k order).
    #[inline(always)]
    fn layer1_bar(eq: &[f64], prod: &[f64]) -> f64 {
        let mut num = 0.0;
        let mut den = 0.0;
        for k in 0..K.min(eq.len()).min(prod.len()) {
            num += prod[k];
            den += eq[k];
        }
        crate::equity::layer1_value(num, den)
    }

    /// Nine lanes: lanes 0–7 as four `f64x2`, lane 8 scalar.
    #[derive(Clone, Copy)]
    pub(crate) struct Lanes9 {
        v: [v128; 4],
        s: f64,
    }

    #[inline(always)]
    pub(crate) fn load9(a: &[f64; K]) -> Lanes9 {
        Lanes9 {
            v: [0, 2, 4, 6].map(|j| f64x2(a[j], a[j + 1])),
            s: a[8],
        }
    }
    #[inline(always)]
    pub(crate) fn store9(dst: &mut [f64; K], x: Lanes9) {
        for (i, j) in [0, 2, 4, 6].into_iter().enumerate() {
            dst[j] = f64x2_extract_lane::<0>(x.v[i]);
            dst[j + 1] = f64x2_extract_lane::<1>(x.v[i]);
        }
        dst[8] = x.s;
    }
    #[inline(always)]
    pub(crate) fn to_array(x: Lanes9) -> [f64; K] {
        let mut a = [0.0; K];
        store9(&mut a, x);
        a
    }
    #[inline(always)]
    pub(crate) fn splat9(v: f64) -> Lanes9 {
        Lanes9 {
            v: [f64x2_splat(v); 4],
            s: v,
        }
    }

    macro_rules! binops {
        ($($name:ident $vop:ident $op:tt),*) => {$(
            #[inline(always)]
            pub(crate) fn $name(a: Lanes9, b: Lanes9) -> Lanes9 {
                Lanes9 {
                    v: [$vop(a.v[0], b.v[0]), $vop(a.v[1], b.v[1]), $vop(a.v[2], b.v[2]), $vop(a.v[3], b.v[3])],
                    s: a.s $op b.s,
                }
            }
        )*};
    }
    binops!(add9 f64x2_add +, sub9 f64x2_sub -, mul9 f64x2_mul *, div9 f64x2_div /);

    /// Lane-wise map of four pairs and the scalar lane.
    #[inline(always)]
    fn map9(a: Lanes9, pair: impl Fn(usize, v128) -> v128, lane: impl Fn(f64) -> f64) -> Lanes9 {
        Lanes9 {
            v: [
                pair(0, a.v[0]),
                pair(1, a.v[1]),
                pair(2, a.v[2]),
                pair(3, a.v[3]),
            ],
            s: lane(a.s),
        }
    }

    #[inline(always)]
    pub(crate) fn keep_where_equal(c: Lanes9, v: Lanes9, t: Lanes9) -> Lanes9 {
        map9(
            c,
            |i, cv| v128_bitselect(t.v[i], cv, f64x2_ne(cv, v.v[i])),
            |cs| if cs != v.s { t.s } else { cs },
        )
    }

    #[inline(always)]
    pub(crate) fn kama_ratio(x: f64, old: Lanes9, noise: Lanes9) -> Lanes9 {
        let (xv, zero) = (f64x2_splat(x), f64x2_splat(0.0));
        map9(
            noise,
            |i, nz| {
                let q = f64x2_div(f64x2_abs(f64x2_sub(xv, old.v[i])), nz);
                // clearing every bit where noise == 0 gives +0.0, as the select does
                v128_andnot(q, f64x2_eq(nz, zero))
            },
            |ns| kama_ratio_lane(x, old.s, ns),
        )
    }

    #[inline(always)]
    pub(crate) fn signal_step(prev: Lanes9, row: Lanes9, pp: f64, p: f64, s: Lanes9) -> Lanes9 {
        let (pv, ppv) = (f64x2_splat(p), f64x2_splat(pp));
        let one = f64x2_splat(1.0);
        map9(
            s,
            |i, sv| {
                let (r, q) = (row.v[i], prev.v[i]);
                // mask & bits(1.0) is exactly 1.0 (all-ones mask) or +0.0 (zero mask)
                let up = v128_and(v128_and(f64x2_gt(pv, r), f64x2_le(ppv, q)), one);
                let down = v128_and(v128_and(f64x2_lt(pv, r), f64x2_ge(ppv, q)), one);
                let t = f64x2_sub(up, down);
                f64x2_add(t, f64x2_mul(sv, f64x2_sub(one, f64x2_mul(t, t))))
            },
            |ss| signal_lane(prev.s, row.s, pp, p, ss),
        )
    }

    #[inline(always)]
    pub(crate) fn equity_step_finite(eq: Lanes9, s: Lanes9, rr: f64, d: f64) -> Lanes9 {
        let (rv, dv) = (f64x2_splat(rr), f64x2_splat(d));
        let (one, floor) = (f64x2_splat(1.0), f64x2_splat(EQUITY_FLOOR));
        map9(
            eq,
            |i, ev| {
                let e = f64x2_mul(f64x2_mul(ev, dv), f64x2_add(one, f64x2_mul(s.v[i], rv)));
                // pmax(e, floor) = e < floor ? floor : e (NaN stays NaN), as in `equity_lane`
                f64x2_pmax(e, floor)
            },
            |es| equity_lane(es, s.s, rr, d),
        )
    }

    /// Two bars per step (bar i in lane 0, bar i+1 in lane 1; each lane sums in k order).
    /// `f64x2.nearest` is round-to-nearest-even, bit-identical to `math::round_ties_even`.
    #[inline(always)]
    pub(crate) fn layer1_rows(eq: &[f64], prod: &[f64], l1: &mut [f64]) {
        let hundred = f64x2_splat(100.0);
        let inf = f64x2_splat(f64::INFINITY);
        let nan = f64x2_splat(f64::NAN);
        let pairs = eq
            .chunks_exact(2 * K)
            .zip(prod.chunks_exact(2 * K))
            .zip(l1.chunks_exact_mut(2));
        for ((te, tp), out) in pairs {
            let mut num = f64x2_splat(0.0);
            let mut den = f64x2_splat(0.0);
            for k in 0..K {
                num = f64x2_add(num, f64x2(tp[k], tp[K + k]));
                den = f64x2_add(den, f64x2(te[k], te[K + k]));
            }
            let q = f64x2_div(num, den);
            let rounded = f64x2_div(f64x2_nearest(f64x2_mul(q, hundred)), hundred);
            let v = v128_bitselect(rounded, nan, f64x2_lt(f64x2_abs(q), inf));
            out[0] = f64x2_extract_lane::<0>(v);
            out[1] = f64x2_extract_lane::<1>(v);
        }
        let done = l1.len() / 2 * 2;
        if let (Some(last), Some(te), Some(tp)) =
            (l1.get_mut(done), eq.get(done * K..), prod.get(done * K..))
        {
            *last = layer1_bar(te, tp);
        }
    }
}
