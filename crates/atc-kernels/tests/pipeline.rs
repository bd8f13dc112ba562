//! The fused pipeline: bit-identical to composing the single kernels; §12.3 smoke vectors;
//! validation.
#![allow(clippy::needless_range_loop)]

mod common;
use atc_kernels::*;
use common::*;

/// The pipeline written as a composition of the public single-series kernels.
fn compose(prices: &[f64], p: &Params) -> AtcOutputs {
    compose_kernels(prices, p).expect("a single kernel refused the input")
}

fn fused(prices: &[f64], p: &Params, ws: &mut Workspace) -> AtcOutputs {
    let m = prices.len() - p.cutout;
    let mut a = AtcOutputs::filled(m, f64::from_bits(0x7ff8_dead_beef_0000), -1.0, 9);
    a.compute(prices, p, ws).unwrap();
    // and without detail: same main output
    let mut out2 = vec![0.0; 13 * m];
    compute_atc(prices, p, &mut out2, None, ws).unwrap();
    assert_bits_eq("out13 with vs without detail", &a.out, &out2);
    // and the AVX2 twin (when the CPU has it): same bits, with and without detail
    let mut t = AtcOutputs::filled(m, 0.0, -1.0, 9);
    if let Some(res) = t.compute_avx2(prices, p, ws) {
        res.unwrap();
        assert_bits_eq("avx2 out13", &a.out, &t.out);
        assert_bits_eq("avx2 mas", &a.mas, &t.mas);
        assert_eq!(a.sigs, t.sigs, "avx2 signals");
        assert_bits_eq("avx2 equities", &a.eqs, &t.eqs);
        compute_atc_avx2_if_available(prices, p, &mut t.out, None, ws)
            .unwrap()
            .unwrap();
        assert_bits_eq("avx2 out13 without detail", &a.out, &t.out);
    }
    a
}

fn assert_same(tag: &str, a: &AtcOutputs, b: &AtcOutputs) {
    assert_bits_eq(&format!("{tag} out13"), &a.out, &b.out);
    assert_bits_eq(&format!("{tag} mas"), &a.mas, &b.mas);
    assert_eq!(a.sigs, b.sigs, "{tag} signals");
    assert_bits_eq(&format!("{tag} equities"), &a.eqs, &b.eqs);
}

fn variants() -> Vec<Params> {
    let d = Params::default();
    vec![
        d,
        Params {
            robustness: Robustness::Narrow,
            ..d
        },
        Params {
            robustness: Robustness::Wide,
            ..d
        },
        Params { cutout: 150, ..d },
        Params {
            lengths: [10, 8, 12, 9, 14, 7],
            ..d
        },
        Params {
            lengths: [7, 2 + 6, 7, 7, 7, 7],
            robustness: Robustness::Medium,
            ..d
        },
        Params {
            la: 0.5,
            de: 0.25,
            ..d
        },
        Params {
            weights: [2.0, 1.0, 0.5, 0.1, 3.0, 1.5],
            long_threshold: 0.3,
            short_threshold: -0.2,
            ..d
        },
        Params {
            strategy_mode: true,
            ..d
        },
        Params {
            cutout: 20,
            strategy_mode: true,
            robustness: Robustness::Wide,
            la: 0.1,
            de: 0.1,
            weights: [2.0, 1.0, 1.0, 1.0, 1.0, 0.5],
            long_threshold: 0.3,
            short_threshold: -0.2,
            ..d
        },
        Params {
            lengths: [60, 55, 70, 40, 50, 80],
            cutout: 3,
            ..d
        },
        // KAMA longer than the series is fine
        Params {
            lengths: [28, 28, 28, 28, 28, 5000],
            ..d
        },
    ]
}

#[test]
fn fused_is_bit_identical_to_composed_kernels() {
    let mut ws = Workspace::new();
    let mut count = 0;
    for (si, series) in [
        smoke_series(200),
        random_prices(1500, 1),
        random_prices(777, 2),
        random_prices(3000, 3),
        (0..400)
            .map(|i| 1.0 + ((i / 25) % 2) as f64 * 0.001)
            .collect::<Vec<f64>>(), // flat steps
    ]
    .iter()
    .enumerate()
    {
        for (vi, p) in variants().iter().enumerate() {
            if p.cutout >= series.len() {
                continue;
            }
            let a = compose(series, p);
            let b = fused(series, p, &mut ws);
            assert_same(&format!("series {si} variant {vi}"), &a, &b);
            count += 1;
        }
    }
    assert!(count >= 50);
}

#[test]
fn fused_matches_composed_on_short_series() {
    // n just above the longest length: HMA diff series shorter than ⌊√L⌋ (all-NaN HMAs),
    // KAMAs that never leave their flat start, cutout close to n.
    let mut ws = Workspace::new();
    let d = Params::default();
    for n in 34..48 {
        let x = random_prices(n, n as u64);
        for p in [
            d,
            Params { cutout: n - 1, ..d },
            Params {
                cutout: 5,
                strategy_mode: true,
                ..d
            },
            Params {
                lengths: [28, 28, 28, 28, 28, 60],
                ..d
            },
            Params {
                lengths: [7, 8, 7, 7, 7, 7],
                robustness: Robustness::Medium,
                ..d
            },
            Params {
                lengths: [8, 9, 8, 8, 8, 8],
                robustness: Robustness::Wide,
                ..d
            },
        ] {
            let a = compose(&x, &p);
            let b = fused(&x, &p, &mut ws);
            assert_same(&format!("n={n} {p:?}"), &a, &b);
        }
    }
}

#[test]
fn workspace_reuse_across_sizes_and_lambdas() {
    // a warm workspace from a larger run (and another λ) must not leak state
    let mut ws = Workspace::with_capacity(5000);
    let big = random_prices(5000, 11);
    let small = random_prices(300, 12);
    let p1 = Params {
        la: 0.3,
        ..Params::default()
    };
    let p2 = Params::default();
    let _ = fused(&big, &p1, &mut ws);
    let a = fused(&small, &p2, &mut ws);
    let b = fused(&small, &p2, &mut Workspace::new());
    assert_same("reuse", &a, &b);
    let c = fused(&big, &p2, &mut ws);
    let d = compose(&big, &p2);
    assert_same("reuse big", &c, &d);
}

// ------------------------------------------------------------------------------ §12.3

fn run_atc(prices: &[f64], p: &Params) -> AtcOutputs {
    fused(prices, p, &mut Workspace::new())
}

fn row(c: &AtcOutputs, r: usize, m: usize) -> &[f64] {
    &c.out[r * m..(r + 1) * m]
}

fn last3(v: &[f64]) -> &[f64] {
    &v[v.len() - 3..]
}

fn nansum(v: &[f64]) -> f64 {
    v.iter().filter(|x| !x.is_nan()).sum()
}

const TOL: f64 = 1e-9;

#[test]
fn smoke_vector_single_mas() {
    let x = smoke_series(200);
    assert_eq!(
        &x[..12],
        &[100., 102.5, 105., 107.5, 102.75, 105.25, 107.75, 110.25, 105.5, 108., 110.5, 105.75]
    );
    let mut out = vec![0.0; 200];
    let cases: [(MaKind, usize, [f64; 3]); 6] = [
        (
            MaKind::Ema,
            27,
            [110.1875, 110.81249999999999, 117.26888533786405],
        ),
        (
            MaKind::Hma,
            31,
            [118.08142857142857, 118.63690476190476, 122.80396825396824],
        ),
        (
            MaKind::Wma,
            27,
            [112.57142857142857, 113.19642857142857, 118.75],
        ),
        (
            MaKind::Dema,
            27,
            [110.1875, 111.39439655172411, 121.43640731857259],
        ),
        (
            MaKind::Lsma,
            27,
            [116.80952380952381, 117.3234126984127, 123.0515873015873],
        ),
        (MaKind::Kama, 0, [100.0, 100.0, 113.90154441113484]),
    ];
    for (kind, first, vals) in cases {
        moving_average(kind, &x, 28, &mut out).unwrap();
        assert!(out[..first].iter().all(|v| v.is_nan()), "{kind:?} warm-up");
        let got = [out[first], out[first + 1], out[199]];
        assert_vec_close(&format!("{kind:?}"), &got, &vals, 1e-12);
    }
}

#[test]
fn smoke_vector_pipeline_default() {
    let x = smoke_series(200);
    let m = 200;
    let c = run_atc(&x, &Params::default());
    let l1 = |f: usize| row(&c, f, m);
    let e2 = |f: usize| row(&c, 6 + f, m);
    let avg = row(&c, 12, m);

    // per family: Layer-1 last three and Σ (where the reference notes list them), Layer-2 last three
    #[allow(clippy::type_complexity)]
    let families: [(&str, Option<[f64; 3]>, Option<f64>, [f64; 3]); 6] = [
        (
            "EMA",
            Some([1., 1., 1.]),
            Some(-4.43),
            [0.6148397847598255, 0.6274052128595177, 0.6399643250851752],
        ),
        (
            "HMA",
            Some([-1., 1., 1.]),
            Some(6.01),
            [0.25, 0.25, 0.25500438630738215],
        ),
        (
            "WMA",
            Some([1., 1., 1.]),
            None,
            [0.7005979123633729, 0.7149159719828154, 0.7292268347872938],
        ),
        (
            "DEMA",
            None,
            None,
            [0.6359895854889952, 0.6489872502574465, 0.6619783818928624],
        ),
        (
            "LSMA",
            Some([-1., 1., 1.]),
            Some(6.23),
            [0.25, 0.25, 0.25500438630738215],
        ),
        (
            "KAMA",
            Some([1., 1., 1.]),
            Some(89.84),
            [0.5127488071678783, 0.5232278106894017, 0.5337015470552241],
        ),
    ];
    for (f, (name, l1_last, l1_sum, e2_last)) in families.iter().enumerate() {
        if let Some(v) = l1_last {
            assert_vec_close(&format!("{name}_Signal"), last3(l1(f)), v, TOL);
        }
        if let Some(sum) = l1_sum {
            assert!(
                (nansum(l1(f)) - sum).abs() < 1e-9,
                "{name} Σ {}",
                nansum(l1(f))
            );
        }
        assert_vec_close(&format!("{name}_S"), last3(e2(f)), e2_last, TOL);
    }
    assert_vec_close(
        "Average_Signal",
        last3(avg),
        &[0.6626381261734705, 1.0, 1.0],
        TOL,
    );
    assert!(
        close(nansum(avg), 18.736441248124628, TOL),
        "Avg Σ {}",
        nansum(avg)
    );

    // early bars
    assert_vec_close(
        "KAMA_Signal[0:6]",
        &l1(5)[..6],
        &[0., 1., 1., 1., 1., 1.],
        TOL,
    );
    assert_vec_close(
        "KAMA_S[0:4]",
        &e2(5)[..4],
        &[1.0, 0.9997, 1.0237766769951984, 1.0478393286113146],
        TOL,
    );
    assert_vec_close(
        "EMA_S[0:3]",
        &e2(0)[..3],
        &[1.0, 0.9997, 0.9994000900000001],
        TOL,
    );
    assert_vec_close(
        "LSMA_Signal[20:26]",
        &l1(4)[20..26],
        &[0., 0., -0.11, -0.11, 0.22, 0.22],
        TOL,
    );
    assert_vec_close(
        "HMA_Signal[24:30]",
        &l1(1)[24..30],
        &[0., 0., -0.11, -0.11, 0.22, -0.21],
        TOL,
    );
    assert_vec_close(
        "Average_Signal[0:6]",
        &avg[..6],
        &[
            0.0,
            0.16666666666666669,
            0.17004062023902494,
            0.17338743326902803,
            0.16700509450887016,
            0.17037651069053947,
        ],
        TOL,
    );
    // the detail MAs after cutout are the single MAs
    let mut ema28 = vec![0.0; 200];
    ema(&x, 28, &mut ema28).unwrap();
    assert_bits_eq("detail EMA28", &c.mas[..200], &ema28);
}

#[test]
fn smoke_vector_pipeline_variant() {
    let x = smoke_series(200);
    let p = Params {
        cutout: 20,
        strategy_mode: true,
        robustness: Robustness::Wide,
        la: 0.1,
        de: 0.1,
        weights: [2.0, 1.0, 1.0, 1.0, 1.0, 0.5],
        long_threshold: 0.3,
        short_threshold: -0.2,
        ..Params::default()
    };
    let m = 180;
    let c = run_atc(&x, &p);
    assert_eq!(c.out.len(), 13 * m);
    assert_vec_close("EMA_Signal", last3(row(&c, 0, m)), &[1., 1., 1.], TOL);
    assert!((nansum(row(&c, 0, m)) - -4.4).abs() < 1e-9);
    assert_vec_close(
        "KAMA_S",
        last3(row(&c, 11, m)),
        &[0.2653884287887439, 0.2706991660126005, 0.2760015988315361],
        TOL,
    );
    let avg = row(&c, 12, m);
    assert_vec_close(
        "Average",
        last3(avg),
        &[0.29057461449757505, 0.6691456206359426, 1.0],
        TOL,
    );
    assert!(
        close(nansum(avg), -2.2960259950483763, TOL),
        "Σ {}",
        nansum(avg)
    );
    assert_eq!(avg[0], 0.0);
}

// ------------------------------------------------------------------------------ validation

#[test]
fn compute_atc_validation() {
    let x = smoke_series(200);
    let mut ws = Workspace::new();
    let mut out = vec![0.0; 13 * 200];
    let d = Params::default();
    let err = |p: Params, x: &[f64], out: &mut [f64], ws: &mut Workspace| {
        compute_atc(x, &p, out, None, ws).unwrap_err()
    };
    assert!(matches!(
        err(d, &[], &mut [], &mut ws),
        KernelError::Empty { .. }
    ));
    assert!(matches!(
        err(Params { cutout: 200, ..d }, &x, &mut out, &mut ws),
        KernelError::CutoutTooLarge { .. }
    ));
    assert!(matches!(
        err(d, &x, &mut out[1..], &mut ws),
        KernelError::LengthMismatch { .. }
    ));
    assert!(matches!(
        err(d, &x[..33], &mut out[..13 * 33], &mut ws),
        KernelError::SeriesTooShort { .. }
    ));
    // n = 34 works with the defaults (reference: 33 raises, 34 works)
    compute_atc(&x[..34], &d, &mut out[..13 * 34], None, &mut ws).unwrap();
    assert!(matches!(
        err(
            Params {
                lengths: [6, 28, 28, 28, 28, 28],
                ..d
            },
            &x,
            &mut out,
            &mut ws
        ),
        KernelError::LengthTooSmall { .. }
    ));
    // HMA: base 7 Medium gives a derived length of 1 → typed error
    assert!(matches!(
        err(
            Params {
                lengths: [28, 7, 28, 28, 28, 28],
                ..d
            },
            &x,
            &mut out,
            &mut ws
        ),
        KernelError::HmaLengthTooSmall { length: 1 }
    ));
    assert!(matches!(
        err(
            Params {
                lengths: [28, 28, 28, 28, 28, usize::MAX],
                ..d
            },
            &x,
            &mut out,
            &mut ws
        ),
        KernelError::Overflow { .. }
    ));
    for p in [
        Params {
            weights: [0.0, 1., 1., 1., 1., 1.],
            ..d
        },
        Params {
            weights: [1., 1., 1., 1., 1., f64::NAN],
            ..d
        },
        Params {
            la: f64::INFINITY,
            ..d
        },
        Params { de: -0.1, ..d },
        Params { de: 100.5, ..d },
        Params { de: f64::NAN, ..d },
        Params {
            long_threshold: f64::NAN,
            ..d
        },
        Params {
            short_threshold: f64::NAN,
            ..d
        },
    ] {
        assert!(matches!(
            err(p, &x, &mut out, &mut ws),
            KernelError::InvalidParameter { .. }
        ));
    }
    let mut a = vec![0.0; 54 * 200];
    let mut b = vec![0i8; 54 * 200 - 1];
    let mut c = vec![0.0; 54 * 200];
    let e = compute_atc(&x, &d, &mut out, Some((&mut a, &mut b, &mut c)), &mut ws).unwrap_err();
    assert!(
        matches!(
            e,
            KernelError::LengthMismatch {
                what: "signals",
                ..
            }
        ),
        "{e}"
    );
    // NaN / inf prices never panic
    let mut y = x.clone();
    y[50] = f64::NAN;
    y[60] = f64::INFINITY;
    y[70] = 0.0;
    compute_atc(&y, &d, &mut out, None, &mut ws).unwrap();
    // a single bar
    let mut o = vec![0.0; 13];
    compute_atc(
        &[1.0],
        &Params {
            lengths: [1 + 6, 2 + 6, 7, 7, 7, 7],
            ..d
        },
        &mut o,
        None,
        &mut ws,
    )
    .unwrap_err();
}
