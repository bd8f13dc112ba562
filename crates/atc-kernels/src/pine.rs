//! Pine semantics (`Semantics::Pine`, issue 12): the original TradingView script's arithmetic,
//! end to end on the full series, every output `n` bars with NaN where Pine has na.
//!
//! The same operations in the same order as the TypeScript twin `packages/backend-js/src/pine`
//! (docs/kernels.md, "Pine semantics"), so every backend gives the same bits. Where Pine's
//! arithmetic is the reference's (SMA, WMA, the SMA-seeded EMA, the least-squares sums) the
//! crate's own steppers in `ma.rs` are reused; only what differs lives here.
#![allow(clippy::needless_range_loop)] // index loops mirror the TypeScript twin line by line

use crate::ma::{run, EmaState, LsmaState, SmaState, WmaState};
use crate::math::exp;
use crate::pipeline::{Detail, Params, Workspace, FAMILY_COUNT, LENGTHS_PER_FAMILY};

/// Floor of every equity curve (`if (e < 0.25) e := 0.25`).
const EQUITY_FLOOR: f64 = 0.25;
const KAMA_FAST: f64 = 0.666;
const KAMA_SLOW: f64 = 0.064;
/// `(fast − slow)` as the script computes it (0.6020000000000001).
const KAMA_SPAN: f64 = KAMA_FAST - KAMA_SLOW;

fn fill_nan(out: &mut [f64]) {
    for v in out.iter_mut() {
        *v = f64::NAN;
    }
}

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
fn dema_into(x: &[f64], len: usize, out: &mut [f64], e1: &mut [f64]) {
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
fn kama_into(x: &[f64], len: usize, out: &mut [f64]) {
    let n = x.len();
    let mut k = 0.0;
    for i in 0..len.min(n) {
        k = k + KAMA_SLOW * KAMA_SLOW * (x[i] - k);
        out[i] = k;
    }
    if n <= len {
        return;
    }
    let mut noise = 0.0;
    for j in 1..=len {
        noise += (x[j] - x[j - 1]).abs();
    }
    for i in len..n {
        if i > len {
            noise = noise + (x[i] - x[i - 1]).abs() - (x[i - len] - x[i - len - 1]).abs();
        }
        let v = x[i];
        let ratio = if noise != 0.0 {
            (v - x[i - len]).abs() / noise
        } else {
            0.0
        };
        let t = ratio * KAMA_SPAN + KAMA_SLOW;
        k = k + t * t * (v - k);
        out[i] = k;
    }
}

/// The MA the script computes for family `f` (EMA, "HMA" = `ta.sma`, WMA, DEMA, `ta.linreg`
/// at the newest bar, KAMA). Lengths ≥ 1; `scratch` (n values) is used by DEMA only.
fn moving_average(f: usize, x: &[f64], len: usize, out: &mut [f64], scratch: &mut [f64]) {
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
fn scaled_returns(close: &[f64], lambda: f64, cutout: usize, out: &mut [f64]) {
    let n = close.len();
    let start = cutout.max(1);
    fill_nan(&mut out[..start.min(n)]);
    for i in start..n {
        let previous = close[i - 1];
        out[i] = ((close[i] - previous) / previous) * exp(lambda * (i - cutout) as f64);
    }
}

/// One bar of the script's `var float a`: `r` after a positive signal, `−r` after a negative
/// one, else unchanged (NaN compares false).
#[inline(always)]
fn step_a(a: f64, previous_signal: f64, r: f64) -> f64 {
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
fn equity_step(e: f64, d: f64, a: f64) -> f64 {
    let e = e * d * (1.0 + a);
    if e < EQUITY_FLOOR {
        EQUITY_FLOOR
    } else {
        e
    }
}

/// Crossover of `close` over the MA at bar `i ≥ 1`: 1 up, −1 down, else the previous state.
#[inline(always)]
fn crossover(close: &[f64], ma: &[f64], i: usize, s: f64) -> f64 {
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
fn accumulate_ma(
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

/// [`accumulate_ma`] without details, for the nine MAs of a family at once, `mas` holding them
/// as rows of `n`: at each bar MA 0's terms are added first, then MA 1's, …: the order of nine
/// separate calls, so the same sums. The nine equity recurrences are latency-bound; advanced in
/// one loop they overlap, and the crossover is computed without data-dependent branches.
/// `q·r` is exactly `r` or `−r` for `q = ±1`, so `a` is [`step_a`]'s.
fn accumulate_family(
    close: &[f64],
    mas: &[f64],
    r: &[f64],
    d: f64,
    cutout: usize,
    num: &mut [f64],
    den: &mut [f64],
) {
    const K: usize = LENGTHS_PER_FAMILY;
    let n = close.len();
    if cutout >= n {
        return;
    }
    let row = |k: usize| &mas[k * n..(k + 1) * n];
    let mut s = [0.0f64; K];
    let mut a = [0.0f64; K];
    let mut e = [1.0f64; K];
    let mut mp = [0.0f64; K];
    for k in 0..K {
        // up to and including the cutout bar, as accumulate_ma leaves it
        let ma = row(k);
        for i in 1..cutout {
            s[k] = crossover(close, ma, i, s[k]);
        }
        if cutout > 0 {
            a[k] = step_a(0.0, s[k], r[cutout]);
            s[k] = crossover(close, ma, cutout, s[k]);
        }
        num[cutout] += s[k] * e[k];
        den[cutout] += e[k];
        mp[k] = ma[cutout];
    }
    for i in cutout + 1..n {
        let (p, pp, ri) = (close[i], close[i - 1], r[i]);
        let (mut nu, mut de) = (num[i], den[i]);
        for k in 0..K {
            let m = mas[k * n + i];
            let up = (p > m && pp <= mp[k]) as i32 as f64;
            let down = (p < m && pp >= mp[k]) as i32 as f64;
            let t = up - down;
            let q = s[k]; // sig[1]
            s[k] = if t != 0.0 { t } else { q };
            mp[k] = m;
            a[k] = if q != 0.0 { q * ri } else { a[k] };
            e[k] = equity_step(e[k], d, a[k]);
            nu += s[k] * e[k];
            de += e[k];
        }
        num[i] = nu;
        den[i] = de;
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

/// `Cut(x)`: 1 above 0.49, −1 below −0.49, else 0.
#[inline]
fn cut(x: f64) -> f64 {
    if x > 0.49 {
        1.0
    } else if x < -0.49 {
        -1.0
    } else {
        0.0
    }
}

/// The script's `eq(starting_equity, Layer1, R)` for Layer 2: NaN before the cutout.
fn layer2_equity(r: &[f64], signal: &[f64], start: f64, d: f64, cutout: usize, out: &mut [f64]) {
    let n = r.len();
    fill_nan(&mut out[..cutout.min(n)]);
    if cutout >= n {
        return;
    }
    let mut a = 0.0;
    let mut e = if start < EQUITY_FLOOR {
        EQUITY_FLOOR
    } else {
        start
    };
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

// ---------------------------------------------------------------------------------------------
// The pipeline
// ---------------------------------------------------------------------------------------------

/// The Pine pipeline after validation: `out13` is 13 × n, `detail` rows 54 × n.
pub(crate) fn run_pine(
    close: &[f64],
    params: &Params,
    lens: &[[usize; LENGTHS_PER_FAMILY]; FAMILY_COUNT],
    out13: &mut [f64],
    mut detail: Option<Detail<'_>>,
    ws: &mut Workspace,
) {
    let n = close.len();
    let cutout = params.cutout;
    let d = params.decay_multiplier();
    ws.reserve(n, n);
    let family_mas = &mut ws.mas[..LENGTHS_PER_FAMILY * n];
    let (num, rest) = ws.pass.split_at_mut(n);
    let (den, _) = rest.split_at_mut(n);
    let inner = &mut ws.col[..n];
    let r = &mut ws.r[..n];
    scaled_returns(close, params.lambda(), cutout, r);
    for f in 0..FAMILY_COUNT {
        num.fill(0.0);
        den.fill(0.0);
        match detail.as_mut() {
            Some((mas, sigs, eqs)) => {
                for (k, &len) in lens[f].iter().enumerate() {
                    let row =
                        (f * LENGTHS_PER_FAMILY + k) * n..(f * LENGTHS_PER_FAMILY + k + 1) * n;
                    let ma = &mut mas[row.clone()];
                    moving_average(f, close, len, ma, inner);
                    let (sig, eq) = (&mut sigs[row.clone()], &mut eqs[row]);
                    accumulate_ma(close, ma, r, d, cutout, num, den, sig, eq);
                }
            }
            None => {
                for (k, &len) in lens[f].iter().enumerate() {
                    moving_average(f, close, len, &mut family_mas[k * n..(k + 1) * n], inner);
                }
                accumulate_family(close, family_mas, r, d, cutout, num, den);
            }
        }
        // Layer 1 (`Signal(...)`): na before the cutout, where the script's equities are na
        let (l1_rows, l2_rows) = out13.split_at_mut(6 * n);
        let layer1 = &mut l1_rows[f * n..(f + 1) * n];
        fill_nan(&mut layer1[..cutout.min(n)]);
        for i in cutout..n {
            let q = num[i] / den[i];
            layer1[i] = if q.is_nan() {
                f64::NAN
            } else {
                round2_half_away(q)
            };
        }
        let layer2 = &mut l2_rows[f * n..(f + 1) * n];
        layer2_equity(r, layer1, params.weights[f], d, cutout, layer2);
    }
    // Average_Signal: Σ Cut(L1_f)·S_f / Σ S_f, left to right
    let (rows, avg) = out13.split_at_mut(12 * n);
    for i in 0..n {
        let mut nom = cut(rows[i]) * rows[6 * n + i];
        let mut sum = rows[6 * n + i];
        for f in 1..FAMILY_COUNT {
            let s = rows[(6 + f) * n + i];
            nom += cut(rows[f * n + i]) * s;
            sum += s;
        }
        avg[i] = nom / sum;
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
