//! The fused ATC pipeline (`compute_atc`): 54 MAs → per-MA signals and equities → Layer 1 →
//! Layer 2 → Average, bit-identical to composing the single kernels (see the tests).
//!
//! Speed comes from data layout and scheduling only — no floating-point operation is changed,
//! reordered or fused:
//! * the nine MAs of a family advance in lock-step as structure-of-arrays lanes (`bank.rs`),
//!   so the compiler packs their arithmetic — notably the divisions — into SIMD instructions
//!   and the nine dependency chains overlap;
//! * the HMA family reuses the WMA family's `WMA(x, L)` values when both use the same lengths
//!   (same operations, hence same bits);
//! * per family, the nine signal state machines, then the nine equity recurrences, advance
//!   together (branch-free), then Layer 1 is formed; Layer 2 of the six families and the
//!   Average run together in one final pass.
//!
//! Memory: the [`Workspace`] holds about 45·n doubles; once it has grown to a series length,
//! further calls of that length or shorter allocate nothing.

use alloc::vec::Vec;

use crate::bank;
use crate::equity::{
    average_value, cut, floor_equity, growth_at, scaled_returns_with_growth, shift_right,
    EQUITY_FLOOR,
};
use crate::error::{check_len, KResult, KernelError};
use crate::ma::{abs_diffs, MaKind, SmaState};
use crate::math::round2;

/// Number of MAs per family.
pub const DIFLEN: usize = 9;
/// Number of families.
pub const FAMILIES: usize = 6;
/// Rows of the main output: 6 Layer-1 signals, 6 Layer-2 equities, Average_Signal.
pub const OUT_ROWS: usize = 13;
/// Rows of each detail output (6 families × 9 lengths).
pub const DETAIL_ROWS: usize = FAMILIES * DIFLEN;

/// Family order used by every row-major output: EMA, HMA, WMA, DEMA, LSMA, KAMA.
pub const FAMILY_KINDS: [MaKind; FAMILIES] = [
    MaKind::Ema,
    MaKind::Hma,
    MaKind::Wma,
    MaKind::Dema,
    MaKind::Lsma,
    MaKind::Kama,
];

const FAMILY_NAMES: [&str; FAMILIES] = ["EMA", "HMA", "WMA", "DEMA", "LSMA", "KAMA"];
const FAMILY_LENGTH_NAMES: [&str; FAMILIES] = [
    "EMA length (after robustness offsets)",
    "HMA length (after robustness offsets)",
    "WMA length (after robustness offsets)",
    "DEMA length (after robustness offsets)",
    "LSMA length (after robustness offsets)",
    "KAMA length (after robustness offsets)",
];

/// Spread of the nine lengths around each base length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Robustness {
    /// Offsets 1, 2, 3, 4.
    Narrow,
    /// Offsets 1, 2, 4, 6 (default).
    #[default]
    Medium,
    /// Offsets 1, 3, 5, 7.
    Wide,
}

impl Robustness {
    /// 0 = Narrow, 1 = Medium, 2 = Wide.
    pub fn from_index(i: u32) -> Option<Robustness> {
        match i {
            0 => Some(Robustness::Narrow),
            1 => Some(Robustness::Medium),
            2 => Some(Robustness::Wide),
            _ => None,
        }
    }

    /// `(o1, o2, o3, o4)`.
    pub fn offsets(self) -> [usize; 4] {
        match self {
            Robustness::Narrow => [1, 2, 3, 4],
            Robustness::Medium => [1, 2, 4, 6],
            Robustness::Wide => [1, 3, 5, 7],
        }
    }
}

/// The nine lengths `[L, L+o1, L+o2, L+o3, L+o4, L−o1, L−o2, L−o3, L−o4]`; every one must be
/// ≥ 1. `what` names the length in the error.
pub fn diflen(base: usize, robustness: Robustness) -> KResult<[usize; DIFLEN]> {
    diflen_named(base, robustness, "length (after robustness offsets)")
}

fn diflen_named(
    base: usize,
    robustness: Robustness,
    what: &'static str,
) -> KResult<[usize; DIFLEN]> {
    let o = robustness.offsets();
    if base <= o[3] {
        return Err(KernelError::LengthTooSmall {
            what,
            length: base as i64 - o[3] as i64,
        });
    }
    let mut out = [base; DIFLEN];
    for j in 0..4 {
        out[1 + j] = base
            .checked_add(o[j])
            .ok_or(KernelError::Overflow { what })?;
        out[5 + j] = base - o[j];
    }
    Ok(out)
}

/// Pipeline configuration (reference names in parentheses).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Base lengths in family order EMA, HMA, WMA, DEMA, LSMA, KAMA
    /// (`ema_len, hull_len, wma_len, dema_len, lsma_len, kama_len`).
    pub lengths: [usize; FAMILIES],
    /// Layer-2 starting equities, same order (`ema_w … kama_w`); finite and > 0.
    pub weights: [f64; FAMILIES],
    /// `robustness`.
    pub robustness: Robustness,
    /// `La` in user units (λ = La/1000); finite.
    pub la: f64,
    /// `De` in percent (d = 1 − De/100); `0 ≤ De ≤ 100`.
    pub de: f64,
    /// Bars dropped from the start (`0 ≤ cutout < n`).
    pub cutout: usize,
    /// `long_threshold` (not NaN).
    pub long_threshold: f64,
    /// `short_threshold` (not NaN).
    pub short_threshold: f64,
    /// Shift Average_Signal right by one bar.
    pub strategy_mode: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            lengths: [28; FAMILIES],
            weights: [1.0; FAMILIES],
            robustness: Robustness::Medium,
            la: 0.02,
            de: 0.03,
            cutout: 0,
            long_threshold: 0.1,
            short_threshold: -0.1,
            strategy_mode: false,
        }
    }
}

impl Params {
    /// `λ = La / 1000`.
    pub fn lambda(&self) -> f64 {
        self.la / 1000.0
    }

    /// `d = 1 − De/100`.
    pub fn decay_multiplier(&self) -> f64 {
        1.0 - self.de / 100.0
    }

    /// The nine lengths of every family, validated (≥ 1, HMA ≥ 2).
    pub fn family_lengths(&self) -> KResult<[[usize; DIFLEN]; FAMILIES]> {
        let mut all = [[0usize; DIFLEN]; FAMILIES];
        for f in 0..FAMILIES {
            let ls = diflen_named(self.lengths[f], self.robustness, FAMILY_LENGTH_NAMES[f])?;
            if FAMILY_KINDS[f] == MaKind::Hma {
                if let Some(&bad) = ls.iter().find(|&&l| l < 2) {
                    return Err(KernelError::HmaLengthTooSmall { length: bad });
                }
            }
            all[f] = ls;
        }
        Ok(all)
    }

    /// Validate everything that does not depend on the series.
    pub fn validate(&self) -> KResult<[[usize; DIFLEN]; FAMILIES]> {
        let lens = self.family_lengths()?;
        for (f, &w) in self.weights.iter().enumerate() {
            if !(w.is_finite() && w > 0.0) {
                return Err(KernelError::InvalidParameter {
                    what: WEIGHT_NAMES[f],
                    requirement: "must be finite and > 0",
                });
            }
        }
        if !self.la.is_finite() {
            return Err(KernelError::InvalidParameter {
                what: "La",
                requirement: "must be finite",
            });
        }
        if !(self.de >= 0.0 && self.de <= 100.0) {
            return Err(KernelError::InvalidParameter {
                what: "De",
                requirement: "must be between 0 and 100 (percent)",
            });
        }
        if self.long_threshold.is_nan() {
            return Err(KernelError::InvalidParameter {
                what: "longThreshold",
                requirement: "must not be NaN",
            });
        }
        if self.short_threshold.is_nan() {
            return Err(KernelError::InvalidParameter {
                what: "shortThreshold",
                requirement: "must not be NaN",
            });
        }
        Ok(lens)
    }
}

const WEIGHT_NAMES: [&str; FAMILIES] = [
    "EMA weight",
    "HMA weight",
    "WMA weight",
    "DEMA weight",
    "LSMA weight",
    "KAMA weight",
];

/// Reusable scratch memory for [`compute_atc`]. Buffers only grow; once they are large enough
/// for a series length, further calls allocate nothing.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    /// n × 9 MA values of the current family, bar-major.
    mas: Vec<f64>,
    /// n × 9 WMA family values (kept for the HMA family).
    mas2: Vec<f64>,
    /// n values: one MA's warm-up column (two of them).
    col: Vec<f64>,
    col2: Vec<f64>,
    /// 2 × 9 × m: per-bar equities and signal·equity products of the current family.
    pass: Vec<f64>,
    /// 9 × n HMA diff series, or n KAMA absolute differences.
    scratch: Vec<f64>,
    /// m scaled returns.
    r: Vec<f64>,
    /// Cached growth factors for `growth_lambda`.
    growth: Vec<f64>,
    growth_lambda: u64,
}

impl Workspace {
    /// An empty workspace (allocates on first use).
    pub fn new() -> Self {
        Self::default()
    }

    /// A workspace pre-sized for series of `n` bars.
    pub fn with_capacity(n: usize) -> Self {
        let mut ws = Self::new();
        ws.reserve(n, n);
        ws
    }

    fn reserve(&mut self, n: usize, m: usize) {
        let nn = DIFLEN * n;
        if self.mas.len() < nn {
            self.mas.resize(nn, 0.0);
        }
        if self.mas2.len() < nn {
            self.mas2.resize(nn, 0.0);
        }
        if self.scratch.len() < nn {
            self.scratch.resize(nn, 0.0);
        }
        if self.col.len() < n {
            self.col.resize(n, 0.0);
        }
        if self.col2.len() < n {
            self.col2.resize(n, 0.0);
        }
        if self.pass.len() < 2 * nn {
            self.pass.resize(2 * nn, 0.0);
        }
        if self.r.len() < m {
            self.r.resize(m, 0.0);
        }
    }

    fn ensure_growth(&mut self, lambda: f64, m: usize) {
        let bits = lambda.to_bits();
        if self.growth_lambda != bits {
            self.growth.clear();
            self.growth_lambda = bits;
        }
        let have = self.growth.len();
        if have < m {
            self.growth.reserve(m - have);
            for i in have..m {
                self.growth.push(growth_at(lambda, i));
            }
        }
    }
}

/// Optional per-MA detail outputs, each `54 × m` row-major (family-major, then diflen order):
/// MA values after cutout, per-MA signals, per-MA equities.
pub type Detail<'a> = (&'a mut [f64], &'a mut [i8], &'a mut [f64]);

/// Full ATC pipeline.
///
/// * `prices`: n bars (finite, > 0 — validated by the caller);
/// * `out13`: `13 × m` row-major, `m = n − cutout`: rows 0..5 Layer-1 signals (EMA, HMA, WMA,
///   DEMA, LSMA, KAMA), rows 6..11 Layer-2 equities (same order), row 12 Average_Signal;
/// * `detail`: optional `(mas, signals, equities)`, each `54 × m`;
/// * `ws`: reusable scratch.
///
/// MAs are computed on the full series and cut; everything else runs on the cut series.
pub fn compute_atc(
    prices: &[f64],
    params: &Params,
    out13: &mut [f64],
    detail: Option<Detail<'_>>,
    ws: &mut Workspace,
) -> KResult {
    let n = prices.len();
    if n == 0 {
        return Err(KernelError::Empty { what: "prices" });
    }
    let lens = params.validate()?;
    let cutout = params.cutout;
    if cutout >= n {
        return Err(KernelError::CutoutTooLarge { cutout, n });
    }
    let m = n - cutout;
    let out_len = OUT_ROWS
        .checked_mul(m)
        .ok_or(KernelError::Overflow { what: "13·m" })?;
    check_len("out", out_len, out13.len())?;
    let det_len = DETAIL_ROWS
        .checked_mul(m)
        .ok_or(KernelError::Overflow { what: "54·m" })?;
    if let Some((a, b, c)) = &detail {
        check_len("mas", det_len, a.len())?;
        check_len("signals", det_len, b.len())?;
        check_len("equities", det_len, c.len())?;
    }
    for f in 0..FAMILIES {
        if FAMILY_KINDS[f] == MaKind::Kama {
            continue; // KAMA is defined on any series length
        }
        let max = lens[f].iter().copied().max().unwrap_or(0);
        if n < max {
            return Err(KernelError::SeriesTooShort {
                what: FAMILY_NAMES[f],
                length: max,
                n,
            });
        }
    }
    DIFLEN
        .checked_mul(n)
        .ok_or(KernelError::Overflow { what: "9·n" })?;

    ws.reserve(n, m);
    let lambda = params.lambda();
    let d = params.decay_multiplier();
    ws.ensure_growth(lambda, m);
    let pc = &prices[cutout..];
    let r = &mut ws.r[..m];
    scaled_returns_with_growth(pc, &ws.growth[..m], r);

    let (rows_l1, rest) = out13.split_at_mut(FAMILIES * m);
    let (rows_e2, avg) = rest.split_at_mut(FAMILIES * m);

    // WMA first: its values are reused by the HMA family when both use the same lengths.
    const ORDER: [usize; FAMILIES] = [2, 1, 0, 3, 4, 5];
    let share_wma = lens[2] == lens[1];
    let mut detail = detail;
    for f in ORDER {
        let kind = FAMILY_KINDS[f];
        let (mas, other) = if kind == MaKind::Wma {
            (&mut ws.mas2[..DIFLEN * n], &ws.mas[..0])
        } else {
            (&mut ws.mas[..DIFLEN * n], &ws.mas2[..DIFLEN * n])
        };
        let wma_full = if kind == MaKind::Hma && share_wma {
            Some(other)
        } else {
            None
        };
        compute_family_mas(
            kind,
            prices,
            &lens[f],
            mas,
            &mut ws.scratch,
            &mut ws.col,
            &mut ws.col2,
            wma_full,
        );
        let mas: &[f64] = mas;
        let l1 = &mut rows_l1[f * m..(f + 1) * m];
        let r = &ws.r[..m];
        let tmp = &mut ws.pass[..2 * DIFLEN * m];
        match detail.as_mut() {
            Some((dm, ds, de)) => {
                let span = f * DIFLEN * m..(f + 1) * DIFLEN * m;
                let (dm, ds, de) = (&mut dm[span.clone()], &mut ds[span.clone()], &mut de[span]);
                family_pass::<true>(pc, r, mas, cutout, d, l1, tmp, dm, ds, de);
            }
            None => family_pass::<false>(pc, r, mas, cutout, d, l1, tmp, &mut [], &mut [], &mut []),
        }
    }

    layer2_and_average(rows_l1, rows_e2, avg, &ws.r[..m], d, params);
    Ok(())
}

/// Layer 2 (equity of each family's L1, starting equity = weight) for the six families in
/// lock-step, and the Average signal in the same pass. Same operations as `equity_curve` per
/// family followed by `average_signal`.
fn layer2_and_average(
    l1: &[f64],
    e2: &mut [f64],
    avg: &mut [f64],
    r: &[f64],
    d: f64,
    params: &Params,
) {
    const F: usize = FAMILIES;
    let m = avg.len();
    if m == 0 || l1.len() < F * m || e2.len() < F * m || r.len() < m {
        return;
    }
    let (long, short) = (params.long_threshold, params.short_threshold);
    let mut eq: [f64; F] = core::array::from_fn(|f| floor_equity(params.weights[f]));
    let mut prev: [f64; F] = [0.0; F];
    for i in 0..m {
        let cur: [f64; F] = core::array::from_fn(|f| l1[f * m + i]);
        if i > 0 {
            // position = sign of the previous bar's L1 (NaN / 0 → flat)
            let ri = r[i];
            let rr = if ri.is_nan() { 0.0 } else { ri };
            let mut fac = [0.0f64; F];
            if rr.is_finite() {
                for f in 0..F {
                    let q = prev[f];
                    let sq = if q > 0.0 {
                        1.0
                    } else if q < 0.0 {
                        -1.0
                    } else {
                        0.0
                    };
                    fac[f] = 1.0 + sq * rr; // exactly 1 + a (see family_pass)
                }
            } else {
                for f in 0..F {
                    let q = prev[f];
                    fac[f] = if q > 0.0 {
                        1.0 + rr
                    } else if q < 0.0 {
                        1.0 + -rr
                    } else {
                        1.0
                    };
                }
            }
            for f in 0..F {
                let e = (eq[f] * d) * fac[f];
                eq[f] = if e < EQUITY_FLOOR { EQUITY_FLOOR } else { e };
            }
        }
        let mut nom = 0.0;
        let mut den = 0.0;
        for f in 0..F {
            e2[f * m + i] = eq[f];
            nom += cut(cur[f], long, short) * eq[f];
            den += eq[f];
        }
        avg[i] = average_value(nom, den);
        prev = cur;
    }
    if params.strategy_mode {
        shift_right(avg);
    }
}

/// The nine MAs of one family on the full series, bar-major into `mas` (n × 9). Lengths are
/// validated by the caller. `scratch` holds ≥ 9·n values, `col` ≥ n. For HMA, `wma_full` may
/// hold the WMA family computed with the same nine lengths (reused, same bits).
#[allow(clippy::too_many_arguments)]
fn compute_family_mas(
    kind: MaKind,
    x: &[f64],
    lens: &[usize; DIFLEN],
    mas: &mut [f64],
    scratch: &mut [f64],
    col: &mut [f64],
    col2: &mut [f64],
    wma_full: Option<&[f64]>,
) {
    let n = x.len();
    let col = &mut col[..n];
    match kind {
        MaKind::Ema => bank::ema_family(x, lens, mas, col),
        MaKind::Dema => bank::dema_family(x, lens, mas, col),
        MaKind::Sma => bank::generic_family(x, lens, mas, col, |_, l, o| SmaState::init(x, l, o)),
        MaKind::Wma => bank::wma_family(x, lens, mas, col),
        MaKind::Lsma => bank::lsma_family(x, lens, mas, col),
        MaKind::Hma => bank::hma_family(x, lens, mas, col, col2, scratch, wma_full),
        MaKind::Kama => {
            let ad = &mut scratch[..n];
            abs_diffs(x, ad);
            bank::kama_family(x, ad, lens, mas, col);
        }
    }
}

/// Signals, equities, Layer 1 and Layer 2 of one family.
///
/// Same operations as `crossover_signal` + `equity_curve` (S = 1) per MA and `layer1_signal`,
/// arranged for speed without changing a single operation: pass A1 advances the nine signal
/// state machines together (branch-free, vectorised across the nine MAs), pass A2 the nine
/// equity recurrences, storing `E_k` and `s_k·E_k` bar-major in `tmp`; pass B forms the
/// sequential sums and Layer 1. (Layer 2 runs for all families at once in
/// `layer2_and_average`.)
#[allow(clippy::too_many_arguments)]
#[inline]
fn family_pass<const DETAIL: bool>(
    pc: &[f64],
    r: &[f64],
    mas: &[f64],
    cutout: usize,
    d: f64,
    l1: &mut [f64],
    tmp: &mut [f64],
    det_mas: &mut [f64],
    det_sig: &mut [i8],
    det_eq: &mut [f64],
) {
    let m = pc.len();
    if m == 0 || r.len() < m || l1.len() < m || tmp.len() < 2 * DIFLEN * m {
        return;
    }
    let rows = &mas[cutout * DIFLEN..(cutout + m) * DIFLEN];
    let (teq, tprod) = tmp[..2 * DIFLEN * m].split_at_mut(DIFLEN * m);

    // ---- pass A1: per-MA held signals (±1.0 / 0.0), bar-major into `tprod`
    let mut sf = [0.0f64; DIFLEN];
    tprod[..DIFLEN].copy_from_slice(&sf); // bar 0: no crossover possible
    if DETAIL {
        for k in 0..DIFLEN {
            det_mas[k * m] = rows[k];
            det_sig[k * m] = 0;
        }
    }
    let bars = rows
        .chunks_exact(DIFLEN)
        .zip(rows[DIFLEN..].chunks_exact(DIFLEN))
        .zip(tprod[DIFLEN..].chunks_exact_mut(DIFLEN))
        .zip(pc.windows(2));
    for (i0, (((prev, row), ts), pw)) in bars.enumerate() {
        let (Ok(prev), Ok(row), Ok(ts)) = (
            <&[f64; DIFLEN]>::try_from(prev),
            <&[f64; DIFLEN]>::try_from(row),
            <&mut [f64; DIFLEN]>::try_from(ts),
        ) else {
            break;
        };
        let (pp, p) = (pw[0], pw[1]);
        let mut up = [0.0f64; DIFLEN];
        let mut down = [0.0f64; DIFLEN];
        for k in 0..DIFLEN {
            up[k] = if (p > row[k]) & (pp <= prev[k]) {
                1.0
            } else {
                0.0
            };
        }
        for k in 0..DIFLEN {
            down[k] = if (p < row[k]) & (pp >= prev[k]) {
                1.0
            } else {
                0.0
            };
        }
        for k in 0..DIFLEN {
            // up and down are exclusive: t ∈ {−1, 0, 1}; t ≠ 0 sets the state, 0 keeps it
            let t = up[k] - down[k];
            sf[k] = t + sf[k] * (1.0 - t * t);
        }
        *ts = sf;
        if DETAIL {
            let i = i0 + 1;
            for k in 0..DIFLEN {
                det_mas[k * m + i] = row[k];
                det_sig[k * m + i] = sf[k] as i8;
            }
        }
    }

    // ---- pass A2: per-MA equities (position = previous bar's signal); `tprod` becomes s·E
    let mut eq = [floor_equity(1.0); DIFLEN];
    let mut s_prev = [0.0f64; DIFLEN];
    for k in 0..DIFLEN {
        teq[k] = eq[k];
        tprod[k] = s_prev[k] * eq[k];
        if DETAIL {
            det_eq[k * m] = eq[k];
        }
    }
    let bars = teq[DIFLEN..]
        .chunks_exact_mut(DIFLEN)
        .zip(tprod[DIFLEN..].chunks_exact_mut(DIFLEN));
    for (i0, (te, tp)) in bars.enumerate() {
        let (Ok(te), Ok(tp)) = (
            <&mut [f64; DIFLEN]>::try_from(te),
            <&mut [f64; DIFLEN]>::try_from(tp),
        ) else {
            break;
        };
        let i = i0 + 1;
        let ri = r[i];
        let rr = if ri.is_nan() { 0.0 } else { ri };
        let mut fac = [0.0f64; DIFLEN];
        if rr.is_finite() {
            // held state s ∈ {−1, 0, 1} and finite r: s·r is exactly −r, ±0 or r, and
            // 1 + (±0) = 1, so this equals the kernel's `1 + a`.
            for k in 0..DIFLEN {
                fac[k] = 1.0 + s_prev[k] * rr;
            }
        } else {
            let f_up = 1.0 + rr;
            let f_dn = 1.0 + -rr;
            for k in 0..DIFLEN {
                fac[k] = if s_prev[k] > 0.0 {
                    f_up
                } else if s_prev[k] < 0.0 {
                    f_dn
                } else {
                    1.0
                };
            }
        }
        for k in 0..DIFLEN {
            let e = (eq[k] * d) * fac[k];
            eq[k] = if e < EQUITY_FLOOR { EQUITY_FLOOR } else { e };
        }
        let s_now = *tp;
        *te = eq;
        for k in 0..DIFLEN {
            tp[k] = s_now[k] * eq[k];
        }
        s_prev = s_now;
        if DETAIL {
            for k in 0..DIFLEN {
                det_eq[k * m + i] = eq[k];
            }
        }
    }

    // ---- pass B: Layer 1 = round2(Σ s·E / Σ E), sums sequential in diflen order. The quotient
    // is stored first and rounded in a separate element-wise loop (vectorised).
    let sums = teq
        .chunks_exact(DIFLEN)
        .zip(tprod.chunks_exact(DIFLEN))
        .zip(l1.iter_mut());
    for ((te, tp), out) in sums {
        let mut num = 0.0;
        let mut den = 0.0;
        for k in 0..DIFLEN {
            num += tp[k];
            den += te[k];
        }
        *out = num / den;
    }
    for v in l1[..m].iter_mut() {
        let q = *v;
        *v = if q.is_finite() { round2(q) } else { f64::NAN };
    }
}
