//! Returns, growth, equity curves, Layer 1 and the Average signal
//! (docs/kernels.md, "Returns, growth, equity" and "Layer 1, Layer 2, Average").

use crate::error::{check_len, KResult, KernelError};
use crate::math::{exp, round2};

/// Equity floor applied after every bar.
pub const EQUITY_FLOOR: f64 = 0.25;

// ---------------------------------------------------------------------------------------------
// Returns and growth
// ---------------------------------------------------------------------------------------------

/// `R[0] = NaN`, `R[i] = p[i]/p[i−1] − 1`. `out.len() == prices.len()`.
pub fn rate_of_change(prices: &[f64], out: &mut [f64]) -> KResult {
    check_len("out", prices.len(), out.len())?;
    if prices.is_empty() {
        return Ok(());
    }
    out[0] = f64::NAN;
    for i in 1..prices.len() {
        out[i] = prices[i] / prices[i - 1] - 1.0;
    }
    Ok(())
}

/// Growth factor of bar `i`: `exp(λ·max(i, 1))` with the crate's fdlibm [`exp`].
#[inline]
pub fn growth_at(lambda: f64, i: usize) -> f64 {
    let b = if i == 0 { 1 } else { i };
    exp(lambda * b as f64)
}

/// `g[i] = exp(λ·max(i,1))` for every slot of `out`. `λ` must be finite.
pub fn growth(lambda: f64, out: &mut [f64]) -> KResult {
    check_lambda(lambda)?;
    for (i, g) in out.iter_mut().enumerate() {
        *g = growth_at(lambda, i);
    }
    Ok(())
}

fn check_lambda(lambda: f64) -> KResult {
    if lambda.is_finite() {
        Ok(())
    } else {
        Err(KernelError::InvalidParameter {
            what: "lambda",
            requirement: "must be finite",
        })
    }
}

/// Scaled returns `r[i] = R[i]·g[i]` with `λ = La/1000` already applied by the caller.
/// `r[0]` is NaN. `out.len() == prices.len()`, `λ` finite.
pub fn scaled_returns(prices: &[f64], lambda: f64, out: &mut [f64]) -> KResult {
    check_len("out", prices.len(), out.len())?;
    check_lambda(lambda)?;
    if prices.is_empty() {
        return Ok(());
    }
    out[0] = f64::NAN; // R[0]·g[0]
    for i in 1..prices.len() {
        let r = prices[i] / prices[i - 1] - 1.0;
        out[i] = r * growth_at(lambda, i);
    }
    Ok(())
}

/// Scaled returns from precomputed growth factors (`g.len() ≥ prices.len()`); same bits as
/// [`scaled_returns`].
#[inline(always)]
pub(crate) fn scaled_returns_with_growth(prices: &[f64], g: &[f64], out: &mut [f64]) {
    let n = prices.len();
    if n == 0 {
        return;
    }
    out[0] = f64::NAN; // R[0]·g[0]
    for i in 1..n {
        let r = prices[i] / prices[i - 1] - 1.0;
        out[i] = r * g[i];
    }
}

// ---------------------------------------------------------------------------------------------
// Equity
// ---------------------------------------------------------------------------------------------

/// One equity bar: `a = 0` if `r` is NaN or the position is flat, `±r` by the position's
/// sign; `E = (E_prev·d)·(1 + a)`, floored at 0.25.
#[inline(always)]
pub(crate) fn equity_step(e_prev: f64, d: f64, long: bool, short: bool, r: f64) -> f64 {
    let a = if r.is_nan() {
        0.0
    } else if long {
        r
    } else if short {
        -r
    } else {
        0.0
    };
    floor_equity((e_prev * d) * (1.0 + a))
}

/// `E < 0.25 → 0.25` (NaN stays NaN).
/// The equity factor of a position held with the sign of `q` (NaN / 0 → flat) over a return
/// `rr` (NaN already mapped to 0): `1 + sign(q)·rr`, exactly `1 + rr`, `1 + −rr` or 1. For an
/// infinite `rr` the product `0·rr` would be NaN, so that case takes the branches.
#[inline(always)]
pub(crate) fn position_factor(q: f64, rr: f64) -> f64 {
    if rr.is_finite() {
        let sq = if q > 0.0 {
            1.0
        } else if q < 0.0 {
            -1.0
        } else {
            0.0
        };
        1.0 + sq * rr
    } else if q > 0.0 {
        1.0 + rr
    } else if q < 0.0 {
        1.0 + -rr
    } else {
        1.0
    }
}

#[inline(always)]
pub(crate) fn floor_equity(e: f64) -> f64 {
    if e < EQUITY_FLOOR {
        EQUITY_FLOOR
    } else {
        e
    }
}

fn check_equity_params(starting_equity: f64, decay_multiplier: f64) -> KResult {
    if !starting_equity.is_finite() {
        return Err(KernelError::InvalidParameter {
            what: "startingEquity",
            requirement: "must be finite",
        });
    }
    if !decay_multiplier.is_finite() {
        return Err(KernelError::InvalidParameter {
            what: "decayMultiplier",
            requirement: "must be finite",
        });
    }
    Ok(())
}

/// Equity curve of an **unshifted** signal (the kernel applies the one-bar lag itself: the
/// position at bar `i` is `signal[i−1]`). `E[i] = NaN` for `i < cutout`, `E[cutout] = S`
/// (floored), then `E[i] = (E[i−1]·d)·(1 + a)` floored at 0.25.
///
/// `returns`, `signal`, `out` have the same length `n`; `cutout < n` (or `n == 0`).
pub fn equity_curve(
    returns: &[f64],
    signal: &[f64],
    starting_equity: f64,
    decay_multiplier: f64,
    cutout: usize,
    out: &mut [f64],
) -> KResult {
    let n = returns.len();
    check_len("signal", n, signal.len())?;
    check_len("out", n, out.len())?;
    check_equity_params(starting_equity, decay_multiplier)?;
    if n == 0 && cutout == 0 {
        return Ok(());
    }
    if cutout >= n {
        return Err(KernelError::CutoutTooLarge { cutout, n });
    }
    for v in out[..cutout].iter_mut() {
        *v = f64::NAN;
    }
    let mut e = floor_equity(starting_equity);
    out[cutout] = e;
    for i in cutout + 1..n {
        let q = signal[i - 1];
        e = equity_step(e, decay_multiplier, q > 0.0, q < 0.0, returns[i]);
        out[i] = e;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Layer 1 and Average
// ---------------------------------------------------------------------------------------------

/// Layer-1 value from the accumulated sums: `round2(num/den)`, NaN if not finite.
#[inline(always)]
pub(crate) fn layer1_value(num: f64, den: f64) -> f64 {
    layer1_round(num / den)
}

/// Layer 1's last step on the quotient `q = num/den`: `round2(q)`, NaN if `q` is not finite.
#[inline(always)]
pub(crate) fn layer1_round(q: f64) -> f64 {
    if q.is_finite() {
        round2(q)
    } else {
        f64::NAN
    }
}

fn rows_of(what: &'static str, len: usize, n: usize) -> KResult<usize> {
    if n == 0 {
        if len == 0 {
            return Ok(0);
        }
        return Err(KernelError::NotRowMajor { what, len, n });
    }
    if len == 0 || !len.is_multiple_of(n) {
        return Err(KernelError::NotRowMajor { what, len, n });
    }
    Ok(len / n)
}

/// Layer 1 over `rows` signals (row-major `rows × n`, `n = out.len()`) and their equities
/// (same shape): `num = Σ s_k·E_k`, `den = Σ E_k` sequential in row order from 0.0,
/// `out = round2(num/den)` (ties to even), NaN when the quotient is not finite.
pub fn layer1_signal(signals: &[i8], equities: &[f64], out: &mut [f64]) -> KResult {
    let n = out.len();
    let rows = rows_of("signals", signals.len(), n)?;
    check_len("equities", signals.len(), equities.len())?;
    for i in 0..n {
        let mut num = 0.0;
        let mut den = 0.0;
        for k in 0..rows {
            let e = equities[k * n + i];
            num += signals[k * n + i] as f64 * e;
            den += e;
        }
        out[i] = layer1_value(num, den);
    }
    Ok(())
}

/// Threshold cut of a Layer-1 value: `> long → 1`, `< short → −1`, else 0 (NaN → 0).
#[inline(always)]
pub(crate) fn cut(l1: f64, long_threshold: f64, short_threshold: f64) -> f64 {
    if l1 > long_threshold {
        1.0
    } else if l1 < short_threshold {
        -1.0
    } else {
        0.0
    }
}

/// `nom/den`, 0 when not finite.
#[inline(always)]
pub(crate) fn average_value(nom: f64, den: f64) -> f64 {
    let a = nom / den;
    if a.is_finite() {
        a
    } else {
        0.0
    }
}

/// Average signal over `rows` families (row-major `rows × n`, `n = out.len()`, families in the
/// order EMA, HMA, WMA, DEMA, LSMA, KAMA for the reference): `nom = Σ c·E2`, `den = Σ E2`
/// sequential from 0.0, `avg = nom/den` (0 if not finite); `strategy_mode` shifts the result
/// right by one bar (bar 0 = 0).
pub fn average_signal(
    layer1: &[f64],
    equities: &[f64],
    long_threshold: f64,
    short_threshold: f64,
    strategy_mode: bool,
    out: &mut [f64],
) -> KResult {
    let n = out.len();
    let rows = rows_of("layer1", layer1.len(), n)?;
    check_len("equities", layer1.len(), equities.len())?;
    for i in 0..n {
        let mut nom = 0.0;
        let mut den = 0.0;
        for k in 0..rows {
            let e = equities[k * n + i];
            nom += cut(layer1[k * n + i], long_threshold, short_threshold) * e;
            den += e;
        }
        out[i] = average_value(nom, den);
    }
    if strategy_mode {
        shift_right(out);
    }
    Ok(())
}

/// `out[i] = out[i−1]`, `out[0] = 0`.
pub(crate) fn shift_right(out: &mut [f64]) {
    let n = out.len();
    if n == 0 {
        return;
    }
    for i in (1..n).rev() {
        out[i] = out[i - 1];
    }
    out[0] = 0.0;
}
