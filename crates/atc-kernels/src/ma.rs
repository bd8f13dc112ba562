//! Moving averages (docs/kernels.md, "Moving averages").
//!
//! Every MA is written once, as a scalar *stepper*: `init` writes the warm-up slots (NaN) and
//! the first valid value(s) and returns the state plus the next index to compute; `step(x, i)`
//! advances the running sums by one bar and returns the value at `i`. The single-series
//! kernels at the bottom of this file run one stepper to the end.
//!
//! The fused pipeline uses the steppers for each MA's warm-up and up to the family's common
//! start (`catch_up9`); from there `isa/family_mas.rs` advances the nine MAs of a family as
//! SIMD lanes that repeat each `step`'s operations in the same order (same bits, proven by
//! tests/pipeline.rs against these kernels). The lane code reads the steppers' `pub(crate)`
//! state fields, which is why they are visible crate-wide.
#![allow(clippy::needless_range_loop)] // index loops are deliberate (vectorisation, same op order)

use alloc::vec::Vec;

use crate::error::{check_len, KResult, KernelError};
use crate::math::{isqrt, pairwise_sum};

/// The moving-average kinds, numbered as in the Node-API `movingAverage(kind, …)` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MaKind {
    /// Simple MA (0).
    Sma = 0,
    /// SMA-seeded EMA (1).
    Ema = 1,
    /// Linearly weighted MA (2).
    Wma = 2,
    /// True Hull MA (3).
    Hma = 3,
    /// pandas_ta DEMA (4).
    Dema = 4,
    /// pandas_ta linreg (5).
    Lsma = 5,
    /// ATC KAMA (6).
    Kama = 6,
}

impl MaKind {
    /// `0..=6` → kind, anything else `None`.
    pub fn from_index(i: u32) -> Option<MaKind> {
        Some(match i {
            0 => MaKind::Sma,
            1 => MaKind::Ema,
            2 => MaKind::Wma,
            3 => MaKind::Hma,
            4 => MaKind::Dema,
            5 => MaKind::Lsma,
            6 => MaKind::Kama,
            _ => return None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Steppers
// ---------------------------------------------------------------------------------------------

/// One running moving average.
pub(crate) trait Stepper: Copy {
    /// Value at bar `i`, advancing the state. Called for consecutive `i` starting at the index
    /// returned by the constructor.
    fn step(&mut self, x: &[f64], i: usize) -> f64;
}

/// Run one stepper to the end of the series.
#[inline]
pub(crate) fn run<S: Stepper>(mut st: S, x: &[f64], from: usize, out: &mut [f64]) {
    let n = out.len();
    for i in from..n {
        out[i] = st.step(x, i);
    }
}

/// Advance each of nine steppers individually (its warm-up done, next index `from[k]`) up to
/// the common start `max(max(from), min_start)`, capped at `n`, writing bar-major
/// `outs[i·9 + k]`; returns that common start, from which the caller's lock-step lanes take over.
#[inline(always)]
pub(crate) fn catch_up9<S: Stepper>(
    st: &mut [S; 9],
    from: [usize; 9],
    min_start: usize,
    x: &[f64],
    outs: &mut [f64],
    n: usize,
) -> usize {
    let mut common = min_start;
    for &f in from.iter() {
        if f > common {
            common = f;
        }
    }
    let common = common.min(n);
    for k in 0..9 {
        for i in from[k]..common {
            outs[i * 9 + k] = st[k].step(x, i);
        }
    }
    common
}

#[inline]
pub(crate) fn fill_nan(out: &mut [f64]) {
    for v in out.iter_mut() {
        *v = f64::NAN;
    }
}

// ---------------------------------------------------------------------------------------------
// SMA
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) struct SmaState {
    pub(crate) s: f64,
    pub(crate) lf: f64,
    pub(crate) len: usize,
}

impl SmaState {
    /// Requires `1 ≤ len ≤ n`.
    pub(crate) fn init(x: &[f64], len: usize, out: &mut [f64]) -> (Self, usize) {
        let mut s = 0.0;
        for &v in &x[..len] {
            s += v;
        }
        let lf = len as f64;
        fill_nan(&mut out[..len - 1]);
        out[len - 1] = s / lf;
        (SmaState { s, lf, len }, len)
    }
}

impl Stepper for SmaState {
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize) -> f64 {
        self.s = (self.s + x[i]) - x[i - self.len];
        self.s / self.lf
    }
}

// ---------------------------------------------------------------------------------------------
// EMA
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) struct EmaCoef {
    pub(crate) alpha: f64,
    pub(crate) w: f64,
    pub(crate) den: f64,
    pub(crate) den_is_one: bool,
}

impl EmaCoef {
    pub(crate) fn new(len: usize) -> Self {
        let alpha = 2.0 / (len as f64 + 1.0);
        let w = 1.0 - alpha;
        let den = w + alpha;
        EmaCoef {
            alpha,
            w,
            den,
            den_is_one: den == 1.0,
        }
    }

    /// One EMA update: keep `e` when it equals the input (reference rule).
    #[inline(always)]
    pub(crate) fn update(&self, e: f64, v: f64) -> f64 {
        if e != v {
            let t = self.w * e + self.alpha * v;
            if self.den_is_one {
                t
            } else {
                t / self.den
            }
        } else {
            e
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct EmaState {
    pub(crate) e: f64,
    pub(crate) c: EmaCoef,
}

impl EmaState {
    /// Requires `1 ≤ len ≤ n`.
    pub(crate) fn init(x: &[f64], len: usize, out: &mut [f64]) -> (Self, usize) {
        let e = pairwise_sum(&x[..len]) / len as f64;
        fill_nan(&mut out[..len - 1]);
        out[len - 1] = e;
        (
            EmaState {
                e,
                c: EmaCoef::new(len),
            },
            len,
        )
    }
}

impl Stepper for EmaState {
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize) -> f64 {
        self.e = self.c.update(self.e, x[i]);
        self.e
    }
}

// ---------------------------------------------------------------------------------------------
// DEMA
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) struct DemaState {
    pub(crate) e1: f64,
    pub(crate) e2: f64,
    pub(crate) c: EmaCoef,
}

impl DemaState {
    /// Requires `1 ≤ len ≤ n`.
    pub(crate) fn init(x: &[f64], len: usize, out: &mut [f64]) -> (Self, usize) {
        let e1 = pairwise_sum(&x[..len]) / len as f64;
        let e2 = e1; // inner EMA seeded with E1[L-1]
        fill_nan(&mut out[..len - 1]);
        out[len - 1] = 2.0 * e1 - e2;
        (
            DemaState {
                e1,
                e2,
                c: EmaCoef::new(len),
            },
            len,
        )
    }
}

impl Stepper for DemaState {
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize) -> f64 {
        self.e1 = self.c.update(self.e1, x[i]);
        self.e2 = self.c.update(self.e2, self.e1);
        2.0 * self.e1 - self.e2
    }
}

// ---------------------------------------------------------------------------------------------
// WMA (also the running sums of LSMA and the three WMAs of HMA)
// ---------------------------------------------------------------------------------------------

/// Running `S = Σ y`, `W = Σ (j+1)·y_j` over a window of `len` values.
#[derive(Clone, Copy)]
pub(crate) struct WmaSums {
    pub(crate) s: f64,
    pub(crate) w: f64,
    pub(crate) lf: f64,
    pub(crate) len: usize,
}

impl WmaSums {
    /// Sums over `x[start .. start+len]`, sequential from 0.0. Requires `start + len ≤ x.len()`.
    #[inline]
    pub(crate) fn seed(x: &[f64], start: usize, len: usize) -> Self {
        let mut s = 0.0;
        let mut w = 0.0;
        for (j, &v) in x[start..start + len].iter().enumerate() {
            s += v;
            w += (j + 1) as f64 * v;
        }
        WmaSums {
            s,
            w,
            lf: len as f64,
            len,
        }
    }

    /// Slide the window to end at `i` (requires `i ≥ start + len`).
    #[inline(always)]
    pub(crate) fn advance(&mut self, x: &[f64], i: usize) {
        let v = x[i];
        self.w = (self.w + self.lf * v) - self.s;
        self.s = (self.s + v) - x[i - self.len];
    }
}

#[inline]
fn wma_divisor(len: usize) -> f64 {
    // L(L+1)/2 computed in f64 (exact for every length below 2^26).
    let lf = len as f64;
    lf * (lf + 1.0) / 2.0
}

#[derive(Clone, Copy)]
pub(crate) struct WmaState {
    pub(crate) sums: WmaSums,
    pub(crate) d: f64,
}

impl WmaState {
    /// WMA of `x` whose first window is `x[start .. start+len]`; writes NaN to
    /// `out[..start+len-1]` and the first value at `start+len-1`. Requires
    /// `start + len ≤ x.len() == out.len()`.
    pub(crate) fn init_at(x: &[f64], start: usize, len: usize, out: &mut [f64]) -> (Self, usize) {
        let sums = WmaSums::seed(x, start, len);
        let d = wma_divisor(len);
        let first = start + len - 1;
        fill_nan(&mut out[..first]);
        out[first] = sums.w / d;
        (WmaState { sums, d }, first + 1)
    }

    /// An inert state (never stepped); used only to fill arrays on impossible branches.
    pub(crate) fn dummy() -> Self {
        WmaState {
            sums: WmaSums {
                s: 0.0,
                w: 0.0,
                lf: 1.0,
                len: 1,
            },
            d: 1.0,
        }
    }

    /// Value of the first window without touching an output.
    #[inline]
    fn seed_value(x: &[f64], start: usize, len: usize) -> (Self, f64) {
        let sums = WmaSums::seed(x, start, len);
        let d = wma_divisor(len);
        let v = sums.w / d;
        (WmaState { sums, d }, v)
    }
}

impl Stepper for WmaState {
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize) -> f64 {
        self.sums.advance(x, i);
        self.sums.w / self.d
    }
}

// ---------------------------------------------------------------------------------------------
// LSMA (pandas_ta linreg, fitted value one bar before the newest)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) struct LsmaState {
    pub(crate) sums: WmaSums,
    pub(crate) sx: f64,
    pub(crate) sxx: f64,
    pub(crate) d: f64,
    pub(crate) lm1: f64,
}

impl LsmaState {
    #[inline(always)]
    fn value(&self) -> f64 {
        let s = self.sums.s;
        let w = self.sums.w;
        let lf = self.sums.lf;
        let m = (lf * w - self.sx * s) / self.d;
        let b = (s * self.sxx - self.sx * w) / self.d;
        m * self.lm1 + b
    }

    /// Requires `1 ≤ len ≤ n`. Fitted value at x = L−1 (pandas_ta).
    pub(crate) fn init(x: &[f64], len: usize, out: &mut [f64]) -> (Self, usize) {
        Self::init_at(x, len, len as f64 - 1.0, out)
    }

    /// The least-squares line over each window (x = 1..L, oldest first) evaluated at x = `at`:
    /// L−1 for pandas_ta's `linreg`, L for Pine's `ta.linreg` (TypeScript `linregAt`).
    /// Requires `1 ≤ len ≤ n`.
    pub(crate) fn init_at(x: &[f64], len: usize, at: f64, out: &mut [f64]) -> (Self, usize) {
        let sums = WmaSums::seed(x, 0, len);
        let lf = len as f64;
        let sx = lf * (lf + 1.0) / 2.0;
        let sxx = sx * (2.0 * lf + 1.0) / 3.0;
        let d = lf * sxx - sx * sx;
        let st = LsmaState {
            sums,
            sx,
            sxx,
            d,
            lm1: at,
        };
        fill_nan(&mut out[..len - 1]);
        out[len - 1] = st.value();
        (st, len)
    }
}

impl Stepper for LsmaState {
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize) -> f64 {
        self.sums.advance(x, i);
        self.value()
    }
}

// ---------------------------------------------------------------------------------------------
// HMA: stage 1 = diff = 2·WMA(x,⌊L/2⌋) − WMA(x,L) (i ≥ L−1), stage 2 = WMA(diff, ⌊√L⌋)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) struct HmaDiffState {
    pub(crate) half: WmaState,
    pub(crate) full: WmaState,
}

impl HmaDiffState {
    /// Writes NaN to `diff[..L-1]` and `diff[L-1]`. Requires `2 ≤ len ≤ n`.
    pub(crate) fn init(x: &[f64], len: usize, diff: &mut [f64]) -> (Self, usize) {
        let h = len / 2;
        let (mut half, mut vh) = WmaState::seed_value(x, 0, h);
        for i in h..len {
            vh = half.step(x, i);
        }
        let (full, vf) = WmaState::seed_value(x, 0, len);
        fill_nan(&mut diff[..len - 1]);
        diff[len - 1] = 2.0 * vh - vf;
        (HmaDiffState { half, full }, len)
    }
}

impl Stepper for HmaDiffState {
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize) -> f64 {
        let a = self.half.step(x, i);
        let b = self.full.step(x, i);
        2.0 * a - b
    }
}

/// Stage 2 of the HMA: `out = WMA(diff[L−1..], s)` written at offset `L−1`; all NaN when the
/// diff series is shorter than `s`. Returns the stepper (if any) and its next index.
pub(crate) fn hma_stage2_init(
    diff: &[f64],
    len: usize,
    out: &mut [f64],
) -> Option<(WmaState, usize)> {
    let n = diff.len();
    let s = isqrt(len);
    let start = len - 1;
    if n - start < s {
        fill_nan(out);
        return None;
    }
    Some(WmaState::init_at(diff, start, s, out))
}

// ---------------------------------------------------------------------------------------------
// KAMA (ATC variant)
// ---------------------------------------------------------------------------------------------

pub(crate) const KAMA_FAST: f64 = 0.666;
pub(crate) const KAMA_SLOW: f64 = 0.064;

/// Where KAMA reads the absolute difference `|x[j] − x[j−1]|` (`j ≥ 1`): computed on the spot
/// ([`OnTheFly`], the single kernel) or from a precomputed series (`&[f64]` with
/// `ad[j] = |x[j] − x[j−1]|`, shared by the pipeline's nine lengths). Same value either way.
pub(crate) trait AbsDiff: Copy {
    /// `|x[j] − x[j−1]|`.
    fn at(self, x: &[f64], j: usize) -> f64;
}

/// [`AbsDiff`] computed from the series on every call.
#[derive(Clone, Copy)]
pub(crate) struct OnTheFly;

impl AbsDiff for OnTheFly {
    #[inline(always)]
    fn at(self, x: &[f64], j: usize) -> f64 {
        (x[j] - x[j - 1]).abs()
    }
}

impl AbsDiff for &[f64] {
    #[inline(always)]
    fn at(self, _x: &[f64], j: usize) -> f64 {
        self[j]
    }
}

/// The one scalar KAMA recurrence (the pipeline's nine-lane bank repeats its operations per
/// lane after this stepper's warm-up).
#[derive(Clone, Copy)]
pub(crate) struct KamaState<D: AbsDiff> {
    pub(crate) k: f64,
    pub(crate) noise: f64,
    pub(crate) len: usize,
    pub(crate) span: f64,
    ad: D,
}

impl<D: AbsDiff> KamaState<D> {
    /// Writes `x[0]` to `out[..min(L, n)]` and, when `n > L`, seeds the running noise
    /// `Σ_{j=1..L} |x[j] − x[j−1]|`. Requires `len ≥ 1`, `n ≥ 1`.
    pub(crate) fn init(x: &[f64], ad: D, len: usize, out: &mut [f64]) -> (Self, usize) {
        let n = x.len();
        let x0 = x[0];
        let flat = if len < n { len } else { n };
        for v in out[..flat].iter_mut() {
            *v = x0;
        }
        let mut noise = 0.0;
        if n > len {
            for j in 1..=len {
                noise += ad.at(x, j);
            }
        }
        // The first step (i = L) uses this window sum as is; later steps slide it.
        (
            KamaState {
                k: x0,
                noise,
                len,
                span: KAMA_FAST - KAMA_SLOW,
                ad,
            },
            flat.max(len),
        )
    }
}

impl<D: AbsDiff> Stepper for KamaState<D> {
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize) -> f64 {
        if i > self.len {
            self.noise = (self.noise + self.ad.at(x, i)) - self.ad.at(x, i - self.len);
        }
        let xi = x[i];
        let sig = (xi - x[i - self.len]).abs();
        let ratio = if self.noise == 0.0 {
            0.0
        } else {
            sig / self.noise
        };
        let t = ratio * self.span + KAMA_SLOW;
        let sc = t * t;
        self.k = self.k + sc * (xi - self.k);
        self.k
    }
}

/// `ad[0] = 0`, `ad[j] = |x[j] − x[j−1]|` (the [`AbsDiff`] series the KAMA family shares).
/// `ad.len() == x.len()`.
#[inline(always)]
pub(crate) fn abs_diffs(x: &[f64], ad: &mut [f64]) {
    if x.is_empty() {
        return;
    }
    ad[0] = 0.0;
    for j in 1..x.len() {
        ad[j] = OnTheFly.at(x, j);
    }
}

// ---------------------------------------------------------------------------------------------
// Public single-series kernels
// ---------------------------------------------------------------------------------------------

fn check_ma(what: &'static str, x: &[f64], len: usize, out: &[f64]) -> KResult {
    check_len("out", x.len(), out.len())?;
    if len < 1 {
        return Err(KernelError::LengthTooSmall { what, length: 0 });
    }
    if x.len() < len {
        return Err(KernelError::SeriesTooShort {
            what,
            length: len,
            n: x.len(),
        });
    }
    Ok(())
}

/// A single MA by its stepper: validation, warm-up (`init` returns the state and the first
/// index still to step), then one step per remaining bar. Always inlined: as an out-of-line
/// generic it measurably slowed the WMA loop (1.23 → 1.61 ns/bar).
#[inline(always)]
fn stepped<S: Stepper>(
    what: &'static str,
    x: &[f64],
    length: usize,
    out: &mut [f64],
    init: impl FnOnce(&[f64], usize, &mut [f64]) -> (S, usize),
) -> KResult {
    check_ma(what, x, length, out)?;
    let (st, from) = init(x, length, out);
    run(st, x, from, out);
    Ok(())
}

/// Simple moving average. `out.len() == x.len()`, `1 ≤ length ≤ n`.
pub fn sma(x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    stepped("SMA", x, length, out, SmaState::init)
}

/// SMA-seeded EMA (pandas_ta), first value at `length − 1`.
pub fn ema(x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    stepped("EMA", x, length, out, EmaState::init)
}

/// Linearly weighted MA (newest heaviest), first value at `length − 1`.
pub fn wma(x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    stepped("WMA", x, length, out, |x, l, o| {
        WmaState::init_at(x, 0, l, o)
    })
}

/// pandas_ta DEMA (`2·E1 − E2`, inner EMA seeded with `E1[L−1]`), first value at `length − 1`.
pub fn dema(x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    stepped("DEMA", x, length, out, DemaState::init)
}

/// pandas_ta `linreg` (fitted value at x = L−1), first value at `length − 1`.
pub fn lsma(x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    stepped("LSMA", x, length, out, LsmaState::init)
}

/// True Hull MA with a caller-provided scratch buffer (resized to `n` if shorter; no
/// allocation once it is large enough). First value at `L − 2 + ⌊√L⌋`.
pub fn hma_with_scratch(
    x: &[f64],
    length: usize,
    out: &mut [f64],
    scratch: &mut Vec<f64>,
) -> KResult {
    check_ma("HMA", x, length, out)?;
    if length < 2 {
        return Err(KernelError::HmaLengthTooSmall { length });
    }
    let n = x.len();
    if scratch.len() < n {
        scratch.resize(n, 0.0);
    }
    let diff = &mut scratch[..n];
    let (st, from) = HmaDiffState::init(x, length, diff);
    run(st, x, from, diff);
    if let Some((st2, from2)) = hma_stage2_init(diff, length, out) {
        run(st2, diff, from2, out);
    }
    Ok(())
}

/// True Hull MA `WMA(2·WMA(x,⌊L/2⌋) − WMA(x,L), ⌊√L⌋)`; allocates an `n`-long scratch (use
/// [`hma_with_scratch`] to avoid that). Requires `2 ≤ length ≤ n`.
pub fn hma(x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    let mut scratch = Vec::new();
    hma_with_scratch(x, length, out, &mut scratch)
}

/// ATC KAMA (fast 0.666, slow 0.064), defined from bar 0. `length ≥ 1`; the series may be
/// shorter than `length` (it then stays flat at `x[0]`). Empty input gives empty output.
pub fn kama(x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    check_len("out", x.len(), out.len())?;
    if length < 1 {
        return Err(KernelError::LengthTooSmall {
            what: "KAMA",
            length: 0,
        });
    }
    if x.is_empty() {
        return Ok(());
    }
    let (st, from) = KamaState::init(x, OnTheFly, length, out);
    run(st, x, from, out);
    Ok(())
}

/// Any MA by kind. HMA allocates its scratch; see [`hma_with_scratch`].
pub fn moving_average(kind: MaKind, x: &[f64], length: usize, out: &mut [f64]) -> KResult {
    match kind {
        MaKind::Sma => sma(x, length, out),
        MaKind::Ema => ema(x, length, out),
        MaKind::Wma => wma(x, length, out),
        MaKind::Hma => hma(x, length, out),
        MaKind::Dema => dema(x, length, out),
        MaKind::Lsma => lsma(x, length, out),
        MaKind::Kama => kama(x, length, out),
    }
}
