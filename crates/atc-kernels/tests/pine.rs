//! Pine semantics (`Semantics::Pine`): `n` bars out, every slot written, the same bits with or
//! without details, on the AVX2 twin and in batch; Layer 1 and the equities consistent with the
//! per-MA details. (Bit identity with backend-js's Pine pipeline and parity with the golden Pine
//! fixtures are checked by the conformance suite on the native and wasm builds.)
#![allow(clippy::needless_range_loop)]

mod common;
use atc_kernels::*;
use common::*;

fn pine(p: Params) -> Params {
    Params {
        semantics: Semantics::Pine,
        ..p
    }
}

fn configs(n: usize) -> Vec<Params> {
    let d = Params::default();
    vec![
        pine(d),
        pine(Params {
            cutout: 1,
            robustness: Robustness::Wide,
            la: 0.3,
            de: 0.2,
            ..d
        }),
        pine(Params {
            cutout: 40,
            strategy_mode: true,
            weights: [0.1, 2.0, 1.0, 0.5, 3.0, 0.2],
            ..d
        }),
        // Pine's "HMA" family is an SMA: lengths down to 1; DEMA longer than half the series
        pine(Params {
            lengths: [8, 5, 9, 160, 12, 30],
            robustness: Robustness::Narrow,
            ..d
        }),
        pine(Params { cutout: n - 1, ..d }),
    ]
}

/// `math.round(x, 2)` half away from zero, as Pine rounds (independent of the crate's helper).
fn round_half_away(x: f64) -> f64 {
    (x * 100.0).abs().round().copysign(x * 100.0) / 100.0
}

#[test]
fn every_slot_written_and_consistent_with_the_details() {
    for (seed, n) in [(3u64, 300usize), (4, 1000)] {
        let x = random_prices(n, seed);
        for p in configs(n) {
            let mut ws = Workspace::new();
            let mut a = AtcOutputs::filled(n, 7.5, 9.25, 5);
            a.compute(&x, &p, &mut ws)
                .unwrap_or_else(|e| panic!("{p:?}: {e:?}"));
            let c = p.cutout;
            assert!(
                a.sigs.iter().all(|&s| (-1..=1).contains(&s)),
                "signal slot left unwritten"
            );
            assert!(!a.out.contains(&7.5) && !a.mas.contains(&9.25) && !a.eqs.contains(&9.25));
            // outputs-only, a reused workspace and the AVX2 twin give the same bits
            let mut out = vec![0.0; 13 * n];
            compute_atc(&x, &p, &mut out, None, &mut ws).unwrap();
            assert_bits_eq("outputs only", &out, &a.out);
            let mut t = AtcOutputs::new(n);
            if let Some(r) = t.compute_avx2(&x, &p, &mut ws) {
                r.unwrap();
                assert_bits_eq("avx2 out", &t.out, &a.out);
                assert_bits_eq("avx2 mas", &t.mas, &a.mas);
                assert_eq!(t.sigs, a.sigs, "avx2 signals");
                assert_bits_eq("avx2 equities", &t.eqs, &a.eqs);
            }
            for f in 0..FAMILY_COUNT {
                let l1 = &a.out[f * n..(f + 1) * n];
                let l2 = &a.out[(6 + f) * n..(7 + f) * n];
                for i in 0..n {
                    if i < c {
                        assert!(l1[i].is_nan() && l2[i].is_nan(), "na before the cutout");
                        continue;
                    }
                    let (mut num, mut den) = (0.0, 0.0);
                    for k in 0..LENGTHS_PER_FAMILY {
                        let j = (f * LENGTHS_PER_FAMILY + k) * n + i;
                        num += a.sigs[j] as f64 * a.eqs[j];
                        den += a.eqs[j];
                        assert!(a.eqs[j] >= EQUITY_FLOOR);
                    }
                    assert_eq!(
                        l1[i].to_bits(),
                        round_half_away(num / den).to_bits(),
                        "family {f} bar {i} {p:?}"
                    );
                    assert!(l2[i] >= EQUITY_FLOOR);
                }
                assert_eq!(
                    l2[c],
                    p.weights[f].max(EQUITY_FLOOR),
                    "Layer 2 starts at its weight"
                );
            }
            let avg = &a.out[12 * n..];
            assert!(avg[..c].iter().all(|v| v.is_nan()));
            assert!(avg[c..].iter().all(|v| (-1.0..=1.0).contains(v)));
        }
    }
}

#[test]
fn pine_sizes_and_lengths() {
    let x = random_prices(200, 9);
    let p = pine(Params {
        cutout: 20,
        ..Params::default()
    });
    assert_eq!(p.output_bars(200), 200);
    assert_eq!(
        Params {
            semantics: Semantics::Reference,
            ..p
        }
        .output_bars(200),
        180
    );
    let mut ws = Workspace::new();
    // the reference's n − cutout rows are the wrong size for Pine
    let mut short = vec![0.0; 13 * 180];
    assert!(matches!(
        compute_atc(&x, &p, &mut short, None, &mut ws),
        Err(KernelError::LengthMismatch { .. })
    ));
    // an "HMA" base of 5 with Narrow robustness derives length 1: an SMA in Pine, refused by the reference
    let q = pine(Params {
        lengths: [28, 5, 28, 28, 28, 28],
        robustness: Robustness::Narrow,
        ..Params::default()
    });
    let mut out = vec![0.0; 13 * 200];
    compute_atc(&x, &q, &mut out, None, &mut ws).unwrap();
    let r = Params {
        semantics: Semantics::Reference,
        ..q
    };
    assert!(matches!(
        compute_atc(&x, &r, &mut out, None, &mut ws),
        Err(KernelError::HmaLengthTooSmall { length: 1 })
    ));
}

#[test]
#[cfg(feature = "std")] // compute_atc_batch (as tests/batch.rs)
fn batch_equals_single_calls() {
    let series: Vec<Vec<f64>> = (0..7)
        .map(|i| random_prices(250 + 61 * i, 70 + i as u64))
        .collect();
    let p = pine(Params {
        cutout: 15,
        robustness: Robustness::Wide,
        ..Params::default()
    });
    let mut outs: Vec<Vec<f64>> = series.iter().map(|s| vec![0.0; 13 * s.len()]).collect();
    let xs: Vec<&[f64]> = series.iter().map(|s| &s[..]).collect();
    let mut os: Vec<&mut [f64]> = outs.iter_mut().map(|o| &mut o[..]).collect();
    compute_atc_batch(&xs, &p, &mut os, 3).unwrap();
    for (s, o) in series.iter().zip(&outs) {
        let mut single = vec![0.0; 13 * s.len()];
        compute_atc(s, &p, &mut single, None, &mut Workspace::new()).unwrap();
        assert_bits_eq("batch vs single", o, &single);
    }
}
