//! Pine semantics (`Semantics::Pine`, issue 12): the original TradingView script's arithmetic,
//! end to end on the full series, every output `n` bars with NaN where Pine has na.
//!
//! The same operations in the same order as the TypeScript twin `packages/backend-js/src/pine`
//! (docs/kernels.md, "Pine semantics"), so every backend gives the same bits. Where Pine's
//! arithmetic is the reference's (SMA, WMA, the SMA-seeded EMA, the least-squares sums) the
//! crate's own steppers in `ma.rs` are reused; only what differs lives here. The pipeline itself
//! (`run_pine`) is `isa/pine_body.rs`, compiled in the baseline and AVX2 twins.
#![allow(clippy::needless_range_loop)] // index loops mirror the TypeScript twin line by line

use crate::equity::floor_equity;
pub(crate) use crate::ma::fill_nan;
use crate::ma::{run, EmaState, LsmaState, SmaState, WmaState, KAMA_FAST, KAMA_SLOW};
use crate::math::exp;

/// `(fast − slow)` as the script computes it (0.6020000000000001).
const KAMA_SPAN: f64 = KAMA_FAST - KAMA_SLOW;

// ---------------------------------------------------------------------------------------------
// Moving averages (`ma_calculation`)
// ---------------------------------------------------------------------------------------------

/// SMA-seeded EMA into `out`, all NaN when the series is shorter than `len` (`ta.ema`).
fn ema_into(x: &[f64], len: usize, out: &mut [f64]) {
    if x.len() < len {
        return fill_nan(out);
    }
    let (st, from) = EmaState::init(x, len, out);
    run(st, x, from, out);
}

/// TradingView `dema`: `2·ema(x) − ema(ema(x))`, the outer EMA SMA-seeded over
/// E1[L−1..2L−2], so the first value is at bar 2L−2. `e1`: n values of scratch.
pub(crate) fn dema_into(x: &[f64], len: usize, out: &mut [f64], e1: &mut [f64]) {
    let n = x.len();
    ema_into(x, len, e1);
    let first = (2 * len - 2).min(n);
    fill_nan(&mut out[..first]);
    if n < 2 * len - 1 {
        return;
    }
    // E2 into out[L−1..], then out = 2·E1 − E2 in place
    ema_into(&e1[len - 1..], len, &mut out[len - 1..]);
    for i in 2 * len - 2..n {
        out[i] = 2.0 * e1[i] - out[i];
    }
}

/// The script's own `kama`: from `nz(KAMA[1]) = 0`, ratio 0 while `math.sum(noise, L)` is na
/// (bars < L), then the efficiency ratio over a running noise sum. No na bars.
pub(crate) fn kama_into(x: &[f64], len: usize, out: &mut [f64]) {
    let n = x.len();
    let mut k = 0.0;
    for i in 0..len.min(n) {
        k = kama_warm_step(k, x[i]);
        out[i] = k;
    }
    if n <= len {
        return;
    }
    let mut noise = kama_noise_seed(x, len);
    for i in len..n {
        if i > len {
            noise = kama_noise_slide(noise, x, i, len);
        }
        k = kama_adaptive_step(k, noise, x, i, len);
        out[i] = k;
    }
}

/// One KAMA bar while the noise sum is na (bars < L): the slow constant squared.
#[inline(always)]
pub(crate) fn kama_warm_step(k: f64, v: f64) -> f64 {
    k + KAMA_SLOW * KAMA_SLOW * (v - k)
}

/// `Σ_{j=1..L} |x[j] − x[j−1]|`, sequential from 0.0 (bar L; requires `x.len() > len`).
#[inline]
pub(crate) fn kama_noise_seed(x: &[f64], len: usize) -> f64 {
    let mut noise = 0.0;
    for j in 1..=len {
        noise += (x[j] - x[j - 1]).abs();
    }
    noise
}

/// The running noise sum slid to end at bar `i > len`.
#[inline(always)]
pub(crate) fn kama_noise_slide(noise: f64, x: &[f64], i: usize, len: usize) -> f64 {
    noise + (x[i] - x[i - 1]).abs() - (x[i - len] - x[i - len - 1]).abs()
}

/// One adaptive KAMA bar `i ≥ len` (efficiency ratio over `noise`).
#[inline(always)]
pub(crate) fn kama_adaptive_step(k: f64, noise: f64, x: &[f64], i: usize, len: usize) -> f64 {
    let v = x[i];
    let ratio = if noise != 0.0 {
        (v - x[i - len]).abs() / noise
    } else {
        0.0
    };
    let t = ratio * KAMA_SPAN + KAMA_SLOW;
    k + t * t * (v - k)
}

/// The MA the script computes for family `f` (EMA, "HMA" = `ta.sma`, WMA, DEMA, `ta.linreg`
/// at the newest bar, KAMA). Lengths ≥ 1; `scratch` (n values) is used by DEMA only.
pub(crate) fn moving_average(
    f: usize,
    x: &[f64],
    len: usize,
    out: &mut [f64],
    scratch: &mut [f64],
) {
    let n = x.len();
    if f == 5 {
        return kama_into(x, len, out);
    }
    if f == 3 {
        return dema_into(x, len, out, scratch);
    }
    if n < len {
        return fill_nan(out);
    }
    match f {
        0 => ema_into(x, len, out),
        1 => {
            let (st, from) = SmaState::init(x, len, out);
            run(st, x, from, out);
        }
        2 => {
            let (st, from) = WmaState::init_at(x, 0, len, out);
            run(st, x, from, out);
        }
        _ => {
            let (st, from) = LsmaState::init_at(x, len, len as f64, out);
            run(st, x, from, out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Returns, equities, Layer 1, Average_Signal
// ---------------------------------------------------------------------------------------------

/// `R·e(La)`: `(close − close[1]) / close[1]` times `exp(λ·(bar − cutout))` from
/// `max(cutout, 1)` on; NaN before (unused there).
pub(crate) fn scaled_returns(close: &[f64], lambda: f64, cutout: usize, out: &mut [f64]) {
    let n = close.len();
    let start = cutout.max(1);
    fill_nan(&mut out[..start.min(n)]);
    for i in start..n {
        out[i] = scaled_return(close[i], close[i - 1], lambda, (i - cutout) as f64);
    }
}

/// One bar of [`scaled_returns`]: `((close − previous) / previous) · exp(λ·t)`, `t` the bars
/// since the cutout.
#[inline(always)]
pub(crate) fn scaled_return(close: f64, previous: f64, lambda: f64, t: f64) -> f64 {
    ((close - previous) / previous) * exp(lambda * t)
}

/// One bar of the script's `var float a`: `r` after a positive signal, `−r` after a negative
/// one, else unchanged (NaN compares false).
#[inline(always)]
pub(crate) fn step_a(a: f64, previous_signal: f64, r: f64) -> f64 {
    if previous_signal > 0.0 {
        r
    } else if previous_signal < 0.0 {
        -r
    } else {
        a
    }
}

/// `e = (e[1]·d)·(1 + a)` floored at 0.25.
#[inline(always)]
pub(crate) fn equity_step(e: f64, d: f64, a: f64) -> f64 {
    floor_equity(e * d * (1.0 + a))
}

/// Crossover of `close` over the MA at bar `i ≥ 1`: 1 up, −1 down, else the previous state.
#[inline(always)]
pub(crate) fn crossover(close: &[f64], ma: &[f64], i: usize, s: f64) -> f64 {
    let (p, m, pp, mp) = (close[i], ma[i], close[i - 1], ma[i - 1]);
    if p > m && pp <= mp {
        1.0
    } else if p < m && pp >= mp {
        -1.0
    } else {
        s
    }
}

/// One MA's crossover signal, its equity `eq(1, signal, R)` and its terms `s·E`, `E` added to
/// the family's Layer-1 sums (bars ≥ cutout, in the script's order across the nine MAs), keeping
/// the signal (all bars) and the equity (NaN before the cutout): the details path.
#[allow(clippy::too_many_arguments)]
pub(crate) fn accumulate_ma(
    close: &[f64],
    ma: &[f64],
    r: &[f64],
    d: f64,
    cutout: usize,
    num: &mut [f64],
    den: &mut [f64],
    signal_out: &mut [i8],
    equity_out: &mut [f64],
) {
    let n = close.len();
    let mut s = 0.0; // `var int sig = 0`
    let mut previous = f64::NAN; // sig[1]: na at bar 0
    let mut a = 0.0; // `var float a = 0.0`
    let mut e = f64::NAN;
    fill_nan(&mut equity_out[..cutout.min(n)]);
    for i in 0..n {
        if i > 0 {
            s = crossover(close, ma, i, s);
        }
        signal_out[i] = s as i8;
        if i >= cutout {
            a = step_a(a, previous, r[i]);
            e = if i == cutout {
                1.0
            } else {
                equity_step(e, d, a)
            };
            equity_out[i] = e;
            num[i] += s * e;
            den[i] += e;
        }
        previous = s;
    }
}

/// Pine's `math.round(x, 2)`: `x·100` rounded half away from zero, divided by 100.
#[inline]
pub(crate) fn round2_half_away(x: f64) -> f64 {
    let y = x * 100.0;
    let a = y.abs();
    // a < 2^52: truncation is the floor and `a − t` is exact; larger values are integers
    let r = if a < 4503599627370496.0 {
        let t = (a as u64) as f64;
        if a - t >= 0.5 {
            t + 1.0
        } else {
            t
        }
    } else {
        a
    };
    (if y < 0.0 { -r } else { r }) / 100.0
}

/// `Cut(x)`: 1 above 0.49, −1 below −0.49, else 0 (the reference's cut at fixed thresholds).
#[inline(always)]
pub(crate) fn cut(x: f64) -> f64 {
    crate::equity::cut(x, 0.49, -0.49)
}

/// The script's `eq(starting_equity, Layer1, R)` for Layer 2: NaN before the cutout.
pub(crate) fn layer2_equity(
    r: &[f64],
    signal: &[f64],
    start: f64,
    d: f64,
    cutout: usize,
    out: &mut [f64],
) {
    let n = r.len();
    fill_nan(&mut out[..cutout.min(n)]);
    if cutout >= n {
        return;
    }
    let mut a = 0.0;
    let mut e = floor_equity(start);
    if cutout > 0 {
        a = step_a(a, signal[cutout - 1], r[cutout]);
    }
    out[cutout] = e;
    for i in cutout + 1..n {
        a = step_a(a, signal[i - 1], r[i]);
        e = equity_step(e, d, a);
        out[i] = e;
    }
}

#[cfg(test)]
mod tests {
    use super::round2_half_away;

    #[test]
    fn rounds_half_away_from_zero_in_doubles() {
        assert_eq!(round2_half_away(0.145), 0.14); // 0.145·100 < 14.5
        assert_eq!(round2_half_away(-0.125), -0.13);
        assert_eq!(round2_half_away(0.125), 0.13);
        assert_eq!(round2_half_away(0.5), 0.5);
        assert!(round2_half_away(-0.001).is_sign_negative());
    }
}
