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

/// `E < 0.25 → 0.25` (NaN stays NaN).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
pub(crate) fn floor_equity(e: f64) -> f64 {
    // x86 compiles this select to one `maxsd` (whose operand order gives exactly this rule).
    if e < EQUITY_FLOOR {
        EQUITY_FLOOR
    } else {
        e
    }
}

/// `E < 0.25 → 0.25` (NaN stays NaN), as `f64x2.pmax(E, 0.25)`: pmax is defined as
/// `a < b ? b : a`, this rule exactly (NaN, ±0 included). V8 turns a scalar f64 select into a
/// branch, which a curve wandering around the floor mispredicts (the equity kernel on a
/// 10⁶-bar walk ran 4.5× native); pmax is one branch-free instruction.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub(crate) fn floor_equity(e: f64) -> f64 {
    use core::arch::wasm32::{f64x2_extract_lane, f64x2_pmax, f64x2_splat};
    f64x2_extract_lane::<0>(f64x2_pmax(f64x2_splat(e), f64x2_splat(EQUITY_FLOOR)))
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
    // Bar i holds the position of signal[i − 1]: the lagged slices, in blocks.
    let held = signal[cutout..n - 1].chunks(EQUITY_BLOCK);
    let rets = returns[cutout + 1..].chunks(EQUITY_BLOCK);
    let mut floored_blocks_left = 0;
    for ((o, q), r) in out[cutout + 1..]
        .chunks_mut(EQUITY_BLOCK)
        .zip(held)
        .zip(rets)
    {
        if floored_blocks_left == 0 {
            if let Some(last) = equity_block_unfloored(e, decay_multiplier, q, r, o) {
                e = last;
                continue;
            }
        } else {
            floored_blocks_left -= 1;
        }
        let (last, floor_acted) = equity_block_floored(e, decay_multiplier, q, r, o);
        e = last;
        if floor_acted {
            floored_blocks_left = EQUITY_FLOORED_RUN;
        }
    }
    Ok(())
}

// The equity recurrence `E = floor((E·d)·f)` is latency-bound: each bar waits for the previous
// one. The floor's test is a third dependent operation per bar, so blocks of bars first run
// without it (two dependent multiplications per bar), noting whether any bar fell below 0.25,
// and run again with the floor only if one did. Either way the outputs are the floored
// recurrence's: when no bar falls below 0.25 the floor never acts. Once the floor acts (an
// equity at the floor tends to stay near it) the next blocks run with the floor directly, so a
// curve that lives at the floor does not pay for failed attempts. Measured on a 1 %-vol walk
// (Rust alone, CPU ns/bar, 10⁴ / 10⁶ bars, the 10⁶ curve is at the floor 40 % of the time):
// one floored loop 2.05 / 2.64, these blocks 1.83 / 2.35.

/// Bars per block of [`equity_curve`]'s loop.
const EQUITY_BLOCK: usize = 16;
/// Blocks run with the floor after one where the floor acted.
const EQUITY_FLOORED_RUN: u32 = 8;

/// `1 + a` of a bar: the position `q`'s sign times the return `r` (NaN → 0), exactly as
/// [`position_factor`].
#[inline(always)]
fn bar_factor(q: f64, r: f64) -> f64 {
    position_factor(q, if r.is_nan() { 0.0 } else { r })
}

/// A block without the floor: its last equity, or `None` (outputs to be overwritten) when some
/// bar fell below 0.25.
#[inline(always)]
fn equity_block_unfloored(e: f64, d: f64, q: &[f64], r: &[f64], out: &mut [f64]) -> Option<f64> {
    let mut x = e;
    let mut low = false;
    for ((o, &q), &r) in out.iter_mut().zip(q).zip(r) {
        x = (x * d) * bar_factor(q, r);
        low |= x < EQUITY_FLOOR;
        *o = x;
    }
    if low {
        None
    } else {
        Some(x)
    }
}

/// A block with the floor: its last equity and whether the floor acted.
#[inline(always)]
fn equity_block_floored(e: f64, d: f64, q: &[f64], r: &[f64], out: &mut [f64]) -> (f64, bool) {
    let mut x = e;
    let mut low = false;
    for ((o, &q), &r) in out.iter_mut().zip(q).zip(r) {
        let next = (x * d) * bar_factor(q, r);
        low |= next < EQUITY_FLOOR;
        x = floor_equity(next);
        *o = x;
    }
    (x, low)
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// docs/kernels.md's equity recurrence, bar by bar (the spec's loop, no blocks).
    fn equity_scalar(r: &[f64], s: &[f64], start: f64, d: f64, cutout: usize) -> Vec<f64> {
        let mut out = alloc::vec![f64::NAN; r.len()];
        let mut e = floor_equity(start);
        out[cutout] = e;
        for i in cutout + 1..r.len() {
            let q = s[i - 1];
            let a = if r[i].is_nan() || q.is_nan() || q == 0.0 {
                0.0
            } else if q > 0.0 {
                r[i]
            } else {
                -r[i]
            };
            e = floor_equity((e * d) * (1.0 + a));
            out[i] = e;
        }
        out
    }

    #[test]
    fn blocks_equal_the_bar_by_bar_recurrence() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut uniform = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        // Returns that drift the equity down to the floor and back up, with specials sprinkled in.
        for (n, drift, cutout) in [
            (1usize, 0.0, 0usize),
            (7, 0.0, 3),
            (64, 0.01, 0),
            (65, -0.01, 1),
            (1000, -0.02, 0),
            (5000, 0.0, 17),
            (5000, 0.03, 0),
        ] {
            let r: Vec<f64> = (0..n)
                .map(|i| match (uniform() * 400.0) as u32 {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    2 => f64::NEG_INFINITY,
                    3 => -1.0,
                    _ => {
                        drift * if (i / 300) % 2 == 0 { 1.0 } else { -1.0 }
                            + (uniform() - 0.5) * 0.04
                    }
                })
                .collect();
            let s: Vec<f64> = (0..n)
                .map(|_| [1.0, -1.0, 0.0, 0.3, -0.5, f64::NAN][(uniform() * 6.0) as usize])
                .collect();
            for (start, d) in [(1.0, 0.9997), (0.1, 0.97), (3.0, 1.0)] {
                let mut out = alloc::vec![0.0; n];
                equity_curve(&r, &s, start, d, cutout, &mut out).unwrap();
                let expected = equity_scalar(&r, &s, start, d, cutout);
                for i in 0..n {
                    assert_eq!(
                        out[i].to_bits(),
                        expected[i].to_bits(),
                        "n {n} bar {i}: {} vs {}",
                        out[i],
                        expected[i]
                    );
                }
            }
        }
    }
}
