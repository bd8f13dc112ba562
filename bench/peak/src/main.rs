//! Peak-rate probe (issue 17, item 4): how fast can this machine execute the fused pipeline's
//! per-bar mix of f64 operations? Run by `pnpm bench` (`bench/src/peak.mjs`), or alone:
//! `cargo run --release --manifest-path bench/peak/Cargo.toml`.
//!
//! The pipeline (`crates/atc-kernels/src/isa/pipeline_body.rs`, default config) is a sequence of
//! passes over the bars; each pass below carries its per-bar operation count (the table in
//! `docs/kernels.md`, "Arithmetic per bar") and its loop-carried dependency chain. For every
//! pass the probe measures two loops, vectorised as the AVX2 twin is (nine lanes = two 4-wide
//! `ymm` + one scalar; per-bar scalar work scalar; the loops LLVM vectorises across bars 4-wide):
//!
//! * throughput (T): the pass's operations as short independent chains — no dependency from one
//!   bar to the next — so the time is the machine's issue rate for that mix;
//! * latency (L): only the pass's recurrence (EMA `e ← w·e + α·x`, the WMA sums, KAMA, the
//!   crossover state, the equity), one bar after the other, as the pipeline must run it.
//!
//! A pass cannot beat max(T, L); the attainable time per bar is Σ over passes of max(T, L).
//! Loads, stores and lane assembly are not in the count (the probe does one load and one store
//! per kind and iteration); compare, select, abs and logic ops run as max, and, min, blendv.
//!
//! `unsafe`: the kernels use `core::arch::x86_64` AVX2 intrinsics and are only called after
//! `is_x86_feature_detected!("avx2")`; buffers are indexed with bounds checks.

use std::hint::black_box;
use std::time::Instant;

/// Bars per measured call (the pipeline's benchmark length).
const BARS: usize = 1500;
/// Length of the probe's input series (a power of two: indices wrap with a mask).
const SERIES: usize = 4096;

/// Operation counts of one loop iteration, as (mul, add/sub, div, other).
#[derive(Clone, Copy, Debug, Default)]
struct Ops {
    mul: usize,
    add: usize,
    div: usize,
    other: usize,
}

impl Ops {
    const fn new(mul: usize, add: usize, div: usize, other: usize) -> Ops {
        Ops { mul, add, div, other }
    }
    const fn total(&self) -> usize {
        self.mul + self.add + self.div + self.other
    }
}

/// How a pass's per-bar operations are packed.
#[derive(Clone, Copy, Debug)]
enum Packing {
    /// Nine lanes per bar (one value per MA of a family): two 4-wide ops + one scalar op each.
    Lanes9,
    /// One value per bar, scalar (Layer-1 sums, Layer 2 and the Average).
    Scalar,
    /// One value per bar in a loop LLVM vectorises across bars: one 4-wide op per four bars.
    AcrossBars,
}

/// The pass's loop-carried chain (what the latency loop runs).
#[derive(Clone, Copy, Debug)]
enum Chain {
    None,
    Ema,
    Dema,
    WmaSums,
    Kama,
    Signal,
    Equity9,
    Layer2,
}

struct Pass {
    name: &'static str,
    /// How many times the pass runs per bar (signals and equities: once per family).
    copies: usize,
    packing: Packing,
    /// Operations per bar per lane (Lanes9: per MA; others: per bar).
    ops: Ops,
    chain: Chain,
}

/// The fused pipeline, default config (all families length 28, WMA values shared with HMA).
/// Per-lane counts follow `isa/family_mas.rs`, `family_lanes.rs` and `isa/pipeline_body.rs`.
const PASSES: &[Pass] = &[
    Pass { name: "returns r = (p/p' - 1)*g", copies: 1, packing: Packing::AcrossBars, ops: Ops::new(1, 1, 1, 0), chain: Chain::None },
    Pass { name: "KAMA |dx| (abs_diffs)", copies: 1, packing: Packing::AcrossBars, ops: Ops::new(0, 1, 0, 1), chain: Chain::None },
    Pass { name: "EMA x9", copies: 1, packing: Packing::Lanes9, ops: Ops::new(2, 1, 0, 2), chain: Chain::Ema },
    Pass { name: "HMA stage 1 x9", copies: 1, packing: Packing::Lanes9, ops: Ops::new(2, 5, 1, 0), chain: Chain::WmaSums },
    Pass { name: "HMA stage 2 x9", copies: 1, packing: Packing::Lanes9, ops: Ops::new(1, 4, 1, 0), chain: Chain::WmaSums },
    Pass { name: "WMA x9", copies: 1, packing: Packing::Lanes9, ops: Ops::new(1, 4, 1, 0), chain: Chain::WmaSums },
    Pass { name: "DEMA x9", copies: 1, packing: Packing::Lanes9, ops: Ops::new(5, 3, 0, 4), chain: Chain::Dema },
    Pass { name: "LSMA x9", copies: 1, packing: Packing::Lanes9, ops: Ops::new(6, 7, 2, 0), chain: Chain::WmaSums },
    Pass { name: "KAMA x9", copies: 1, packing: Packing::Lanes9, ops: Ops::new(3, 6, 1, 3), chain: Chain::Kama },
    Pass { name: "signals x9 (per family)", copies: 6, packing: Packing::Lanes9, ops: Ops::new(2, 3, 0, 8), chain: Chain::Signal },
    Pass { name: "equities x9 (per family)", copies: 6, packing: Packing::Lanes9, ops: Ops::new(4, 1, 0, 1), chain: Chain::Equity9 },
    Pass { name: "return checks (per family)", copies: 6, packing: Packing::Scalar, ops: Ops::new(0, 0, 0, 3), chain: Chain::None },
    Pass { name: "Layer-1 sums (per family)", copies: 6, packing: Packing::Scalar, ops: Ops::new(0, 18, 1, 0), chain: Chain::None },
    Pass { name: "Layer-1 round2 (per family)", copies: 6, packing: Packing::AcrossBars, ops: Ops::new(1, 2, 1, 4), chain: Chain::None },
    Pass { name: "Layer 2 + Average", copies: 1, packing: Packing::Scalar, ops: Ops::new(24, 18, 1, 52), chain: Chain::Layer2 },
];

/// Scalar-equivalent operations per bar (lanes × ops × copies).
fn ops_per_bar(p: &Pass) -> Ops {
    let lanes = match p.packing {
        Packing::Lanes9 => 9,
        _ => 1,
    };
    let k = lanes * p.copies;
    Ops::new(p.ops.mul * k, p.ops.add * k, p.ops.div * k, p.ops.other * k)
}

/// 4-wide ops per loop iteration of a pass (nine lanes: two per lane op; across bars: one).
const fn ymm_ops(p: &Pass) -> Ops {
    match p.packing {
        Packing::Lanes9 => Ops::new(2 * p.ops.mul, 2 * p.ops.add, 2 * p.ops.div, 2 * p.ops.other),
        Packing::Scalar => Ops::new(0, 0, 0, 0),
        Packing::AcrossBars => p.ops,
    }
}

/// Scalar ops per loop iteration of a pass (nine lanes: the ninth lane).
const fn sd_ops(p: &Pass) -> Ops {
    match p.packing {
        Packing::Lanes9 | Packing::Scalar => p.ops,
        Packing::AcrossBars => Ops::new(0, 0, 0, 0),
    }
}

/// Loop iterations per BARS bars.
const fn iterations(p: &Pass) -> usize {
    match p.packing {
        Packing::AcrossBars => BARS / 4,
        _ => BARS,
    }
}

type ThroughputFn = unsafe fn(usize, &[f64], &mut [f64; 64]);

/// The throughput loop of `PASSES[i]`, its counts as compile-time constants.
#[cfg(target_arch = "x86_64")]
fn throughput_fn(i: usize) -> ThroughputFn {
    macro_rules! arms {
        ($($i:literal)*) => {
            match i {
                $($i => avx2::throughput::<
                    { ymm_ops(&PASSES[$i]).mul }, { ymm_ops(&PASSES[$i]).add }, { ymm_ops(&PASSES[$i]).div }, { ymm_ops(&PASSES[$i]).other },
                    { sd_ops(&PASSES[$i]).mul }, { sd_ops(&PASSES[$i]).add }, { sd_ops(&PASSES[$i]).div }, { sd_ops(&PASSES[$i]).other },
                >,)*
                _ => unreachable!("PASSES has {} entries", PASSES.len()),
            }
        };
    }
    arms!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// ns per bar of each closure (each processes BARS bars): every closure calibrated to ~2 ms
/// per sample and warmed up, then `runs` rounds that take one sample of each in turn (so a
/// burst of load on this shared machine hits every pass alike); median and min per closure.
fn time_per_bar(fs: &mut [Box<dyn FnMut() + '_>], runs: usize) -> Vec<(f64, f64)> {
    let reps: Vec<usize> = fs
        .iter_mut()
        .map(|f| {
            let t = Instant::now();
            f();
            let once = t.elapsed().as_secs_f64().max(1e-7);
            let reps = ((2e-3 / once) as usize).clamp(1, 10_000);
            for _ in 0..reps {
                f(); // warm-up
            }
            reps
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(runs); fs.len()];
    for _ in 0..runs {
        for (k, f) in fs.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..reps[k] {
                f();
            }
            samples[k].push(t.elapsed().as_secs_f64() * 1e9 / (reps[k] * BARS) as f64);
        }
    }
    samples
        .into_iter()
        .map(|v| {
            let min = v.iter().copied().fold(f64::INFINITY, f64::min);
            (median(v), min)
        })
        .collect()
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Chain, BARS, SERIES};
    use std::arch::x86_64::*;

    /// One kind of operation, 4-wide and scalar (`_sd`, upper lane ignored).
    #[derive(Clone, Copy)]
    pub enum Kind {
        Mul,
        Add,
        Div,
        Other,
    }

    #[inline(always)]
    unsafe fn y(kind: Kind, j: usize, a: __m256d, c: &[__m256d; 4]) -> __m256d {
        match kind {
            Kind::Mul => _mm256_mul_pd(a, c[j]),
            Kind::Add => _mm256_add_pd(a, c[j]),
            Kind::Div => _mm256_div_pd(a, c[j]),
            // compare / select / abs / logic: one single-cycle FP op each
            Kind::Other => match j {
                0 => _mm256_max_pd(a, c[j]),
                1 => _mm256_and_pd(a, c[j]),
                2 => _mm256_min_pd(a, c[j]),
                _ => _mm256_blendv_pd(a, c[j], a),
            },
        }
    }

    #[inline(always)]
    unsafe fn s(kind: Kind, j: usize, a: __m128d, c: &[__m128d; 4]) -> __m128d {
        match kind {
            Kind::Mul => _mm_mul_sd(a, c[j]),
            Kind::Add => _mm_add_sd(a, c[j]),
            Kind::Div => _mm_div_sd(a, c[j]),
            Kind::Other => match j {
                0 => _mm_max_sd(a, c[j]),
                1 => _mm_and_pd(a, c[j]),
                2 => _mm_min_sd(a, c[j]),
                _ => _mm_blendv_pd(a, c[j], a),
            },
        }
    }

    /// `n` ops of one kind starting from `x`: up to four independent chains, combined at the
    /// end with the same kind of op (part of the `n`). No dependency leaves the iteration.
    macro_rules! chains {
        ($op:ident, $kind:expr, $n:expr, $x:expr, $c:expr, $comb:expr) => {{
            let n: usize = $n;
            let chains = ((n + 1) / 2).min(4);
            let (mut a0, mut a1, mut a2, mut a3) = ($x, $x, $x, $x);
            if chains > 0 { a0 = $op($kind, 0, a0, $c); }
            if chains > 1 { a1 = $op($kind, 1, a1, $c); }
            if chains > 2 { a2 = $op($kind, 2, a2, $c); }
            if chains > 3 { a3 = $op($kind, 3, a3, $c); }
            let middle = n + 1 - 2 * chains.max(1);
            let mut j = 0;
            while j < middle {
                match j % chains.max(1) {
                    0 => a0 = $op($kind, 0, a0, $c),
                    1 => a1 = $op($kind, 1, a1, $c),
                    2 => a2 = $op($kind, 2, a2, $c),
                    _ => a3 = $op($kind, 3, a3, $c),
                }
                j += 1;
            }
            if chains > 1 { a0 = $op($kind, 0, a0, &$comb(a1)); }
            if chains > 2 { a0 = $op($kind, 0, a0, &$comb(a2)); }
            if chains > 3 { a0 = $op($kind, 0, a0, &$comb(a3)); }
            a0
        }};
    }

    /// Constants of one kind: values near 1 (mul, div), ±small (add), bounds and masks (other).
    unsafe fn consts(kind: Kind) -> [f64; 4] {
        match kind {
            Kind::Mul | Kind::Div => [1.0 + 1e-9, 1.0 - 1e-9, 1.0 + 2e-9, 1.0 - 2e-9],
            Kind::Add => [0.25, -0.25, 0.5, -0.5],
            // max with 0.25, and with the abs mask, min with 1e300; blendv picks a (sign clear)
            Kind::Other => [0.25, f64::from_bits(0x7fff_ffff_ffff_ffff), 1e300, 0.5],
        }
    }

    /// Throughput loop of one pass: `iters` iterations of `Y*` 4-wide and `S*` scalar ops per
    /// kind (mul, add, div, other; compile-time counts, so every chain is straight-line code);
    /// input from a small L1 buffer, the kinds' results kept live by a blend and stored at the end.
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn throughput<
        const YM: usize, const YA: usize, const YD: usize, const YO: usize,
        const SM: usize, const SA: usize, const SD: usize, const SO: usize,
    >(iters: usize, input: &[f64], out: &mut [f64; 64]) {
        let cy = |k: Kind| { let c = consts(k); [_mm256_set1_pd(c[0]), _mm256_set1_pd(c[1]), _mm256_set1_pd(c[2]), _mm256_set1_pd(c[3])] };
        let cs = |k: Kind| { let c = consts(k); [_mm_set_sd(c[0]), _mm_set1_pd(c[1]), _mm_set_sd(c[2]), _mm_set_sd(c[3])] };
        let (ym, ya, yd, yo) = (cy(Kind::Mul), cy(Kind::Add), cy(Kind::Div), cy(Kind::Other));
        let (sm, sa, sd, so) = (cs(Kind::Mul), cs(Kind::Add), cs(Kind::Div), cs(Kind::Other));
        let mut acc_y = [_mm256_setzero_pd(); 4];
        let mut acc_s = [_mm_setzero_pd(); 4];
        assert!(input.len() >= 260, "input holds 256 + 4 values");
        for i in 0..iters {
            let at = (i * 4) & 255; // a mask, not `%`: an integer division would dominate the loop
            let x = _mm256_loadu_pd(input[at..at + 4].as_ptr());
            let xs = _mm256_castpd256_pd128(x);
            if YM > 0 { acc_y[0] = _mm256_blend_pd::<0b0101>(acc_y[0], chains!(y, Kind::Mul, YM, x, &ym, |v: __m256d| [v; 4])); }
            if YA > 0 { acc_y[1] = _mm256_blend_pd::<0b0101>(acc_y[1], chains!(y, Kind::Add, YA, x, &ya, |v: __m256d| [v; 4])); }
            if YD > 0 { acc_y[2] = _mm256_blend_pd::<0b0101>(acc_y[2], chains!(y, Kind::Div, YD, x, &yd, |v: __m256d| [v; 4])); }
            if YO > 0 { acc_y[3] = _mm256_blend_pd::<0b0101>(acc_y[3], chains!(y, Kind::Other, YO, x, &yo, |v: __m256d| [v; 4])); }
            if SM > 0 { acc_s[0] = _mm_move_sd(acc_s[0], chains!(s, Kind::Mul, SM, xs, &sm, |v: __m128d| [v; 4])); }
            if SA > 0 { acc_s[1] = _mm_move_sd(acc_s[1], chains!(s, Kind::Add, SA, xs, &sa, |v: __m128d| [v; 4])); }
            if SD > 0 { acc_s[2] = _mm_move_sd(acc_s[2], chains!(s, Kind::Div, SD, xs, &sd, |v: __m128d| [v; 4])); }
            if SO > 0 { acc_s[3] = _mm_move_sd(acc_s[3], chains!(s, Kind::Other, SO, xs, &so, |v: __m128d| [v; 4])); }
        }
        for k in 0..4 {
            _mm256_storeu_pd(out[8 * k..8 * k + 4].as_mut_ptr(), acc_y[k]);
            _mm_storeu_pd(out[8 * k + 4..8 * k + 6].as_mut_ptr(), acc_s[k]);
        }
    }

    /// Nine lanes as two 4-wide vectors and one scalar.
    #[derive(Clone, Copy)]
    struct V9(__m256d, __m256d, __m128d);

    macro_rules! v9 {
        ($f4:ident, $f1:ident, $a:expr, $b:expr) => {{
            let (a, b) = ($a, $b);
            V9($f4(a.0, b.0), $f4(a.1, b.1), $f1(a.2, b.2))
        }};
    }
    #[inline(always)]
    unsafe fn add(a: V9, b: V9) -> V9 { v9!(_mm256_add_pd, _mm_add_sd, a, b) }
    #[inline(always)]
    unsafe fn sub(a: V9, b: V9) -> V9 { v9!(_mm256_sub_pd, _mm_sub_sd, a, b) }
    #[inline(always)]
    unsafe fn mul(a: V9, b: V9) -> V9 { v9!(_mm256_mul_pd, _mm_mul_sd, a, b) }
    #[inline(always)]
    unsafe fn div(a: V9, b: V9) -> V9 { v9!(_mm256_div_pd, _mm_div_sd, a, b) }
    #[inline(always)]
    unsafe fn max(a: V9, b: V9) -> V9 { v9!(_mm256_max_pd, _mm_max_sd, a, b) }
    #[inline(always)]
    unsafe fn splat(v: f64) -> V9 { V9(_mm256_set1_pd(v), _mm256_set1_pd(v), _mm_set_sd(v)) }
    #[inline(always)]
    unsafe fn abs(a: V9) -> V9 {
        let m = splat(f64::from_bits(0x7fff_ffff_ffff_ffff));
        V9(_mm256_and_pd(a.0, m.0), _mm256_and_pd(a.1, m.1), _mm_and_pd(a.2, m.2))
    }
    /// `c != v ? t : c` per lane (EMA's keep rule): compare + blend.
    #[inline(always)]
    unsafe fn keep_where_equal(c: V9, v: V9, t: V9) -> V9 {
        V9(
            _mm256_blendv_pd(c.0, t.0, _mm256_cmp_pd::<_CMP_NEQ_UQ>(c.0, v.0)),
            _mm256_blendv_pd(c.1, t.1, _mm256_cmp_pd::<_CMP_NEQ_UQ>(c.1, v.1)),
            _mm_blendv_pd(c.2, t.2, _mm_cmpneq_sd(c.2, v.2)),
        )
    }
    /// `noise == 0 ? 0 : q` per lane (KAMA's ratio).
    #[inline(always)]
    unsafe fn zero_where_zero(q: V9, noise: V9) -> V9 {
        let z = splat(0.0);
        V9(
            _mm256_andnot_pd(_mm256_cmp_pd::<_CMP_EQ_OQ>(noise.0, z.0), q.0),
            _mm256_andnot_pd(_mm256_cmp_pd::<_CMP_EQ_OQ>(noise.1, z.1), q.1),
            _mm_andnot_pd(_mm_cmpeq_sd(noise.2, z.2), q.2),
        )
    }
    #[inline(always)]
    unsafe fn load(x: &[f64], i: usize) -> V9 {
        splat(x[i & (SERIES - 1)])
    }
    #[inline(always)]
    unsafe fn sum(v: V9) -> f64 {
        let mut a = [0.0; 4];
        let mut b = [0.0; 4];
        _mm256_storeu_pd(a.as_mut_ptr(), v.0);
        _mm256_storeu_pd(b.as_mut_ptr(), v.1);
        a.iter().chain(b.iter()).sum::<f64>() + _mm_cvtsd_f64(v.2)
    }

    /// Latency loop of one pass: its recurrence over BARS bars, nine lanes, one bar after the
    /// other (inputs that do not depend on the recurrence come from `x`, a price-like walk).
    #[target_feature(enable = "avx2")]
    pub unsafe fn latency(chain: Chain, x: &[f64], returns: &[f64], signs: &[f64]) -> f64 {
        assert!(x.len() == SERIES && returns.len() == SERIES && signs.len() == SERIES);
        let one = splat(1.0);
        match chain {
            Chain::None => 0.0,
            Chain::Ema | Chain::Dema => {
                let (a, w) = (splat(2.0 / 29.0), splat(1.0 - 2.0 / 29.0));
                let (mut e1, mut e2) = (splat(x[0]), splat(x[0]));
                for i in 0..BARS {
                    let v = load(x, i);
                    e1 = keep_where_equal(e1, v, add(mul(w, e1), mul(a, v)));
                    if let Chain::Dema = chain {
                        e2 = keep_where_equal(e2, e1, add(mul(w, e2), mul(a, e1)));
                    }
                }
                sum(e1) + sum(e2)
            }
            Chain::WmaSums => {
                let lf = splat(28.0);
                let (mut s, mut w) = (splat(0.0), splat(0.0));
                for i in 28..BARS + 28 {
                    let (v, old) = (load(x, i), load(x, i - 28));
                    w = sub(add(w, mul(lf, v)), s);
                    s = sub(add(s, v), old);
                }
                sum(w) + sum(s)
            }
            Chain::Kama => {
                let (span, slow) = (splat(0.602), splat(0.064));
                let (mut noise, mut k) = (splat(1e-3), splat(x[0]));
                for i in 29..BARS + 29 {
                    let (xi, old) = (load(x, i), load(x, i - 28));
                    let ad = abs(sub(xi, load(x, i - 1)));
                    let old_ad = abs(sub(old, load(x, i - 29)));
                    noise = sub(add(noise, ad), old_ad);
                    let ratio = zero_where_zero(div(abs(sub(xi, old)), noise), noise);
                    let t = add(mul(ratio, span), slow);
                    k = add(k, mul(mul(t, t), sub(xi, k)));
                }
                sum(k)
            }
            Chain::Signal => {
                let mut s = splat(0.0);
                for i in 0..BARS {
                    let t = load(signs, i);
                    s = add(t, mul(s, sub(one, mul(t, t))));
                }
                sum(s)
            }
            Chain::Equity9 | Chain::Layer2 => {
                // d is a run-time value in the pipeline (1 − decay/100): opaque here too, or
                // LLVM folds the exact `E·1.0` away and the chain looks shorter than it is
                let (d, floor) = (splat(std::hint::black_box(1.0)), splat(0.25));
                let mut e = splat(1.0);
                for i in 1..BARS {
                    let r = load(returns, i);
                    let s = load(signs, i);
                    e = max(mul(mul(e, d), add(one, mul(s, r))), floor);
                }
                sum(e)
            }
        }
    }
}

fn main() {
    #[cfg(target_arch = "x86_64")]
    {
        if !std::arch::is_x86_feature_detected!("avx2") {
            println!("peak probe: no AVX2 on this CPU (the pipeline's baseline twin is not modelled); skipped");
            return;
        }
        run();
    }
    #[cfg(not(target_arch = "x86_64"))]
    println!("peak probe: x86-64 only (the AVX2 twin's packing is what it models); skipped");
}

#[cfg(target_arch = "x86_64")]
fn run() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(15);
    // a price-like walk with flat runs, and the held signals it gives (−1, 0, 1)
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut p = 1.0;
    let x: Vec<f64> = (0..SERIES)
        .map(|_| {
            let u = rnd();
            if u > 0.1 {
                p *= 1.0 + (u - 0.55) * 0.01;
            }
            p
        })
        .collect();
    let signs: Vec<f64> = (0..SERIES).map(|_| ((rnd() * 3.0) as i32 - 1) as f64).collect();
    let returns: Vec<f64> = (0..SERIES).map(|i| if i == 0 { 0.0 } else { x[i] / x[i - 1] - 1.0 }).collect();
    let input: Vec<f64> = (0..260).map(|i| 1.0 + i as f64 * 1e-6).collect();

    println!("peak probe: the fused pipeline's arithmetic per bar (default config) at this machine's rates, AVX2 packing");
    println!("{:<28} {:>5} {:>6} {:>6} {:>5} {:>6} {:>7}  {:>9} {:>9} {:>9}", "pass", "×", "mul", "add", "div", "other", "total", "T ns/bar", "L ns/bar", "bound");
    assert_eq!(PASSES.len(), 15, "throughput_fn lists every pass");
    let (sink, out) = (std::cell::Cell::new(0.0), std::cell::RefCell::new([0.0f64; 64]));
    let mut loops: Vec<Box<dyn FnMut() + '_>> = Vec::new();
    for (index, pass) in PASSES.iter().enumerate() {
        let (f, iters) = (throughput_fn(index), iterations(pass));
        // SAFETY (both): AVX2 was detected in `main`.
        let (input, out) = (&input, &out);
        loops.push(Box::new(move || unsafe { f(iters, input, &mut out.borrow_mut()) }));
        let (chain, x, returns, signs, sink) = (pass.chain, &x, &returns, &signs, &sink);
        loops.push(Box::new(move || sink.set(sink.get() + unsafe { avx2::latency(chain, x, returns, signs) })));
    }
    let times = time_per_bar(&mut loops, runs);
    let (mut total, mut sum_t, mut sum_l, mut sum_bound, mut sum_t_min) = (Ops::default(), 0.0, 0.0, 0.0, 0.0);
    let mut passes_json = Vec::new();
    for (index, pass) in PASSES.iter().enumerate() {
        let ops = ops_per_bar(pass);
        total = Ops::new(total.mul + ops.mul, total.add + ops.add, total.div + ops.div, total.other + ops.other);
        let copies = pass.copies as f64;
        let (t, l) = (times[2 * index].0 * copies, times[2 * index + 1].0 * copies);
        let bound = t.max(l);
        sum_t += t;
        sum_l += l;
        sum_bound += bound;
        sum_t_min += times[2 * index].1.max(times[2 * index + 1].1) * copies;
        println!(
            "{:<28} {:>5} {:>6} {:>6} {:>5} {:>6} {:>7}  {:>9.2} {:>9.2} {:>9}",
            pass.name, pass.copies, ops.mul, ops.add, ops.div, ops.other, ops.total(), t, l,
            if l > t { "latency" } else { "throughput" }
        );
        passes_json.push(format!(
            "{{\"pass\":\"{}\",\"copies\":{},\"mul\":{},\"add\":{},\"div\":{},\"other\":{},\"tNsPerBar\":{:.3},\"lNsPerBar\":{:.3}}}",
            pass.name, pass.copies, ops.mul, ops.add, ops.div, ops.other, t, l
        ));
    }
    drop(loops);
    black_box((sink.get(), out.borrow()[0]));
    println!(
        "{:<28} {:>5} {:>6} {:>6} {:>5} {:>6} {:>7}  {:>9.2} {:>9.2} {:>9.2}",
        "per bar", "", total.mul, total.add, total.div, total.other, total.total(), sum_t, sum_l, sum_bound
    );
    println!("throughput bound (all passes' mix, no dependencies) {sum_t:.1} ns/bar; latency bound (the recurrences alone) {sum_l:.1} ns/bar; attainable = Σ max(T, L) = {sum_bound:.1} ns/bar (from the minima: {sum_t_min:.1}); medians of {runs} interleaved rounds");
    println!(
        "PEAK_JSON {{\"opsPerBar\":{{\"mul\":{},\"add\":{},\"div\":{},\"other\":{},\"total\":{}}},\"throughputNsPerBar\":{sum_t:.3},\"latencyNsPerBar\":{sum_l:.3},\"attainableNsPerBar\":{sum_bound:.3},\"attainableMinNsPerBar\":{sum_t_min:.3},\"runs\":{runs},\"passes\":[{}]}}",
        total.mul, total.add, total.div, total.other, total.total(), passes_json.join(",")
    );
}
