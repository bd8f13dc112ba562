//! Helpers shared by the integration tests.
#![allow(dead_code)]

use atc_kernels::*;

pub const NAN: f64 = f64::NAN;

/// |a − b| ≤ tol·max(|a|, |b|) (+ a tiny absolute slack for values near 0); NaN only equals NaN.
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true;
    }
    let scale = a.abs().max(b.abs());
    (a - b).abs() <= rel * scale + 1e-300
}

#[track_caller]
pub fn assert_vec_close(what: &str, actual: &[f64], expected: &[f64], rel: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            close(a, e, rel),
            "{what}[{i}]: got {a:?}, expected {e:?} (rel tol {rel:e})"
        );
    }
}

#[track_caller]
pub fn assert_vec_abs(what: &str, actual: &[f64], expected: &[f64], abs: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let ok = if a.is_nan() || e.is_nan() {
            a.is_nan() && e.is_nan()
        } else {
            (a - e).abs() <= abs
        };
        assert!(
            ok,
            "{what}[{i}]: got {a:?}, expected {e:?} (abs tol {abs:e})"
        );
    }
}

/// Bitwise equality (NaN == NaN when both are NaN).
#[track_caller]
pub fn assert_bits_eq(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: length");
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        let same = x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
        assert!(
            same,
            "{what}[{i}]: {x:?} ({:#x}) != {y:?} ({:#x})",
            x.to_bits(),
            y.to_bits()
        );
    }
}

/// Distance in units in the last place (same sign, finite).
pub fn ulps(a: f64, b: f64) -> u64 {
    if a == b {
        return 0;
    }
    let ia = a.to_bits() as i64;
    let ib = b.to_bits() as i64;
    let oa = if ia < 0 { i64::MIN - ia } else { ia };
    let ob = if ib < 0 { i64::MIN - ib } else { ib };
    oa.abs_diff(ob)
}

/// Deterministic xorshift64* generator.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A random-walk price series (finite, > 0) with occasional flat runs.
pub fn random_prices(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng(seed | 1);
    let mut p = 100.0f64;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let u = rng.f64();
        if u < 0.15 {
            // flat bar (exact repeat), common in crypto data
        } else {
            p *= 1.0 + (rng.f64() - 0.5) * 0.02;
            // quantise like an exchange tick so that exact MA/price ties can occur
            p = (p * 1e4).round() / 1e4;
        }
        out.push(p);
    }
    out
}

/// The growth check of core's `requireFiniteOutputs` (growth.ts `firstNonFiniteBar`), written
/// out bar by bar as growth.ts does: the oracle of `compute_atc`'s verdict.
pub fn first_non_finite_reference(out: &[f64], m: usize, from: usize) -> Option<usize> {
    (from..m).find(|&i| {
        let at = |r: usize| out[r * m + i];
        let layer2 = ((((at(6) + at(7)) + at(8)) + at(9)) + at(10)) + at(11);
        let total = layer2 + (((at(0) + at(1)) + at(2)) + ((at(3) + at(4)) + at(5)));
        total.is_nan() || total.is_infinite()
    })
}

/// Prices near 1e−300 that jump ×1e60 for nine bars from `jump` on (as in the conformance
/// suite): a held long position's equity compounds past 1.8e308 there.
pub fn spiking_prices(n: usize, seed: u64, jump: Option<usize>) -> Vec<f64> {
    let mut x: Vec<f64> = random_prices(n, seed).iter().map(|v| v * 1e-300).collect();
    if let Some(at) = jump {
        for i in at..at + 9 {
            x[i] = x[i - 1] * 1e60;
        }
        let top = x[at + 8];
        x[at + 9..].fill(top);
    }
    x
}

/// §12.3 synthetic series.
pub fn smoke_series(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let tri = if (i / 40) % 2 == 0 {
                i % 40
            } else {
                40 - (i % 40)
            };
            100.0 + 0.25 * ((37 * i) % 29) as f64 + 0.5 * tri as f64
        })
        .collect()
}

/// `compute_atc` through the AVX2 twin when the CPU has AVX2 (x86-64), else `None`.
pub fn compute_atc_avx2_if_available(
    prices: &[f64],
    p: &atc_kernels::Params,
    out: &mut [f64],
    detail: Option<atc_kernels::Detail<'_>>,
    ws: &mut atc_kernels::Workspace,
) -> Option<atc_kernels::KResult<Option<usize>>> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return Some(unsafe { atc_kernels::compute_atc_avx2(prices, p, out, detail, ws) });
    }
    let _ = (prices, p, out, detail, ws);
    None
}

/// Every output of `compute_atc` for `m` bars: the main `13·m` rows and the `54·m` rows of each
/// detail output.
pub struct AtcOutputs {
    pub out: Vec<f64>,
    pub mas: Vec<f64>,
    pub sigs: Vec<i8>,
    pub eqs: Vec<f64>,
}

impl AtcOutputs {
    /// Zero-filled buffers.
    pub fn new(m: usize) -> Self {
        Self::filled(m, 0.0, 0.0, 0)
    }

    /// Buffers pre-filled with markers (`out`; `mas` and `eqs`; `sigs`), so that a slot the
    /// kernel leaves unwritten stands out.
    pub fn filled(m: usize, out: f64, values: f64, signal: i8) -> Self {
        AtcOutputs {
            out: vec![out; 13 * m],
            mas: vec![values; 54 * m],
            sigs: vec![signal; 54 * m],
            eqs: vec![values; 54 * m],
        }
    }

    /// `compute_atc` with every detail output (its growth-check verdict returned).
    pub fn compute(
        &mut self,
        prices: &[f64],
        p: &Params,
        ws: &mut Workspace,
    ) -> KResult<Option<usize>> {
        let detail = Some((&mut self.mas[..], &mut self.sigs[..], &mut self.eqs[..]));
        compute_atc(prices, p, &mut self.out, detail, ws)
    }

    /// The same through the AVX2 twin; `None` when the CPU lacks AVX2.
    pub fn compute_avx2(
        &mut self,
        prices: &[f64],
        p: &Params,
        ws: &mut Workspace,
    ) -> Option<KResult<Option<usize>>> {
        let detail = Some((&mut self.mas[..], &mut self.sigs[..], &mut self.eqs[..]));
        compute_atc_avx2_if_available(prices, p, &mut self.out, detail, ws)
    }
}

/// The pipeline composed from the public single-series kernels; `None` if any step refuses.
pub fn compose_kernels(prices: &[f64], p: &Params) -> Option<AtcOutputs> {
    let lens = p.all_family_lengths().ok()?;
    let n = prices.len();
    let c = p.cutout;
    if c >= n {
        return None;
    }
    let m = n - c;
    let pc = &prices[c..];
    let mut r = vec![0.0; m];
    scaled_returns(pc, p.la / 1000.0, &mut r).ok()?;
    let d = 1.0 - p.de / 100.0;
    let AtcOutputs {
        mut out,
        mut mas,
        mut sigs,
        mut eqs,
    } = AtcOutputs::new(m);
    let mut full = vec![0.0; n];
    for f in 0..6 {
        for (k, &length) in lens[f].iter().enumerate() {
            let row = f * 9 + k;
            moving_average(FAMILY_KINDS[f], prices, length, &mut full).ok()?;
            mas[row * m..(row + 1) * m].copy_from_slice(&full[c..]);
            crossover_signal(pc, &full[c..], &mut sigs[row * m..(row + 1) * m]).ok()?;
            let sf: Vec<f64> = sigs[row * m..(row + 1) * m]
                .iter()
                .map(|&s| s as f64)
                .collect();
            equity_curve(&r, &sf, 1.0, d, 0, &mut eqs[row * m..(row + 1) * m]).ok()?;
        }
        let span = f * 9 * m..(f + 1) * 9 * m;
        let (l1s, rest) = out.split_at_mut(6 * m);
        let l1 = &mut l1s[f * m..(f + 1) * m];
        layer1_signal(&sigs[span.clone()], &eqs[span], l1).ok()?;
        equity_curve(&r, l1, p.weights[f], d, 0, &mut rest[f * m..(f + 1) * m]).ok()?;
    }
    let (l1s, rest) = out.split_at_mut(6 * m);
    let (e2s, avg) = rest.split_at_mut(6 * m);
    average_signal(
        l1s,
        e2s,
        p.long_threshold,
        p.short_threshold,
        p.strategy_mode,
        avg,
    )
    .ok()?;
    Some(AtcOutputs {
        out,
        mas,
        sigs,
        eqs,
    })
}
