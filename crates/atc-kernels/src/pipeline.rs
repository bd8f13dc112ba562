//! The fused ATC pipeline (`compute_atc`): 54 MAs → per-MA signals and equities → Layer 1 →
//! Layer 2 → Average, bit-identical to composing the single kernels (see the tests).
//!
//! Speed comes from data layout and scheduling only — no floating-point operation is changed,
//! reordered or fused:
//! * the nine MAs of a family advance in lock-step as SIMD lanes
//!   (`isa/family_mas.rs`), so the compiler packs their arithmetic — notably the divisions — into
//!   SIMD instructions and the nine dependency chains overlap;
//! * the HMA family reuses the WMA family's `WMA(x, L)` values when both use the same lengths
//!   (same operations, hence same bits);
//! * per family, the nine signal state machines, then the nine equity recurrences, advance
//!   together (branch-free), then Layer 1 is formed; Layer 2 of the six families and the
//!   Average run together in one final pass.
//!
//! * the hot code (`isa/*.rs`) is compiled twice (`isa.rs`): for the baseline instruction set
//!   ([`compute_atc`]) and, on x86-64, for AVX2 (`compute_atc_avx2`, same bits; the caller
//!   checks the CPU).
//!
//! This module holds the parameters, the [`Workspace`] and the validation; the pipeline bodies
//! are `isa/pipeline_body.rs` (reference semantics) and `isa/pine_body.rs` (Pine semantics).
//! Outputs have `m = Params::output_bars(n)` bars: `n − cutout` for the reference, `n` for Pine.
//!
//! Memory: the [`Workspace`] holds about 45·n doubles; once it has grown to a series length,
//! further calls of that length or shorter allocate nothing.

use alloc::vec::Vec;

use crate::equity::growth_at;
use crate::error::{check_len, KResult, KernelError};
use crate::ma::MaKind;

/// MAs per family: the nine lengths of [`family_lengths`] (TypeScript: `LENGTHS_PER_FAMILY`).
pub const LENGTHS_PER_FAMILY: usize = 9;
/// Number of MA families (the list is [`FAMILY_KINDS`]; TypeScript: `FAMILIES.length`).
pub const FAMILY_COUNT: usize = 6;
/// Rows of the main output: 6 Layer-1 signals, 6 Layer-2 equities, Average_Signal.
pub const OUT_ROWS: usize = 13;
/// Rows of each detail output (6 families × 9 lengths).
pub const DETAIL_ROWS: usize = FAMILY_COUNT * LENGTHS_PER_FAMILY;

/// Family order used by every row-major output: EMA, HMA, WMA, DEMA, LSMA, KAMA.
pub const FAMILY_KINDS: [MaKind; FAMILY_COUNT] = [
    MaKind::Ema,
    MaKind::Hma,
    MaKind::Wma,
    MaKind::Dema,
    MaKind::Lsma,
    MaKind::Kama,
];

const FAMILY_NAMES: [&str; FAMILY_COUNT] = ["EMA", "HMA", "WMA", "DEMA", "LSMA", "KAMA"];
const FAMILY_LENGTH_NAMES: [&str; FAMILY_COUNT] = [
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

/// The nine lengths of a family with base length `L` (the reference's `diflen`; TypeScript
/// `familyLengths`): `[L, L+o1, L+o2, L+o3, L+o4, L−o1, L−o2, L−o3, L−o4]`; every one must be
/// ≥ 1.
pub fn family_lengths(base: usize, robustness: Robustness) -> KResult<[usize; LENGTHS_PER_FAMILY]> {
    family_lengths_named(base, robustness, "length (after robustness offsets)")
}

fn family_lengths_named(
    base: usize,
    robustness: Robustness,
    what: &'static str,
) -> KResult<[usize; LENGTHS_PER_FAMILY]> {
    let o = robustness.offsets();
    if base <= o[3] {
        return Err(KernelError::LengthTooSmall {
            what,
            length: base as i64 - o[3] as i64,
        });
    }
    let mut out = [base; LENGTHS_PER_FAMILY];
    for j in 0..4 {
        out[1 + j] = base
            .checked_add(o[j])
            .ok_or(KernelError::Overflow { what })?;
        out[5 + j] = base - o[j];
    }
    Ok(out)
}

/// Which arithmetic [`compute_atc`] follows (core's `config.semantics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Semantics {
    /// The Python reference: outputs start at the cutout bar (`n − cutout` bars).
    #[default]
    Reference,
    /// The original TradingView script (`pine.rs`): `n` bars, NaN where Pine has na.
    Pine,
}

/// Pipeline configuration (reference names in parentheses).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Base lengths in family order EMA, HMA, WMA, DEMA, LSMA, KAMA
    /// (`ema_len, hull_len, wma_len, dema_len, lsma_len, kama_len`).
    pub lengths: [usize; FAMILY_COUNT],
    /// Layer-2 starting equities, same order (`ema_w … kama_w`); finite and > 0.
    pub weights: [f64; FAMILY_COUNT],
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
    /// Shift Average_Signal right by one bar (reference only; Pine's strategy view changes
    /// no number).
    pub strategy_mode: bool,
    /// Reference or Pine arithmetic.
    pub semantics: Semantics,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            lengths: [28; FAMILY_COUNT],
            weights: [1.0; FAMILY_COUNT],
            robustness: Robustness::Medium,
            la: 0.02,
            de: 0.03,
            cutout: 0,
            long_threshold: 0.1,
            short_threshold: -0.1,
            strategy_mode: false,
            semantics: Semantics::Reference,
        }
    }
}

impl Params {
    /// Output bars of a series of `n ≥ cutout` bars: `n − cutout` (reference), `n` (Pine);
    /// core's `outputBars`.
    pub fn output_bars(&self, n: usize) -> usize {
        match self.semantics {
            Semantics::Reference => n.saturating_sub(self.cutout),
            Semantics::Pine => n,
        }
    }

    /// `λ = La / 1000`.
    pub fn lambda(&self) -> f64 {
        self.la / 1000.0
    }

    /// `d = 1 − De/100`.
    pub fn decay_multiplier(&self) -> f64 {
        1.0 - self.de / 100.0
    }

    /// The nine lengths of every family, validated (≥ 1; HMA ≥ 2 in the reference, where it
    /// is a Hull MA; Pine's "HMA" family is an SMA).
    pub fn all_family_lengths(&self) -> KResult<[[usize; LENGTHS_PER_FAMILY]; FAMILY_COUNT]> {
        let mut all = [[0usize; LENGTHS_PER_FAMILY]; FAMILY_COUNT];
        for f in 0..FAMILY_COUNT {
            let ls =
                family_lengths_named(self.lengths[f], self.robustness, FAMILY_LENGTH_NAMES[f])?;
            if FAMILY_KINDS[f] == MaKind::Hma && self.semantics == Semantics::Reference {
                if let Some(&bad) = ls.iter().find(|&&l| l < 2) {
                    return Err(KernelError::HmaLengthTooSmall { length: bad });
                }
            }
            all[f] = ls;
        }
        Ok(all)
    }

    /// Validate everything that does not depend on the series.
    pub fn validate(&self) -> KResult<[[usize; LENGTHS_PER_FAMILY]; FAMILY_COUNT]> {
        let lens = self.all_family_lengths()?;
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

const WEIGHT_NAMES: [&str; FAMILY_COUNT] = [
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
    pub(crate) mas: Vec<f64>,
    /// n × 9 WMA family values (kept for the HMA family).
    pub(crate) mas2: Vec<f64>,
    /// n values: one MA's warm-up column (two of them).
    pub(crate) col: Vec<f64>,
    pub(crate) col2: Vec<f64>,
    /// 2 × 9 × m: per-bar equities and signal·equity products of the current family.
    pub(crate) pass: Vec<f64>,
    /// 9 × n HMA diff series, or n KAMA absolute differences.
    pub(crate) scratch: Vec<f64>,
    /// m scaled returns.
    pub(crate) r: Vec<f64>,
    /// Cached growth factors for `growth_lambda`.
    pub(crate) growth: Vec<f64>,
    pub(crate) growth_lambda: u64,
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

    pub(crate) fn reserve(&mut self, n: usize, m: usize) {
        let nn = LENGTHS_PER_FAMILY * n;
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

    pub(crate) fn ensure_growth(&mut self, lambda: f64, m: usize) {
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

/// Optional per-MA detail outputs, each `54 × m` row-major (family-major, then the order of [`family_lengths`]):
/// MA values after cutout, per-MA signals, per-MA equities.
pub type Detail<'a> = (&'a mut [f64], &'a mut [i8], &'a mut [f64]);

/// Validates everything [`compute_atc`] checks before it writes anything, for a series of `n`
/// bars and a main output of `out_len` values (`13 × m`, `m = Params::output_bars(n)`): the parameters, the
/// cutout, the output length, and that the series is at least as long as every non-KAMA MA.
/// Returns the nine lengths of every family. (The batch entry points use it to reject a bad
/// series before any thread starts.)
pub fn check_atc_inputs(
    n: usize,
    params: &Params,
    out_len: usize,
) -> KResult<[[usize; LENGTHS_PER_FAMILY]; FAMILY_COUNT]> {
    if n == 0 {
        return Err(KernelError::Empty { what: "prices" });
    }
    let lens = params.validate()?;
    let cutout = params.cutout;
    if cutout >= n {
        return Err(KernelError::CutoutTooLarge { cutout, n });
    }
    let m = params.output_bars(n);
    let want = OUT_ROWS
        .checked_mul(m)
        .ok_or(KernelError::Overflow { what: "13·m" })?;
    check_len("out", want, out_len)?;
    DETAIL_ROWS
        .checked_mul(m)
        .ok_or(KernelError::Overflow { what: "54·m" })?;
    for f in 0..FAMILY_COUNT {
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
    2usize
        .checked_mul(LENGTHS_PER_FAMILY)
        .and_then(|v| v.checked_mul(n))
        .ok_or(KernelError::Overflow { what: "18·n" })?;
    Ok(lens)
}

twins! {
    /// Full ATC pipeline.
    ///
    /// * `prices`: n bars (finite, > 0 — validated by the caller);
    /// * `out13`: `13 × m` row-major, `m = params.output_bars(n)` (`n − cutout` for the
    ///   reference, `n` for Pine): rows 0..5 Layer-1 signals (EMA, HMA, WMA,
    ///   DEMA, LSMA, KAMA), rows 6..11 Layer-2 equities (same order), row 12 Average_Signal;
    /// * `detail`: optional `(mas, signals, equities)`, each `54 × m`;
    /// * `ws`: reusable scratch.
    ///
    /// Returns core's growth check on what it wrote (`growth.ts` `firstNonFiniteOutputBar`),
    /// found in the Average_Signal loop, which already sums the Layer-2 equities, so no pass
    /// re-reads the outputs: `Some(i)` for the first output bar `i` (from the cutout for Pine,
    /// whose earlier bars are NaN by definition) whose six Layer-1 signals are not all finite
    /// or whose Layer-2 sum `((((E0 + E1) + E2) + E3) + E4) + E5` is not finite; `None` when every
    /// bar is finite. [`first_non_finite_bar`] scanning `out13` gives the same verdict.
    ///
    /// Reference semantics: MAs are computed on the full series and cut; everything else runs on
    /// the cut series. Pine semantics (`isa/pine_body.rs`): everything on the full series.
    ///
    /// Built for the target's baseline instruction set; [`compute_atc_avx2`] is the same function
    /// compiled for AVX2: the same IEEE operations in the same order (AVX2 only widens the lanes
    /// the compiler packs; no FMA, and Rust never contracts `a·b + c`), so the same bits. The
    /// Node-API addon checks the CPU and calls it.
    pub fn compute_atc / compute_atc_avx2(
        prices: &[f64],
        params: &Params,
        out13: &mut [f64],
        detail: Option<Detail<'_>>,
        ws: &mut Workspace,
    ) -> KResult<Option<usize>>, isa => {
        let lens = check_compute_atc(prices.len(), params, out13, &detail)?;
        Ok(match params.semantics {
            Semantics::Reference => isa::run_atc(prices, params, &lens, out13, detail, ws),
            Semantics::Pine => isa::run_pine(prices, params, &lens, out13, detail, ws),
        })
    }
}

/// First output bar at which a Layer-1 signal (rows 0–5 of `out`, `m` bars each) or the sum of
/// the six Layer-2 equities (rows 6–11, added in the kernels' order) is not finite, scanning
/// from bar `from` (Pine's outputs are NaN before the cutout by definition); `None` if there
/// is none: core's growth check (`growth.ts` `firstNonFiniteOutputBar`) on outputs already
/// written. [`compute_atc`] returns this verdict from its last loop; this scan is for outputs
/// from elsewhere (and the tests' check of that verdict). Layer-1 values lie in [−1, 1], so
/// the total below is finite exactly when the Layer-2 sum and every Layer-1 value are. `out`
/// must hold at least `12 · m` values.
pub fn first_non_finite_bar(out: &[f64], m: usize, from: usize) -> Option<usize> {
    let rows: [&[f64]; 12] = core::array::from_fn(|r| &out[r * m..(r + 1) * m]);
    (from..m).find(|&i| {
        let layer2 = rows[6][i] + rows[7][i] + rows[8][i] + rows[9][i] + rows[10][i] + rows[11][i];
        let layer1 =
            (rows[0][i] + rows[1][i] + rows[2][i]) + (rows[3][i] + rows[4][i] + rows[5][i]);
        !(layer2 + layer1).is_finite()
    })
}

/// All of `compute_atc`'s validation (nothing is written before it passes).
fn check_compute_atc(
    n: usize,
    params: &Params,
    out13: &[f64],
    detail: &Option<Detail<'_>>,
) -> KResult<[[usize; LENGTHS_PER_FAMILY]; FAMILY_COUNT]> {
    let lens = check_atc_inputs(n, params, out13.len())?;
    let det_len = DETAIL_ROWS * params.output_bars(n);
    if let Some((a, b, c)) = detail {
        check_len("mas", det_len, a.len())?;
        check_len("signals", det_len, b.len())?;
        check_len("equities", det_len, c.len())?;
    }
    Ok(lens)
}
