//! Known-value tests: reference-notes §12.1 / §12.2, fdlibm exp, rounding, pairwise sums,
//! validation errors.

mod common;
use atc_kernels::*;
use common::*;

const P: [f64; 10] = [10., 11., 12., 11., 10., 11., 12., 13., 12., 11.];

fn run(f: fn(&[f64], usize, &mut [f64]) -> KResult, x: &[f64], l: usize) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    f(x, l, &mut out).unwrap();
    out
}

// ------------------------------------------------------------------------------ §12.2 MAs

#[test]
fn ema3() {
    let e = [
        NAN, NAN, 11., 11., 10.5, 10.75, 11.375, 12.1875, 12.09375, 11.546875,
    ];
    assert_bits_eq("EMA3", &run(ema, &P, 3), &e);
}

#[test]
fn dema3() {
    let e = [
        NAN, NAN, 11., 11., 10.25, 10.75, 11.6875, 12.75, 12.328125, 11.390625,
    ];
    assert_bits_eq("DEMA3", &run(dema, &P, 3), &e);
}

#[test]
fn wma3() {
    let e = [
        NAN,
        NAN,
        11.333333333333334,
        11.333333333333334,
        10.666666666666666,
        10.666666666666666,
        11.333333333333334,
        12.333333333333334,
        12.333333333333334,
        11.666666666666666,
    ];
    assert_vec_close("WMA3", &run(wma, &P, 3), &e, 1e-15);
}

#[test]
fn lsma3_pandas_ta() {
    let e = [
        NAN,
        NAN,
        11.,
        11.333333333333334,
        11.,
        10.666666666666666,
        11.,
        12.,
        12.333333333333334,
        12.,
    ];
    assert_vec_close("LSMA3", &run(lsma, &P, 3), &e, 1e-14);
    // equal to SMA3 for L = 3
    assert_vec_close("LSMA3 vs SMA3", &run(lsma, &P, 3), &run(sma, &P, 3), 1e-14);
}

#[test]
fn sma3() {
    let out = run(sma, &[10., 11., 12., 11., 10.], 3);
    assert_eq!(out[2], 11.0);
    assert!(out[0].is_nan() && out[1].is_nan());
}

#[test]
fn hma4_hma5_hma2() {
    let e4 = [
        NAN,
        NAN,
        NAN,
        NAN,
        10.4,
        10.31111111111111,
        11.6,
        12.933333333333332,
        12.755555555555555,
        11.4,
    ];
    assert_vec_close("HMA4", &run(hma, &P, 4), &e4, 1e-13);
    let e5 = [
        NAN, NAN, NAN, NAN, NAN, 10.266667, 11.577778, 13.066667, 12.955556, 11.466667,
    ];
    assert_vec_abs("HMA5", &run(hma, &P, 5), &e5, 6e-7);
    // HMA2: h = 1, s = 1 → 2·x − WMA(x, 2)
    let mut e2 = vec![NAN; 10];
    for i in 1..10 {
        e2[i] = 2.0 * P[i] - (P[i - 1] + 2.0 * P[i]) / 3.0;
    }
    assert_vec_close("HMA2", &run(hma, &P, 2), &e2, 1e-14);
    assert!((run(hma, &P, 2)[1] - 11.333333333333334).abs() < 1e-12);
}

#[test]
fn hma_first_valid_index() {
    let x = smoke_series(200);
    for l in 2..60usize {
        let out = run(hma, &x, l);
        let s = isqrt(l);
        let first = l - 2 + s;
        assert!(out[..first].iter().all(|v| v.is_nan()), "L={l}");
        assert!(out[first..].iter().all(|v| v.is_finite()), "L={l}");
    }
}

#[test]
fn kama3_and_more() {
    let e = [
        10.,
        10.,
        10.,
        10.070048444444444,
        10.065141659875357,
        10.130627032377003,
        10.261573700845489,
        11.476219116393267,
        11.512909152519656,
        11.476980664244335,
    ];
    assert_vec_close("KAMA3", &run(kama, &P, 3), &e, 1e-14);

    let e2 = [10., 10., 10.887112, 10.887574389248, 10.493885443450713];
    assert_vec_close(
        "KAMA2",
        &run(kama, &[10., 11., 12., 11., 10.], 2),
        &e2,
        1e-14,
    );

    let x: Vec<f64> = (10..=16).chain((11..=15).rev()).map(|v| v as f64).collect();
    assert_eq!(x.len(), 12);
    let e5 = [
        10.,
        10.,
        10.,
        10.,
        10.,
        12.217780000000001,
        13.895406374320002,
        14.095111423058562,
        14.09187731510019,
        14.054749817679005,
        13.683261242201736,
        12.493084618655702,
    ];
    assert_vec_close("KAMA5", &run(kama, &x, 5), &e5, 1e-14);
}

#[test]
fn kama_short_series_stays_flat() {
    assert_eq!(run(kama, &[5.0, 6.0, 7.0], 3), vec![5.0, 5.0, 5.0]);
    assert_eq!(run(kama, &[5.0, 6.0], 10), vec![5.0, 5.0]);
    assert_eq!(run(kama, &[], 10), Vec::<f64>::new());
}

#[test]
fn ema_keeps_state_on_equal_input() {
    // e == x keeps e exactly (flat runs)
    let x = [1.1, 1.1, 1.1, 1.1, 1.1, 1.1];
    let out = run(ema, &x, 3);
    let seed = pairwise_sum(&x[..3]) / 3.0;
    for v in &out[2..] {
        assert_eq!(v.to_bits(), seed.to_bits());
    }
}

#[test]
fn moving_average_dispatch() {
    for (kind, f) in [
        (MaKind::Sma, sma as fn(&[f64], usize, &mut [f64]) -> KResult),
        (MaKind::Ema, ema),
        (MaKind::Wma, wma),
        (MaKind::Hma, hma),
        (MaKind::Dema, dema),
        (MaKind::Lsma, lsma),
        (MaKind::Kama, kama),
    ] {
        let mut a = vec![0.0; 10];
        moving_average(kind, &P, 4, &mut a).unwrap();
        assert_bits_eq("dispatch", &a, &run(f, &P, 4));
        assert_eq!(MaKind::from_index(kind as u32), Some(kind));
    }
    assert_eq!(MaKind::from_index(7), None);
}

#[test]
fn sma_wma_match_naive_windows() {
    let x = random_prices(500, 7);
    for l in [1usize, 2, 3, 7, 28, 100] {
        let s = run(sma, &x, l);
        let w = run(wma, &x, l);
        for i in l - 1..x.len() {
            let win = &x[i + 1 - l..=i];
            let ns: f64 = win.iter().sum::<f64>() / l as f64;
            let nw: f64 = win
                .iter()
                .enumerate()
                .map(|(j, v)| (j + 1) as f64 * v)
                .sum::<f64>()
                / (l * (l + 1) / 2) as f64;
            assert!(close(s[i], ns, 1e-12), "SMA{l}[{i}]");
            assert!(close(w[i], nw, 1e-12), "WMA{l}[{i}]");
        }
    }
}

// ------------------------------------------------------------------------------ §12.1

fn xover(p: &[f64], m: f64) -> Vec<i8> {
    let ma = vec![m; p.len()];
    let mut out = vec![9i8; p.len()];
    crossover_signal(p, &ma, &mut out).unwrap();
    out
}

#[test]
fn crossover_vectors() {
    assert_eq!(
        xover(&[90., 110., 115., 120., 80., 75.], 100.),
        vec![0, 1, 1, 1, -1, -1]
    );
    assert_eq!(xover(&[10., 10., 12., 13.], 11.), vec![0, 0, 1, 1]);
    assert_eq!(xover(&[12., 12., 10., 9.], 11.), vec![0, 0, -1, -1]);
    assert_eq!(
        xover(&[10., 12., 10., 12., 10.], 11.),
        vec![0, 1, -1, 1, -1]
    );
    assert_eq!(xover(&[10., 12., 11., 9., 10.], 10.), vec![0, 1, 1, -1, -1]);
    // NaN MA never crosses; a tie at the previous bar counts as "below"
    let mut out = vec![0i8; 4];
    crossover_signal(&[1., 2., 3., 4.], &[NAN, NAN, 2.5, 5.], &mut out).unwrap();
    assert_eq!(out, vec![0, 0, 0, -1]);
    crossover_signal(&[1., 2., 3., 4.], &[1., 2., 2.5, 5.], &mut out).unwrap();
    assert_eq!(out, vec![0, 0, 1, -1]);
    let mut e: [i8; 0] = [];
    crossover_signal(&[], &[], &mut e).unwrap();
}

#[test]
fn persistence_vectors() {
    let t = |up: &[u8], dn: &[u8]| {
        let mut o = vec![0i8; up.len()];
        persist_signal(up, dn, &mut o).unwrap();
        o
    };
    assert_eq!(t(&[1, 0, 0, 0], &[0, 0, 1, 0]), vec![1, 1, -1, -1]);
    assert_eq!(
        t(&[1, 0, 0, 1, 0], &[0, 1, 0, 0, 1]),
        vec![1, -1, -1, 1, -1]
    );
    assert_eq!(t(&[1], &[1]), vec![1]);
    assert_eq!(t(&[0, 7], &[5, 5]), vec![-1, 1]);
    assert_eq!(t(&[], &[]), Vec::<i8>::new());
}

#[test]
fn roc_vectors() {
    let mut o = vec![0.0; 5];
    rate_of_change(&[100., 102., 105., 103., 107.], &mut o).unwrap();
    assert!(o[0].is_nan());
    assert!(close(o[1], 0.02, 1e-14));
    assert!(close(o[2], 0.029411764705882353, 1e-14));
    assert_eq!(o[1], 102.0 / 100.0 - 1.0);
    let mut o = vec![0.0; 3];
    rate_of_change(&[10., 11., 12.1], &mut o).unwrap();
    assert!(close(o[1], 0.1, 1e-14) && close(o[2], 0.1, 1e-14));
}

#[test]
fn lambda_and_decay_scaling() {
    let p = Params::default();
    assert_eq!(p.lambda(), 0.00002);
    assert_eq!(p.decay_multiplier(), 0.9997);
    assert_eq!(0.03 / 100.0, 0.0003);
}

#[test]
fn growth_vectors() {
    let mut g = vec![0.0; 1000];
    growth(0.00002, &mut g).unwrap();
    assert!(g.iter().cloned().fold(0.0, f64::max) < 1.1);
    growth(0.02, &mut g).unwrap();
    assert!(g.iter().cloned().fold(0.0, f64::max) > 1e6);
    let mut g = vec![0.0; 10];
    growth(0.02, &mut g).unwrap();
    assert_eq!(g[0], g[1]);
    assert!(g[2] > g[0]);
    // §12.3 values (reference used pow(e, x): ≤ 1 ulp)
    let mut g = vec![0.0; 200];
    growth(0.02 / 1000.0, &mut g).unwrap();
    assert!(ulps(g[0], 1.0000200002000013) <= 1);
    assert!(ulps(g[199], 1.0039879307179285) <= 1);
    // overflow → f64::MAX
    growth(10.0, &mut g).unwrap();
    assert_eq!(g[199], f64::MAX);
}

#[test]
fn scaled_returns_vector() {
    let x = smoke_series(200);
    let mut r = vec![0.0; 200];
    scaled_returns(&x, 0.00002, &mut r).unwrap();
    assert!(r[0].is_nan());
    let mut roc = vec![0.0; 200];
    rate_of_change(&x, &mut roc).unwrap();
    assert_eq!(roc[1], 0.02499999999999991);
    for i in 1..200 {
        assert_eq!(r[i].to_bits(), (roc[i] * growth_at(0.00002, i)).to_bits());
    }
}

fn eq(r: &[f64], sig: &[f64], s: f64, d: f64, c: usize) -> Vec<f64> {
    let mut o = vec![0.0; r.len()];
    equity_curve(r, sig, s, d, c, &mut o).unwrap();
    o
}

#[test]
fn equity_vectors() {
    // CuPy test: sp = [0,1,1,-1] is the *shifted* signal; our kernel takes sig with sig[i-1] = sp[i]
    let e = eq(&[0., 0.1, -0.1, 0.1], &[1., 1., -1., 0.], 1.0, 1.0, 0);
    assert_vec_close("eq1", &e, &[1.0, 1.1, 0.99, 0.891], 1e-15);
    // Rust equity.rs: sp = [1,1,-1]
    let e = eq(&[0.01, 0.02, -0.01], &[1., -1., 0.], 100.0, 1.0, 0);
    assert_vec_close("eq2", &e, &[100., 102., 103.02], 1e-15);
    // cutout = 2 with sp = [1,1,-1,1]
    let e = eq(
        &[0.01, 0.02, -0.01, 0.03],
        &[1., -1., 1., 0.],
        100.0,
        1.0,
        2,
    );
    assert_vec_close("eq3", &e, &[NAN, NAN, 100., 103.], 1e-15);
    // floor at 0.25, also on the first bar
    let e = eq(&[NAN, -0.9], &[1., 1.], 0.1, 0.9997, 0);
    assert_eq!(e, vec![0.25, 0.25]);
    // NaN signal or NaN return → no position
    let e = eq(&[NAN, 0.5, -0.2, NAN], &[1., NAN, 1., 1.], 1.0, 0.9997, 0);
    let e1 = (1.0 * 0.9997) * (1.0 + 0.5);
    let e2 = (e1 * 0.9997) * 1.0;
    let e3 = (e2 * 0.9997) * 1.0;
    assert_eq!(e, vec![1.0, e1, e2, e3]);
    // short position
    let e = eq(&[NAN, 0.5, -0.2], &[-1., -1., 0.], 1.0, 0.9997, 0);
    assert_eq!(e[1], floor((1.0 * 0.9997) * (1.0 - 0.5)));
    assert_eq!(e[2], floor((e[1] * 0.9997) * (1.0 + 0.2)));
    // decay only
    let e = eq(&[NAN, 0.1, 0.1], &[0., 0., 0.], 1.0, 0.9997, 0);
    assert_eq!(e, vec![1.0, 0.9997, 0.9997 * 0.9997]);
}

fn floor(v: f64) -> f64 {
    if v < 0.25 {
        0.25
    } else {
        v
    }
}

#[test]
fn layer1_vectors() {
    let mut o = vec![0.0; 3];
    layer1_signal(&[1, 2, 3, 2, 3, 4], &[1., 1., 1., 2., 2., 2.], &mut o).unwrap();
    assert_eq!(o[0], 1.67);
    let mut o = vec![0.0; 1];
    layer1_signal(&[1, 2], &[1., 1.], &mut o).unwrap();
    assert_eq!(o[0], 1.5);
    // half-even ties: 0.125 → 0.12, 0.375 → 0.38; non-finite → NaN; −0.004 → −0.0
    layer1_signal(&[1], &[0.125], &mut o).unwrap(); // 1·0.125/0.125 = 1
    assert_eq!(o[0], 1.0);
    assert_eq!(round2(0.125), 0.12);
    assert_eq!(round2(0.375), 0.38);
    assert_eq!(round2(-0.125), -0.12);
    assert_eq!(round2(-0.004).to_bits(), (-0.0f64).to_bits());
    layer1_signal(&[1, 1], &[0.0, 0.0], &mut o).unwrap();
    assert!(o[0].is_nan());
}

#[test]
fn average_vectors() {
    let avg = |l1: &[f64], e: &[f64], lo: f64, sh: f64, st: bool, n: usize| {
        let mut o = vec![9.0; n];
        average_signal(l1, e, lo, sh, st, &mut o).unwrap();
        o
    };
    // strict thresholds
    assert_eq!(
        avg(
            &[0.1, -0.1, 0.15, -0.15],
            &[1., 1., 1., 1.],
            0.1,
            -0.1,
            false,
            4
        ),
        vec![0., 0., 1., -1.]
    );
    // strategy shift
    assert_eq!(
        avg(&[0., 1., 0., -1.], &[1., 1., 1., 1.], 0.1, -0.1, true, 4),
        vec![0., 0., 1., 0.]
    );
    // cut_signal([0.6,0.4,0,-0.4,-0.6,NaN], 0.49)
    assert_eq!(
        avg(
            &[0.6, 0.4, 0., -0.4, -0.6, NAN],
            &[1.; 6],
            0.49,
            -0.49,
            false,
            6
        ),
        vec![1., 0., 0., 0., -1., 0.]
    );
    // two rows, weighted
    assert_eq!(
        avg(&[1., 1., -1., 0.5], &[1., 3., 3., 1.], 0.1, -0.1, false, 2),
        vec![-0.5, 1.0]
    );
    // non-finite → 0
    assert_eq!(avg(&[1.], &[0.], 0.1, -0.1, false, 1), vec![0.]);
}

// ------------------------------------------------------------------------------ exp

#[test]
fn exp_special_values() {
    assert!(exp(f64::NAN).is_nan());
    assert_eq!(exp(f64::INFINITY), f64::MAX);
    assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    assert_eq!(exp(709.79), f64::MAX);
    assert_eq!(exp(1000.0), f64::MAX);
    assert_eq!(exp(-746.0), 0.0);
    assert_eq!(exp(0.0), 1.0);
    assert_eq!(exp(-0.0), 1.0);
    assert_eq!(exp(1e-300), 1.0);
    // fdlibm's well-known result (Java StrictMath.exp(1) too): one ulp above E. V8 special-cases
    // x == 1 to return E, so Math.exp is *not* a drop-in replacement for this port.
    assert_eq!(exp(1.0), 2.7182818284590455);
    assert_eq!(exp(0.5), 1.6487212707001282);
    // largest finite result and the subnormal range
    assert!(exp(709.782712893384).is_finite()); // o_threshold itself
    assert!(ulps(exp(709.78), 709.78f64.exp()) <= 1);
    assert!(ulps(exp(-708.5), (-708.5f64).exp()) <= 1);
    assert!(ulps(exp(-740.0), (-740.0f64).exp()) <= 1);
}

#[test]
fn exp_within_one_ulp_of_libm() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut worst = 0;
    let mut differing = 0usize;
    let total = 2_000_000usize;
    for j in 0..total {
        let x = match j % 5 {
            0 => (rng.f64() - 0.5) * 2.0 * 709.0, // full range
            1 => (rng.f64() - 0.5) * 4.0,         // around the reduction cut-offs
            2 => rng.f64() * 0.5,                 // growth arguments λ·i
            3 => (rng.f64() - 0.5) * 1e-6,        // tiny
            _ => -708.0 - rng.f64() * 37.0,       // subnormal results
        };
        let a = exp(x);
        let b = x.exp();
        let u = ulps(a, b);
        if u > 0 {
            differing += 1;
        }
        worst = worst.max(u);
        assert!(u <= 1, "exp({x:e}) = {a:e}, libm {b:e} ({u} ulps)");
    }
    eprintln!("exp: {differing}/{total} differ from libm by 1 ulp, worst {worst}");
    // the growth arguments the pipeline uses
    for i in 0..100_000usize {
        let x = 0.00002 * i as f64;
        assert!(ulps(exp(x), x.exp()) <= 1);
    }
}

// ------------------------------------------------------------------------------ rounding, sums

#[test]
fn round_ties_even_matches_std() {
    let specials = [
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        0.49999999999999994,
        4503599627370495.5,
        4503599627370496.0,
        9007199254740993.0,
        1e300,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        12.5,
        13.5,
        -0.4,
    ];
    for &v in &specials {
        assert_eq!(
            round_ties_even(v).to_bits(),
            v.round_ties_even().to_bits(),
            "{v:e}"
        );
    }
    assert!(round_ties_even(f64::NAN).is_nan());
    let mut rng = Rng(12345);
    for j in 0..2_000_000 {
        let v = match j % 4 {
            0 => (rng.f64() - 0.5) * 400.0,
            1 => ((rng.f64() - 0.5) * 2000.0).round() / 2.0, // exact halves
            2 => f64::from_bits(rng.next_u64()),             // any bit pattern
            _ => ((rng.f64() - 0.5) * 2.0 * 100.0).round() / 100.0 * 100.0,
        };
        let a = round_ties_even(v);
        let b = v.round_ties_even();
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "{v:e}"
        );
    }
}

/// Straight port of numpy's pairwise_sum (reference for the test).
fn numpy_pairwise(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        numpy_pairwise(&a[..n2]) + numpy_pairwise(&a[n2..])
    }
}

#[test]
fn pairwise_sum_order() {
    let x = random_prices(3000, 99);
    for n in 0..600 {
        assert_eq!(
            pairwise_sum(&x[..n]).to_bits(),
            numpy_pairwise(&x[..n]).to_bits(),
            "n={n}"
        );
    }
    // known numpy value: sum of 0.1 × 10 is 1.0 pairwise (0.9999999999999999 sequential)
    assert_eq!(pairwise_sum(&[0.1; 10]), 1.0);
    let mut seq = 0.0;
    for _ in 0..10 {
        seq += 0.1;
    }
    assert_eq!(seq, 0.9999999999999999);
}

#[test]
fn isqrt_exact() {
    for n in 0..100_000usize {
        let s = isqrt(n);
        assert!(s * s <= n && (s + 1) * (s + 1) > n, "{n}");
    }
    assert_eq!(isqrt(usize::MAX), 4294967295);
}

// ------------------------------------------------------------------------------ validation

#[test]
fn validation_errors_never_panic() {
    let x = [1.0, 2.0, 3.0];
    let mut o3 = [0.0; 3];
    let mut o2 = [0.0; 2];
    for f in [sma, ema, wma, hma, dema, lsma, kama] {
        assert!(matches!(
            f(&x, 2, &mut o2),
            Err(KernelError::LengthMismatch { .. })
        ));
        assert!(matches!(
            f(&x, 0, &mut o3),
            Err(KernelError::LengthTooSmall { .. })
        ));
    }
    for f in [sma, ema, wma, hma, dema, lsma] {
        assert!(matches!(
            f(&x, 4, &mut o3),
            Err(KernelError::SeriesTooShort { .. })
        ));
        assert!(matches!(
            f(&[], 1, &mut []),
            Err(KernelError::SeriesTooShort { .. })
        ));
    }
    assert!(matches!(
        hma(&x, 1, &mut o3),
        Err(KernelError::HmaLengthTooSmall { length: 1 })
    ));
    assert!(kama(&x, 1_000_000, &mut o3).is_ok());
    assert!(kama(&x, usize::MAX, &mut o3).is_ok());
    for l in 1..=3 {
        for f in [sma, ema, wma, dema, lsma, kama] {
            f(&x, l, &mut o3).unwrap();
        }
    }
    hma(&x, 3, &mut o3).unwrap(); // first valid index L − 2 + ⌊√L⌋ = 2
    assert!(o3[..2].iter().all(|v| v.is_nan()) && o3[2].is_finite());
    let mut i3 = [0i8; 3];
    assert!(crossover_signal(&x, &x[..2], &mut i3).is_err());
    assert!(crossover_signal(&x, &x, &mut i3[..2]).is_err());
    assert!(persist_signal(&[1], &[1, 2], &mut i3[..1]).is_err());
    assert!(rate_of_change(&x, &mut o2).is_err());
    assert!(scaled_returns(&x, f64::NAN, &mut o3).is_err());
    assert!(scaled_returns(&x, 0.1, &mut o2).is_err());
    assert!(matches!(
        equity_curve(&x, &x, 1.0, 1.0, 3, &mut o3),
        Err(KernelError::CutoutTooLarge { cutout: 3, n: 3 })
    ));
    assert!(equity_curve(&x, &x, f64::NAN, 1.0, 0, &mut o3).is_err());
    assert!(equity_curve(&x, &x, 1.0, f64::INFINITY, 0, &mut o3).is_err());
    assert!(equity_curve(&x, &x[..2], 1.0, 1.0, 0, &mut o3).is_err());
    assert!(equity_curve(&[], &[], 1.0, 1.0, 0, &mut []).is_ok());
    assert!(equity_curve(&[], &[], 1.0, 1.0, 1, &mut []).is_err());
    assert!(matches!(
        layer1_signal(&[1, 1, 1], &[1., 1., 1.], &mut o2),
        Err(KernelError::NotRowMajor { .. })
    ));
    assert!(layer1_signal(&[1, 1], &[1., 1., 1.], &mut o2).is_err());
    assert!(layer1_signal(&[], &[], &mut o2).is_err());
    assert!(layer1_signal(&[], &[], &mut []).is_ok());
    assert!(average_signal(&x, &x[..2], 0.1, -0.1, false, &mut o3).is_err());
    // messages render
    let msg = alloc_msg(KernelError::CutoutTooLarge { cutout: 5, n: 5 });
    assert!(msg.contains("cutout (5)"), "{msg}");
}

fn alloc_msg(e: KernelError) -> String {
    format!("{e}")
}

#[test]
fn hma_short_diff_series_is_all_nan() {
    // L = 9 → s = 3; n = 10 gives a diff series of 2 values < 3 → all NaN
    let x: Vec<f64> = (0..10).map(|v| v as f64).collect();
    let out = run(hma, &x, 9);
    assert!(out.iter().all(|v| v.is_nan()));
    let x: Vec<f64> = (0..11).map(|v| v as f64).collect();
    let out = run(hma, &x, 9);
    assert!(out[..10].iter().all(|v| v.is_nan()) && out[10].is_finite());
}

#[test]
fn family_lengths_vectors() {
    assert_eq!(
        family_lengths(20, Robustness::Narrow).unwrap(),
        [20, 21, 22, 23, 24, 19, 18, 17, 16]
    );
    assert_eq!(
        family_lengths(20, Robustness::Medium).unwrap(),
        [20, 21, 22, 24, 26, 19, 18, 16, 14]
    );
    assert_eq!(
        family_lengths(20, Robustness::Wide).unwrap(),
        [20, 21, 23, 25, 27, 19, 17, 15, 13]
    );
    assert_eq!(
        family_lengths(28, Robustness::Medium).unwrap(),
        [28, 29, 30, 32, 34, 27, 26, 24, 22]
    );
    assert!(family_lengths(6, Robustness::Medium).is_err());
    assert!(family_lengths(7, Robustness::Medium).is_ok());
    assert!(family_lengths(4, Robustness::Narrow).is_err());
    assert!(family_lengths(5, Robustness::Narrow).is_ok());
    assert!(family_lengths(7, Robustness::Wide).is_err());
    assert!(family_lengths(8, Robustness::Wide).is_ok());
    assert!(family_lengths(usize::MAX, Robustness::Wide).is_err());
}
