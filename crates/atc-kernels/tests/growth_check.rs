//! `compute_atc`'s growth-check verdict (found in the pipeline's last loop) is exactly core's
//! scan of the outputs (growth.ts `firstNonFiniteBar`, written out in `common`), on both
//! semantics, both instruction-set twins, with and without details: on finite inputs, on
//! prices whose per-MA equities overflow (NaN Layer 1), and on Layer-2 starting equities whose
//! sum crosses the largest double mid-series (where the sum's order decides the bar).

mod common;
use atc_kernels::*;
use common::*;

fn from_of(p: &Params) -> usize {
    match p.semantics {
        Semantics::Reference => 0,
        Semantics::Pine => p.cutout,
    }
}

/// `compute_atc` (both twins, with and without details): every verdict equals the scan of the
/// outputs it wrote; returns that verdict.
fn verdict(x: &[f64], p: &Params, label: &str) -> Option<usize> {
    let m = p.output_bars(x.len());
    let mut ws = Workspace::new();
    let mut out = vec![0.0; 13 * m];
    let got = compute_atc(x, p, &mut out, None, &mut ws).unwrap();
    let want = first_non_finite_reference(&out, m, from_of(p));
    assert_eq!(got, want, "{label}: compute_atc");
    assert_eq!(
        first_non_finite_bar(&out, m, from_of(p)),
        want,
        "{label}: first_non_finite_bar"
    );
    let mut all = AtcOutputs::new(m);
    assert_eq!(
        all.compute(x, p, &mut ws).unwrap(),
        want,
        "{label}: with details"
    );
    assert_bits_eq(label, &all.out, &out);
    let mut twin = vec![0.0; 13 * m];
    if let Some(r) = compute_atc_avx2_if_available(x, p, &mut twin, None, &mut ws) {
        assert_eq!(r.unwrap(), want, "{label}: AVX2 twin");
    }
    want
}

fn configs() -> Vec<Params> {
    let mut all = Vec::new();
    for semantics in [Semantics::Reference, Semantics::Pine] {
        for (cutout, strategy_mode) in [(0, false), (30, true), (150, false)] {
            all.push(Params {
                lengths: [14, 20, 28, 10, 33, 9],
                cutout,
                strategy_mode,
                semantics,
                ..Params::default()
            });
        }
    }
    all
}

#[test]
fn the_verdict_is_core_scan_on_finite_and_overflowing_prices() {
    let mut overflowed = 0;
    let mut finite = 0;
    for (c, p) in configs().iter().enumerate() {
        for seed in 0..6u64 {
            let n = 400 + 97 * seed as usize;
            let plain = random_prices(n, seed);
            assert_eq!(verdict(&plain, p, &format!("config {c} walk {seed}")), None);
            finite += 1;
            // jumps before, at and after the cutout
            for jump in [60, 149, 151, 300] {
                let x = spiking_prices(n, seed, Some(jump));
                let got = verdict(&x, p, &format!("config {c} seed {seed} jump at {jump}"));
                overflowed += got.is_some() as usize;
            }
        }
    }
    assert!(
        overflowed > 50 && finite > 0,
        "{overflowed} overflowing cases"
    );
}

#[test]
fn the_verdict_is_core_scan_where_the_layer2_sum_crosses_the_largest_double() {
    // Six starting equities near f64::MAX / 6 on a rising series: the equities grow while Layer 1
    // is long, and their sum passes 1.8e308 at a bar that depends on the order of the additions.
    let mut crossings = Vec::new();
    for (c, base) in configs().iter().enumerate() {
        for seed in 0..24u64 {
            let mut rng_x = random_prices(600, 1000 + seed);
            for (i, v) in rng_x.iter_mut().enumerate() {
                *v *= 1.0 + 0.002 * i as f64; // a steady rise under the walk
            }
            let scale = 0.97 + 0.0025 * seed as f64;
            let weights =
                core::array::from_fn(|f| f64::MAX / 6.0 * scale * (1.0 + 0.001 * f as f64));
            let p = Params {
                weights,
                la: 0.2,
                ..*base
            };
            if let Some(bar) = verdict(&rng_x, &p, &format!("config {c} weights ×{scale}")) {
                crossings.push(bar);
            }
        }
    }
    // some sums overflow at once, some later, some never
    assert!(crossings.iter().any(|&b| b > 200), "{crossings:?}");
    assert!(crossings.len() < configs().len() * 24, "{crossings:?}");
}

#[test]
fn first_non_finite_bar_is_core_growth_check() {
    let m = 50;
    let clean = vec![0.5; 13 * m];
    assert_eq!(first_non_finite_bar(&clean, m, 0), None);
    // a NaN in Layer 1, an infinite Layer-2 equity, a Layer-2 sum past the largest double
    // (each row finite), a NaN in Average_Signal (row 12: not part of the rule), Pine's NaNs
    // before `from`
    type Case<'a> = (&'a [(usize, usize, f64)], usize, Option<usize>);
    let cases: [Case; 5] = [
        (&[(3, 17, f64::NAN)], 0, Some(17)),
        (&[(9, 40, f64::INFINITY), (1, 41, f64::NAN)], 0, Some(40)),
        (&[(6, 8, f64::MAX), (7, 8, f64::MAX)], 0, Some(8)),
        (&[(12, 2, f64::NAN)], 0, None),
        (
            &[(0, 3, f64::NAN), (8, 20, f64::NEG_INFINITY)],
            10,
            Some(20),
        ),
    ];
    for (k, (writes, from, want)) in cases.iter().enumerate() {
        let mut out = clean.clone();
        for &(row, bar, v) in writes.iter() {
            out[row * m + bar] = v;
        }
        assert_eq!(first_non_finite_bar(&out, m, *from), *want, "case {k}");
        assert_eq!(
            first_non_finite_reference(&out, m, *from),
            *want,
            "case {k} (reference)"
        );
    }
}
