//! Multi-series kernels: several equity curves, or several KAMA lengths, in one call
//! (bit-identical to one single-series call per row; the bodies are in `hot/multi.rs`).

use crate::error::{check_len, KResult, KernelError};

/// The checks shared by both equity layouts: `signals` and `out` hold `k·n` values
/// (`k = starting.len()`, `n = returns.len()`), starting equities and `d` are finite.
fn check_curves(
    returns: &[f64],
    signals_len: usize,
    starting: &[f64],
    d: f64,
    out_len: usize,
) -> KResult {
    let kn = starting
        .len()
        .checked_mul(returns.len())
        .ok_or(KernelError::Overflow { what: "k·n" })?;
    check_len("signals", kn, signals_len)?;
    check_len("out", kn, out_len)?;
    if starting.iter().any(|s| !s.is_finite()) {
        return Err(KernelError::InvalidParameter {
            what: "startingEquity",
            requirement: "must be finite",
        });
    }
    if !d.is_finite() {
        return Err(KernelError::InvalidParameter {
            what: "decayMultiplier",
            requirement: "must be finite",
        });
    }
    Ok(())
}

fn check_equity_curves(
    returns: &[f64],
    signals: &[f64],
    starting: &[f64],
    d: f64,
    out: &[f64],
) -> KResult {
    check_curves(returns, signals.len(), starting, d, out.len())
}

twins! {
    /// `k` equity curves over the same returns at once: row `j` of `out` (row-major `k × n`,
    /// `k = starting.len()`, `n = returns.len()`) is
    /// `equity_curve(returns, signals[j], starting[j], d, 0, out[j])` bit for bit, where
    /// `signals` is row-major `k × n` (unshifted signals, as for [`equity_curve`]).
    ///
    /// The curves advance together (bars outer, curves inner, on small transposed stack blocks),
    /// so their recurrences overlap instead of each waiting on its own latency. No allocation.
    ///
    /// [`equity_curve`]: crate::equity_curve
    pub fn equity_curves / equity_curves_avx2(returns: &[f64], signals: &[f64], starting: &[f64], d: f64, out: &mut [f64]) isa => {
        check_equity_curves(returns, signals, starting, d, out)?;
        isa::equity_curves_run(returns, signals, starting, d, out);
        Ok(())
    }
}

fn check_kama_multi(x: &[f64], lengths: &[usize], out: &[f64]) -> KResult {
    let kn = lengths
        .len()
        .checked_mul(x.len())
        .ok_or(KernelError::Overflow { what: "k·n" })?;
    check_len("out", kn, out.len())?;
    if lengths.contains(&0) {
        return Err(KernelError::LengthTooSmall {
            what: "KAMA",
            length: 0,
        });
    }
    Ok(())
}

twins! {
    /// Several KAMA lengths of one series at once: row `j` of `out` (row-major `k × n`,
    /// `k = lengths.len()`) is `kama(x, lengths[j], out[j])` bit for bit. Lengths may exceed the
    /// series (such rows stay flat at `x[0]`, like [`kama`]). No allocation.
    ///
    /// [`kama`]: crate::kama
    pub fn kama_multi / kama_multi_avx2(x: &[f64], lengths: &[usize], out: &mut [f64]) isa => {
        check_kama_multi(x, lengths, out)?;
        isa::kama_multi_run(x, lengths, out);
        Ok(())
    }
}

fn check_kama_bar_major(x: &[f64], lengths: &[usize; 9], out: &[f64], scratch: &[f64]) -> KResult {
    let n = x.len();
    check_len("out", 9 * n, out.len())?;
    check_len("scratch", 2 * n, scratch.len())?;
    for &length in lengths {
        if length == 0 {
            return Err(KernelError::LengthTooSmall {
                what: "KAMA",
                length: 0,
            });
        }
        if length > n {
            return Err(KernelError::SeriesTooShort {
                what: "KAMA",
                length,
                n,
            });
        }
    }
    Ok(())
}

twins! {
    /// The nine KAMA lengths of one robustness set at once, **bar-major**: `out[9·i + j]` is
    /// `kama(x, lengths[j])[i]` bit for bit (every length in `1..=n`). This is the layout the
    /// fused pipeline uses: the nine recurrences advance in lock-step as SIMD lanes and each bar's
    /// nine values are stored together, so there is no transpose (compare [`kama_multi`], whose
    /// row-major output costs a strided store per value). `scratch` holds `2·n` values. No
    /// allocation.
    pub fn kama_bar_major / kama_bar_major_avx2(x: &[f64], lengths: &[usize; 9], out: &mut [f64], scratch: &mut [f64]) isa => {
        check_kama_bar_major(x, lengths, out, scratch)?;
        let (ad, col) = scratch.split_at_mut(x.len());
        crate::ma::abs_diffs(x, ad);
        isa::kama_family(x, ad, lengths, out, col);
        Ok(())
    }
}

// always inlined, so its signal scan is compiled with the caller's AVX2 features
#[inline(always)]
fn check_equity_bar_major(
    returns: &[f64],
    signals: &[i8],
    starting: &[f64],
    d: f64,
    out: &[f64],
) -> KResult {
    check_curves(returns, signals.len(), starting, d, out.len())?;
    // branch-free scan (vectorises): any value outside {−1, 0, 1}?
    if signals
        .iter()
        .fold(false, |bad, &s| bad | !(-1..=1).contains(&s))
    {
        return Err(KernelError::InvalidParameter {
            what: "signals",
            requirement: "each must be -1, 0 or 1",
        });
    }
    Ok(())
}

twins! {
    /// `k` equity curves over the same returns, **bar-major**: with `k = starting.len()`,
    /// `signals[i·k + j]` ∈ {−1, 0, 1} is curve j's signal at bar i (the position taken at bar
    /// i + 1; any other value is an `InvalidParameter` error) and `out[i·k + j]` receives curve
    /// j's equity at bar i — bit for bit
    /// `equity_curve(returns, column j of signals as f64, starting[j], d, 0, …)[i]`.
    ///
    /// This is the layout in which many curves run at memory speed: one bar's k values are
    /// contiguous, so the k recurrences advance as plain SIMD lanes with no transposes (compare
    /// [`equity_curves`], row-major). No allocation.
    pub fn equity_curves_bar_major / equity_curves_bar_major_avx2(returns: &[f64], signals: &[i8], starting: &[f64], d: f64, out: &mut [f64]) isa => {
        check_equity_bar_major(returns, signals, starting, d, out)?;
        isa::equity_bar_major_run(returns, signals, starting, d, out);
        Ok(())
    }
}
