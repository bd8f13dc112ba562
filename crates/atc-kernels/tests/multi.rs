//! `equity_curves` and `kama_multi` (and their AVX2 twins): bit-identical to one single-series
//! call per row, on random and hostile inputs.
#![allow(clippy::needless_range_loop)]

mod common;
use atc_kernels::*;
use common::*;

fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

fn equity_curves_twin(r: &[f64], s: &[f64], st: &[f64], d: f64, out: &mut [f64]) -> KResult {
    #[cfg(target_arch = "x86_64")]
    {
        assert!(avx2());
        // SAFETY: only called after `avx2()` returned true.
        unsafe { equity_curves_avx2(r, s, st, d, out) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (r, s, st, d, out);
        unreachable!()
    }
}

fn kama_multi_twin(x: &[f64], lens: &[usize], out: &mut [f64]) -> KResult {
    #[cfg(target_arch = "x86_64")]
    {
        assert!(avx2());
        // SAFETY: only called after `avx2()` returned true.
        unsafe { kama_multi_avx2(x, lens, out) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (x, lens, out);
        unreachable!()
    }
}

/// Series length, curve count and scaled returns of multi-curve test case `case` (every third
/// case with hostile returns: ±∞, NaN, 1e300).
fn curves_case(case: usize, seed: u64, rng: &mut Rng) -> (usize, usize, Vec<f64>) {
    let n = [1usize, 2, 3, 7, 64, 65, 130, 500][case % 8];
    let k = [1usize, 2, 7, 8, 9, 16, 17, 54][(case / 8) % 8];
    let prices = random_prices(n, case as u64 + seed);
    let mut r = vec![0.0; n];
    scaled_returns(&prices, 0.00002 * (case % 5) as f64, &mut r).unwrap();
    if case.is_multiple_of(3) && n > 2 {
        for v in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e300] {
            r[rng.next_u64() as usize % n] = v;
        }
    }
    (n, k, r)
}

#[test]
fn equity_curves_equal_single_curves() {
    let mut rng = Rng(0xE0_C0DE);
    for case in 0..300 {
        let (n, k, r) = curves_case(case, 1, &mut rng);
        let sig: Vec<f64> = (0..k * n)
            .map(|_| match rng.next_u64() % 12 {
                0..=3 => 1.0,
                4..=7 => -1.0,
                8 | 9 => 0.0,
                10 => [0.5, -2.0, f64::NAN, -0.0, f64::INFINITY][rng.next_u64() as usize % 5],
                _ => rng.f64() - 0.5,
            })
            .collect();
        let starting: Vec<f64> = (0..k)
            .map(|j| [1.0, 0.1, 2.5, 1e300, 0.0, -3.0][(j + case) % 6])
            .collect();
        let d = [0.9997, 1.0, 0.5, 0.0][case % 4];
        let mut expected = vec![0.0; k * n];
        for j in 0..k {
            equity_curve(
                &r,
                &sig[j * n..(j + 1) * n],
                starting[j],
                d,
                0,
                &mut expected[j * n..(j + 1) * n],
            )
            .unwrap();
        }
        let mut got = vec![-9.0; k * n];
        equity_curves(&r, &sig, &starting, d, &mut got).unwrap();
        assert_bits_eq(&format!("case {case} (k={k}, n={n})"), &got, &expected);
        if avx2() {
            let mut got2 = vec![-9.0; k * n];
            equity_curves_twin(&r, &sig, &starting, d, &mut got2).unwrap();
            assert_bits_eq(
                &format!("avx2 case {case} (k={k}, n={n})"),
                &got2,
                &expected,
            );
        }
    }
}

#[test]
fn equity_curves_validation() {
    let r = [f64::NAN, 0.1, 0.2];
    let mut out = [0.0; 6];
    assert!(equity_curves(&r, &[0.0; 6], &[1.0, 1.0], 1.0, &mut out).is_ok());
    assert!(matches!(
        equity_curves(&r, &[0.0; 5], &[1.0, 1.0], 1.0, &mut out),
        Err(KernelError::LengthMismatch {
            what: "signals",
            ..
        })
    ));
    assert!(matches!(
        equity_curves(&r, &[0.0; 6], &[1.0, 1.0], 1.0, &mut out[..5]),
        Err(KernelError::LengthMismatch { what: "out", .. })
    ));
    assert!(equity_curves(&r, &[0.0; 6], &[1.0, f64::NAN], 1.0, &mut out).is_err());
    assert!(equity_curves(&r, &[0.0; 6], &[1.0, 1.0], f64::INFINITY, &mut out).is_err());
    // empty series / no curves
    assert!(equity_curves(&[], &[], &[1.0, 2.0], 1.0, &mut []).is_ok());
    assert!(equity_curves(&r, &[], &[], 1.0, &mut []).is_ok());
}

#[test]
fn kama_multi_equals_single_kamas() {
    let mut rng = Rng(0xCA4A);
    let robust = diflen(28, Robustness::Medium).unwrap().to_vec();
    for case in 0..200 {
        let n = [0usize, 1, 2, 3, 10, 29, 30, 31, 64, 65, 200, 1000][case % 12];
        let mut x = random_prices(n, case as u64 + 7);
        if case % 5 == 0 && n > 3 {
            x[rng.next_u64() as usize % n] = [f64::NAN, f64::INFINITY, 0.0, -5.0][case % 4];
        }
        let lens: Vec<usize> = match case % 4 {
            0 => robust.clone(),
            1 => (0..1 + case % 13)
                .map(|_| 1 + (rng.next_u64() % 40) as usize)
                .collect(),
            2 => vec![1, 2, 3, 500, 7],
            _ => (1..=12 + case % 9).collect(),
        };
        let k = lens.len();
        let mut expected = vec![0.0; k * n];
        for (j, &l) in lens.iter().enumerate() {
            kama(&x, l, &mut expected[j * n..(j + 1) * n]).unwrap();
        }
        let mut got = vec![-9.0; k * n];
        kama_multi(&x, &lens, &mut got).unwrap();
        assert_bits_eq(
            &format!("case {case} (n={n}, lens={lens:?})"),
            &got,
            &expected,
        );
        if avx2() {
            let mut got2 = vec![-9.0; k * n];
            kama_multi_twin(&x, &lens, &mut got2).unwrap();
            assert_bits_eq(&format!("avx2 case {case}"), &got2, &expected);
        }
    }
}

#[test]
fn kama_multi_long_lengths() {
    // lengths beyond the block buffer take the inline |Δx| path; mixed with short ones
    let x = random_prices(3000, 99);
    let lens = [1100usize, 3, 1500, 28, 2999, 3000, 5000];
    let mut expected = vec![0.0; lens.len() * x.len()];
    for (j, &l) in lens.iter().enumerate() {
        kama(&x, l, &mut expected[j * 3000..(j + 1) * 3000]).unwrap();
    }
    let mut got = vec![0.0; expected.len()];
    kama_multi(&x, &lens, &mut got).unwrap();
    assert_bits_eq("long lengths", &got, &expected);
    if avx2() {
        kama_multi_twin(&x, &lens, &mut got).unwrap();
        assert_bits_eq("avx2 long lengths", &got, &expected);
    }
}

#[test]
fn kama_multi_validation() {
    let x = random_prices(50, 3);
    let mut out = vec![0.0; 100];
    assert!(kama_multi(&x, &[5, 9], &mut out).is_ok());
    assert!(matches!(
        kama_multi(&x, &[5, 0], &mut out),
        Err(KernelError::LengthTooSmall { .. })
    ));
    assert!(matches!(
        kama_multi(&x, &[5, 9], &mut out[..99]),
        Err(KernelError::LengthMismatch { what: "out", .. })
    ));
    assert!(kama_multi(&x, &[], &mut []).is_ok());
}

#[test]
fn equity_curves_bar_major_equal_single_curves() {
    let mut rng = Rng(0x00BA_23A0);
    for case in 0..300 {
        let (n, k, r) = curves_case(case, 11, &mut rng);
        // bar-major i8 signals and their row-major f64 copy for the single-curve oracle
        let sig: Vec<i8> = (0..k * n).map(|_| (rng.next_u64() % 3) as i8 - 1).collect();
        let starting: Vec<f64> = (0..k)
            .map(|j| [1.0, 0.1, 2.5, 1e300, 0.0, -3.0][(j + case) % 6])
            .collect();
        let d = [0.9997, 1.0, 0.5, 0.0][case % 4];
        let mut expected = vec![0.0; k * n];
        let mut column = vec![0.0; n];
        let mut curve = vec![0.0; n];
        for j in 0..k {
            for i in 0..n {
                column[i] = sig[i * k + j] as f64;
            }
            equity_curve(&r, &column, starting[j], d, 0, &mut curve).unwrap();
            for i in 0..n {
                expected[i * k + j] = curve[i];
            }
        }
        let mut got = vec![-9.0; k * n];
        equity_curves_bar_major(&r, &sig, &starting, d, &mut got).unwrap();
        assert_bits_eq(&format!("case {case} (k={k}, n={n})"), &got, &expected);
        #[cfg(target_arch = "x86_64")]
        if avx2() {
            let mut got2 = vec![-9.0; k * n];
            // SAFETY: AVX2 checked.
            unsafe { equity_curves_bar_major_avx2(&r, &sig, &starting, d, &mut got2).unwrap() };
            assert_bits_eq(&format!("avx2 case {case}"), &got2, &expected);
        }
    }
}

#[test]
fn equity_curves_bar_major_validation() {
    let r = [f64::NAN, 0.1, 0.2];
    let mut out = [0.0; 6];
    assert!(equity_curves_bar_major(&r, &[0; 6], &[1.0, 1.0], 1.0, &mut out).is_ok());
    assert!(matches!(
        equity_curves_bar_major(&r, &[0; 5], &[1.0, 1.0], 1.0, &mut out),
        Err(KernelError::LengthMismatch {
            what: "signals",
            ..
        })
    ));
    assert!(matches!(
        equity_curves_bar_major(&r, &[0, 1, -1, 2, 0, 0], &[1.0, 1.0], 1.0, &mut out),
        Err(KernelError::InvalidParameter {
            what: "signals",
            ..
        })
    ));
    assert!(equity_curves_bar_major(&r, &[0; 6], &[1.0, f64::NAN], 1.0, &mut out).is_err());
    assert!(equity_curves_bar_major(&[], &[], &[1.0], 1.0, &mut []).is_ok());
}

#[test]
fn kama_bar_major_equals_single_kamas() {
    let mut rng = Rng(0x004A_3AB4);
    for case in 0..120 {
        let n = [1usize, 2, 9, 30, 31, 64, 200, 1000][case % 8];
        let x = random_prices(n, case as u64 + 5);
        let lens: [usize; 9] = match case % 3 {
            0 if n >= 34 => diflen(28, Robustness::Medium).unwrap(),
            _ => core::array::from_fn(|_| 1 + (rng.next_u64() as usize % n)),
        };
        let mut expected = vec![0.0; 9 * n];
        let mut col = vec![0.0; n];
        for (j, &l) in lens.iter().enumerate() {
            kama(&x, l, &mut col).unwrap();
            for i in 0..n {
                expected[i * 9 + j] = col[i];
            }
        }
        let mut got = vec![-9.0; 9 * n];
        let mut scratch = vec![0.0; 2 * n];
        kama_bar_major(&x, &lens, &mut got, &mut scratch).unwrap();
        assert_bits_eq(
            &format!("case {case} (n={n}, lens={lens:?})"),
            &got,
            &expected,
        );
        #[cfg(target_arch = "x86_64")]
        if avx2() {
            let mut got2 = vec![-9.0; 9 * n];
            // SAFETY: AVX2 checked.
            unsafe { kama_bar_major_avx2(&x, &lens, &mut got2, &mut scratch).unwrap() };
            assert_bits_eq(&format!("avx2 case {case}"), &got2, &expected);
        }
    }
    let x = random_prices(20, 1);
    let mut out = vec![0.0; 180];
    let mut scratch = vec![0.0; 40];
    assert!(matches!(
        kama_bar_major(&x, &[5, 9, 21, 1, 1, 1, 1, 1, 1], &mut out, &mut scratch),
        Err(KernelError::SeriesTooShort { .. })
    ));
    assert!(matches!(
        kama_bar_major(&x, &[5, 0, 2, 1, 1, 1, 1, 1, 1], &mut out, &mut scratch),
        Err(KernelError::LengthTooSmall { .. })
    ));
}
