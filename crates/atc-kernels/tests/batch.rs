//! Threaded batch (feature `std`): bit-identical to one `compute_atc` per series, validation
//! before any work, panics caught.
#![cfg(feature = "std")]

mod common;
use atc_kernels::*;
use common::*;

fn single(prices: &[f64], p: &Params) -> Vec<f64> {
    let m = prices.len() - p.cutout;
    let mut out = vec![0.0; 13 * m];
    compute_atc(prices, p, &mut out, None, &mut Workspace::new()).unwrap();
    out
}

fn batch(series: &[Vec<f64>], p: &Params, threads: usize) -> Vec<Vec<f64>> {
    let mut outs: Vec<Vec<f64>> = series
        .iter()
        .map(|s| vec![f64::from_bits(0x7ff8_dead_beef_0000); 13 * (s.len() - p.cutout)])
        .collect();
    let refs: Vec<&[f64]> = series.iter().map(|s| s.as_slice()).collect();
    let mut out_refs: Vec<&mut [f64]> = outs.iter_mut().map(|o| o.as_mut_slice()).collect();
    compute_atc_batch(&refs, p, &mut out_refs, threads).unwrap();
    outs
}

#[test]
fn threaded_batch_equals_sequential() {
    // uneven lengths so that the counter hands out work unevenly
    let series: Vec<Vec<f64>> = (0..23)
        .map(|i| random_prices(300 + 97 * i, 1000 + i as u64))
        .collect();
    for p in [
        Params::default(),
        Params {
            cutout: 40,
            strategy_mode: true,
            robustness: Robustness::Wide,
            la: 0.3,
            ..Params::default()
        },
    ] {
        let expected: Vec<Vec<f64>> = series.iter().map(|s| single(s, &p)).collect();
        for threads in [1, 2, 3, 8, 64] {
            let got = batch(&series, &p, threads);
            for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert_bits_eq(&format!("threads={threads} series {i}"), g, e);
            }
        }
    }
}

#[test]
fn batch_with_a_custom_kernel_and_the_avx2_twin() {
    let series: Vec<Vec<f64>> = (0..9)
        .map(|i| random_prices(500 + 31 * i, 77 + i as u64))
        .collect();
    let p = Params::default();
    let expected: Vec<Vec<f64>> = series.iter().map(|s| single(s, &p)).collect();
    let refs: Vec<&[f64]> = series.iter().map(|s| s.as_slice()).collect();
    let mut outs: Vec<Vec<f64>> = series.iter().map(|s| vec![0.0; 13 * s.len()]).collect();
    let mut out_refs: Vec<&mut [f64]> = outs.iter_mut().map(|o| o.as_mut_slice()).collect();
    compute_atc_batch_with(&refs, &p, &mut out_refs, 4, |x, par, out, ws| {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { compute_atc_avx2(x, par, out, None, ws) };
        }
        compute_atc(x, par, out, None, ws)
    })
    .unwrap();
    for (i, (g, e)) in outs.iter().zip(&expected).enumerate() {
        assert_bits_eq(&format!("series {i}"), g, e);
    }
}

#[test]
fn batch_validates_everything_before_writing() {
    let good = random_prices(200, 1);
    let short = random_prices(20, 2); // shorter than the longest MA
    let p = Params::default();
    let mut o1 = vec![-7.0; 13 * 200];
    let mut o2 = vec![-7.0; 13 * 20];
    {
        let mut outs: Vec<&mut [f64]> = vec![&mut o1, &mut o2];
        let err = compute_atc_batch(&[&good, &short], &p, &mut outs, 2).unwrap_err();
        assert!(
            matches!(
                err,
                BatchError::Invalid {
                    index: 1,
                    error: KernelError::SeriesTooShort { .. }
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("series[1]: "), "{err}");
    }
    assert!(o1.iter().all(|&v| v == -7.0), "nothing may be written");

    let mut wrong = vec![0.0; 13 * 200 - 1];
    let mut outs: Vec<&mut [f64]> = vec![&mut wrong];
    let err = compute_atc_batch(&[&good], &p, &mut outs, 1).unwrap_err();
    assert!(matches!(
        err,
        BatchError::Invalid {
            index: 0,
            error: KernelError::LengthMismatch { .. }
        }
    ));

    let mut outs: Vec<&mut [f64]> = vec![&mut o1];
    let err = compute_atc_batch(&[&good, &good], &p, &mut outs, 1).unwrap_err();
    assert_eq!(err, BatchError::CountMismatch { series: 2, outs: 1 });

    // empty batch and threads = 0 are fine
    compute_atc_batch(&[], &p, &mut [], 0).unwrap();
    let bad = Params {
        de: 200.0,
        ..Params::default()
    };
    let mut outs: Vec<&mut [f64]> = vec![&mut o1];
    assert!(matches!(
        compute_atc_batch(&[&good], &bad, &mut outs, 1),
        Err(BatchError::Invalid { index: 0, .. })
    ));
}

#[test]
fn panics_inside_workers_are_caught() {
    let series: Vec<Vec<f64>> = (0..12).map(|i| random_prices(200 + i, i as u64)).collect();
    let refs: Vec<&[f64]> = series.iter().map(|s| s.as_slice()).collect();
    let p = Params::default();
    let mut outs: Vec<Vec<f64>> = series.iter().map(|s| vec![0.0; 13 * s.len()]).collect();
    let mut out_refs: Vec<&mut [f64]> = outs.iter_mut().map(|o| o.as_mut_slice()).collect();
    let err = compute_atc_batch_with(&refs, &p, &mut out_refs, 3, |x, par, out, ws| {
        if x.len() == 205 {
            panic!("deliberate panic in a worker");
        }
        compute_atc(x, par, out, None, ws)
    })
    .unwrap_err();
    match err {
        BatchError::Panic { index, message } => {
            assert_eq!(index, 5);
            assert!(message.contains("deliberate panic"), "{message}");
        }
        other => panic!("expected a panic error, got {other:?}"),
    }
}

#[test]
fn checked_batch_reports_each_series_growth_check_and_the_same_bits() {
    // Prices near 1e−300 that jump ×1e60 for nine bars (as in the conformance suite): a held
    // long position's equity compounds past 1.8e308 there. Series 0, 3, 6 keep their walk.
    let series: Vec<Vec<f64>> = (0..7)
        .map(|i| {
            spiking_prices(
                400 + 150 * i,
                50 + i as u64,
                (i % 3 != 0).then_some(120 + 40 * i),
            )
        })
        .collect();
    for p in [
        Params::default(),
        Params {
            cutout: 30,
            semantics: Semantics::Pine,
            ..Params::default()
        },
    ] {
        let refs: Vec<&[f64]> = series.iter().map(|s| s.as_slice()).collect();
        let m = |s: &Vec<f64>| p.output_bars(s.len());
        let mut outs: Vec<Vec<f64>> = series.iter().map(|s| vec![0.0; 13 * m(s)]).collect();
        let mut out_refs: Vec<&mut [f64]> = outs.iter_mut().map(|o| o.as_mut_slice()).collect();
        let mut report = vec![Some(usize::MAX); series.len()];
        compute_atc_batch_checked_with(
            &refs,
            &p,
            &mut out_refs,
            3,
            |x, par, out, ws| compute_atc(x, par, out, None, ws),
            &mut report,
        )
        .unwrap();
        let from = if p.semantics == Semantics::Pine {
            p.cutout
        } else {
            0
        };
        let mut overflowed = 0;
        for (i, s) in series.iter().enumerate() {
            let mut single = vec![0.0; 13 * m(s)];
            compute_atc(s, &p, &mut single, None, &mut Workspace::new()).unwrap();
            assert_bits_eq(&format!("series {i}"), &outs[i], &single);
            assert_eq!(
                report[i],
                first_non_finite_reference(&single, m(s), from),
                "series {i}"
            );
            overflowed += report[i].is_some() as usize;
        }
        assert!(overflowed > 0 && overflowed < series.len(), "{report:?}");
    }
    let mut short_report = vec![None; 1];
    let s = random_prices(200, 3);
    let mut o = vec![0.0; 13 * 200];
    let mut outs: Vec<&mut [f64]> = vec![&mut o, &mut []];
    assert!(matches!(
        compute_atc_batch_checked_with(
            &[&s, &s],
            &Params::default(),
            &mut outs,
            1,
            |x, par, out, ws| compute_atc(x, par, out, None, ws),
            &mut short_report
        ),
        Err(BatchError::CountMismatch { series: 2, outs: 1 })
    ));
}

#[test]
fn price_check_refuses_the_lowest_bad_series_before_computing_anything() {
    let p = Params::default();
    let series: Vec<Vec<f64>> = (0..9)
        .map(|i| random_prices(250 + 13 * i, 90 + i as u64))
        .collect();
    let kernel = |x: &[f64], par: &Params, out: &mut [f64], ws: &mut Workspace| {
        compute_atc(x, par, out, None, ws)
    };
    // Every kind of bad price core refuses, alone and with a second bad series after it.
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, -3.5] {
        for (first, second) in [(4, None), (2, Some(7)), (0, Some(8)), (8, None)] {
            let mut broken = series.clone();
            broken[first][first * 11 % 250] = bad;
            if let Some(j) = second {
                broken[j][0] = f64::NAN;
            }
            let refs: Vec<&[f64]> = broken.iter().map(|s| s.as_slice()).collect();
            for threads in [1, 2, 5] {
                let mut outs: Vec<Vec<f64>> =
                    broken.iter().map(|s| vec![-7.0; 13 * s.len()]).collect();
                let mut out_refs: Vec<&mut [f64]> =
                    outs.iter_mut().map(|o| o.as_mut_slice()).collect();
                let mut growth = vec![Some(usize::MAX); broken.len()];
                let checks = BatchChecks {
                    growth: Some(&mut growth),
                    prices: true,
                };
                let err = compute_atc_batch_checks_with(
                    &refs,
                    &p,
                    &mut out_refs,
                    threads,
                    kernel,
                    checks,
                )
                .unwrap_err();
                assert_eq!(
                    err,
                    BatchError::BadPrice { index: first },
                    "{bad} threads={threads}"
                );
                assert!(
                    err.to_string().starts_with(&format!("series[{first}]: ")),
                    "{err}"
                );
                assert!(
                    outs.iter().flatten().all(|&v| v == -7.0),
                    "nothing may be written"
                );
                assert!(
                    growth.iter().all(|g| *g == Some(usize::MAX)),
                    "no report may be written"
                );
            }
        }
    }
    // Good prices: the same bits and growth reports as without the check (tiny and huge
    // finite prices pass, as in core).
    let mut edge = series.clone();
    edge[3][5] = f64::MIN_POSITIVE;
    edge[6][9] = f64::MAX;
    let refs: Vec<&[f64]> = edge.iter().map(|s| s.as_slice()).collect();
    let run = |prices: bool| {
        let mut outs: Vec<Vec<f64>> = edge.iter().map(|s| vec![0.0; 13 * s.len()]).collect();
        let mut out_refs: Vec<&mut [f64]> = outs.iter_mut().map(|o| o.as_mut_slice()).collect();
        let mut growth = vec![Some(usize::MAX); edge.len()];
        let checks = BatchChecks {
            growth: Some(&mut growth),
            prices,
        };
        compute_atc_batch_checks_with(&refs, &p, &mut out_refs, 3, kernel, checks).unwrap();
        (outs, growth)
    };
    let (checked, checked_growth) = run(true);
    let (plain, plain_growth) = run(false);
    for (i, (c, e)) in checked.iter().zip(&plain).enumerate() {
        assert_bits_eq(&format!("series {i}"), c, e);
    }
    assert_eq!(checked_growth, plain_growth);
    assert!(checked_growth.iter().all(|g| *g != Some(usize::MAX)));
}
