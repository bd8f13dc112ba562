//! Randomised robustness: arbitrary parameters and hostile inputs (NaN, ±∞, zeros, negative
//! prices, tiny series) never panic; whenever the fused pipeline accepts an input it agrees bit
//! for bit with the composition of the single kernels, also on non-finite data.
#![allow(clippy::needless_range_loop)]

mod common;
use atc_kernels::*;
use common::*;

fn pick<T: Copy>(rng: &mut Rng, xs: &[T]) -> T {
    xs[(rng.next_u64() % xs.len() as u64) as usize]
}

fn hostile_prices(rng: &mut Rng, n: usize) -> Vec<f64> {
    let mut x = random_prices(n, rng.next_u64());
    let mode = rng.next_u64() % 4;
    if mode > 0 {
        for _ in 0..(rng.next_u64() % 4) {
            if n == 0 {
                break;
            }
            let i = (rng.next_u64() % n as u64) as usize;
            x[i] = pick(
                rng,
                &[
                    f64::NAN,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    0.0,
                    -5.0,
                    1e308,
                    1e-308,
                ],
            );
        }
    }
    x
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn random_configurations_never_panic_and_match_composition() {
    let mut rng = Rng(0xA7C0_FFEE);
    let mut ws = Workspace::new();
    let (mut accepted, mut refused, mut overflowing) = (0, 0, 0);
    for case in 0..4000 {
        let n = pick(
            &mut rng,
            &[1usize, 5, 13, 34, 40, 64, 150, 150, 333, 333, 333],
        );
        let x = hostile_prices(&mut rng, n);
        let base = |rng: &mut Rng| pick(rng, &[8usize, 9, 9, 12, 12, 20, 28, 40, 70, 7, 2]);
        // mostly valid values, sometimes hostile ones
        let hostile = rng.next_u64().is_multiple_of(3);
        let h = |rng: &mut Rng, good: &[f64], bad: &[f64]| {
            if hostile && rng.next_u64().is_multiple_of(3) {
                pick(rng, bad)
            } else {
                pick(rng, good)
            }
        };
        let p = Params {
            lengths: [
                base(&mut rng),
                base(&mut rng),
                base(&mut rng),
                base(&mut rng),
                base(&mut rng),
                base(&mut rng),
            ],
            weights: core::array::from_fn(|_| {
                h(&mut rng, &[1.0, 0.1, 2.5, 1e300], &[0.0, f64::NAN])
            }),
            robustness: pick(
                &mut rng,
                &[Robustness::Narrow, Robustness::Medium, Robustness::Wide],
            ),
            la: h(
                &mut rng,
                &[0.02, 0.5, 0.0, -0.3, 1e6],
                &[f64::NAN, f64::INFINITY],
            ),
            de: h(&mut rng, &[0.03, 0.25, 0.0, 100.0], &[-1.0, 150.0]),
            cutout: pick(&mut rng, &[0usize, 0, 0, 1, 3, 20, n.saturating_sub(1), n]),
            long_threshold: h(&mut rng, &[0.1, 0.3, f64::INFINITY], &[f64::NAN]),
            short_threshold: h(&mut rng, &[-0.1, -0.2], &[f64::NAN]),
            strategy_mode: rng.next_u64().is_multiple_of(2),
            semantics: Semantics::Reference, // Pine: tests/pine.rs
        };
        let m = n.saturating_sub(p.cutout).max(1);
        let mut a = AtcOutputs::new(m);
        let res = a.compute(&x, &p, &mut ws);
        let mut out2 = vec![0.0; 13 * m];
        let res2 = compute_atc(&x, &p, &mut out2, None, &mut ws);
        assert_eq!(res.is_ok(), res2.is_ok(), "case {case}");
        // the AVX2 twin: same acceptance, same bits (detail included)
        let mut t = AtcOutputs::new(m);
        if let Some(res3) = t.compute_avx2(&x, &p, &mut ws) {
            assert_eq!(res.is_ok(), res3.is_ok(), "case {case}: avx2 acceptance");
            assert_eq!(
                res.as_ref().ok(),
                res3.as_ref().ok(),
                "case {case}: avx2 growth verdict"
            );
            if res.is_ok() {
                assert!(same_bits(&a.out, &t.out), "case {case}: avx2 out differs");
                assert!(same_bits(&a.mas, &t.mas), "case {case}: avx2 mas differ");
                assert_eq!(a.sigs, t.sigs, "case {case}: avx2 signals differ");
                assert!(
                    same_bits(&a.eqs, &t.eqs),
                    "case {case}: avx2 equities differ"
                );
            }
        }
        match res {
            Ok(verdict) => {
                accepted += 1;
                // the growth check's verdict, with and without details and on the AVX2 twin,
                // is core's scan of the outputs (hostile weights and λ overflow often)
                assert_eq!(
                    verdict,
                    first_non_finite_reference(&a.out, m, 0),
                    "case {case}: growth verdict"
                );
                assert_eq!(
                    res2.as_ref().ok(),
                    Some(&verdict),
                    "case {case}: verdict without details"
                );
                overflowing += verdict.is_some() as usize;
                assert!(
                    same_bits(&a.out, &out2),
                    "case {case}: detail changes the output"
                );
                let c = compose_kernels(&x, &p).unwrap_or_else(|| {
                    panic!("case {case}: fused accepted but the composition refused: {p:?}")
                });
                assert!(same_bits(&a.out, &c.out), "case {case}: out differs {p:?}");
                assert!(same_bits(&a.mas, &c.mas), "case {case}: mas differ");
                assert_eq!(a.sigs, c.sigs, "case {case}: signals differ");
                assert!(same_bits(&a.eqs, &c.eqs), "case {case}: equities differ");
            }
            Err(e) => {
                refused += 1;
                let _ = format!("{e}"); // renders
            }
        }
        // wrong output sizes are refused, never a panic
        let short = a.out.len() - 1;
        assert!(compute_atc(&x, &p, &mut a.out[..short], None, &mut ws).is_err());
    }
    eprintln!("random configurations: {accepted} accepted (bit-identical to the composition; {overflowing} of them not finite), {refused} refused");
    assert!(accepted > 400 && refused > 400, "{accepted} / {refused}");
    assert!(overflowing > 10, "{overflowing} accepted cases overflowed");
}

#[test]
fn single_kernels_survive_hostile_inputs() {
    let mut rng = Rng(77);
    let mut scratch = Vec::new();
    for _ in 0..400 {
        let n = pick(&mut rng, &[0usize, 1, 2, 3, 10, 50]);
        let x = hostile_prices(&mut rng, n);
        let len = pick(&mut rng, &[0usize, 1, 2, 3, 4, 9, 50, 51, usize::MAX]);
        let mut out = vec![0.0; n];
        for kind in [
            MaKind::Sma,
            MaKind::Ema,
            MaKind::Wma,
            MaKind::Hma,
            MaKind::Dema,
            MaKind::Lsma,
            MaKind::Kama,
        ] {
            let _ = moving_average(kind, &x, len, &mut out);
        }
        let _ = hma_with_scratch(&x, len, &mut out, &mut scratch);
        let _ = rate_of_change(&x, &mut out);
        let _ = scaled_returns(&x, pick(&mut rng, &[0.0, 1e9, -1e9, f64::NAN]), &mut out);
        let mut s = vec![0i8; n];
        let _ = crossover_signal(&x, &out, &mut s);
        let sf: Vec<f64> = x.iter().map(|v| v.signum()).collect();
        let _ = equity_curve(
            &x,
            &sf,
            1.0,
            0.9,
            pick(&mut rng, &[0usize, 1, n, n + 1]),
            &mut out,
        );
        let _ = layer1_signal(&s, &x, &mut out);
        let _ = average_signal(&x, &x, 0.1, -0.1, true, &mut out);
    }
}
