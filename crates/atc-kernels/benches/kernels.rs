//! `cargo bench -p atc-kernels [-- FILTER]` — plain `std::time::Instant` timing (no criterion:
//! crates.io is unreachable). Each case is warmed up, then timed over several runs; the median
//! is reported as ns per bar (and ms per call where that is the natural unit).
//!
//! Cases marked `[avx2]` run the AVX2 twin (same bits) and are skipped on CPUs without AVX2;
//! the Node-API addon picks that twin at run time.

use atc_kernels::*;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

/// Deterministic random-walk prices with occasional flat bars.
fn prices(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut p = 100.0f64;
    (0..n)
        .map(|_| {
            if next() > 0.15 {
                p *= 1.0 + (next() - 0.5) * 0.02;
                p = (p * 1e4).round() / 1e4;
            }
            p
        })
        .collect()
}

/// (median, min) wall time of `f` per call, with warm-up: 15 timed batches of ≥ ~20 ms.
fn time<F: FnMut()>(mut f: F) -> (Duration, Duration) {
    // warm-up and calibration
    let t0 = Instant::now();
    let mut calib = 0u32;
    while t0.elapsed() < Duration::from_millis(60) || calib < 3 {
        f();
        calib += 1;
    }
    let per = t0.elapsed() / calib;
    let inner = ((Duration::from_millis(20).as_nanos() / per.as_nanos().max(1)) as u32).max(1);
    let mut samples: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..inner {
                f();
            }
            t.elapsed() / inner
        })
        .collect();
    samples.sort();
    (samples[samples.len() / 2], samples[0])
}

struct Report {
    filter: Option<String>,
}

/// Whether the AVX2 twins may run here.
fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

impl Report {
    fn case<F: FnMut()>(&self, name: &str, bars: usize, f: F) -> Option<(Duration, Duration)> {
        if let Some(flt) = &self.filter {
            if !name.contains(flt.as_str()) {
                return None;
            }
        }
        let (med, min) = time(f);
        let ns_bar = med.as_nanos() as f64 / bars as f64;
        let ms = med.as_secs_f64() * 1e3;
        let ms_min = min.as_secs_f64() * 1e3;
        // ignore a closed stdout (e.g. piped into `head`)
        let _ = writeln!(
            std::io::stdout(),
            "{name:<48} {ns_bar:>9.3} ns/bar {ms:>10.4} ms/call (min {ms_min:.4})  [{bars} bars]"
        );
        Some((med, min))
    }
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let r = Report { filter };
    println!("atc-kernels bench: median of 15 timed batches after warm-up (min in parentheses)\n");

    // ------------------------------------------------------------------ moving averages at 1e6
    let big = prices(1_000_000, 42);
    let mut out = vec![0.0; big.len()];
    let mut scratch = vec![0.0; big.len()];
    for (name, kind) in [
        ("sma", MaKind::Sma),
        ("ema", MaKind::Ema),
        ("wma", MaKind::Wma),
        ("hma", MaKind::Hma),
        ("dema", MaKind::Dema),
        ("lsma", MaKind::Lsma),
        ("kama", MaKind::Kama),
    ] {
        r.case(&format!("ma/{name} L=28 n=1e6"), big.len(), || {
            if kind == MaKind::Hma {
                hma_with_scratch(black_box(&big), 28, &mut out, &mut scratch).unwrap();
            } else {
                moving_average(kind, black_box(&big), 28, &mut out).unwrap();
            }
            black_box(&out);
        });
    }

    // ------------------------------------------------------------------ KAMA at 1e4
    let p4 = prices(10_000, 7);
    let mut o4 = vec![0.0; p4.len()];
    r.case("kama L=28 n=1e4", p4.len(), || {
        kama(black_box(&p4), 28, &mut o4).unwrap();
        black_box(&o4);
    });
    let lens9 = diflen(28, Robustness::Medium).unwrap();
    r.case(
        "kama 9 lengths (28 Medium) n=1e4, per MA-bar",
        9 * p4.len(),
        || {
            for &l in &lens9 {
                kama(black_box(&p4), l, &mut o4).unwrap();
                black_box(&o4);
            }
        },
    );


    // ------------------------------------------------------------------ signals at 1e6
    let mut ema28 = vec![0.0; big.len()];
    ema(&big, 28, &mut ema28).unwrap();
    let mut sig = vec![0i8; big.len()];
    r.case("crossover_signal n=1e6", big.len(), || {
        crossover_signal(black_box(&big), black_box(&ema28), &mut sig).unwrap();
        black_box(&sig);
    });
    let up: Vec<u8> = (0..big.len()).map(|i| (i % 97 == 0) as u8).collect();
    let down: Vec<u8> = (0..big.len()).map(|i| (i % 89 == 5) as u8).collect();
    r.case("persist_signal n=1e6", big.len(), || {
        persist_signal(black_box(&up), black_box(&down), &mut sig).unwrap();
        black_box(&sig);
    });

    // ------------------------------------------------------------------ returns / equity
    let mut ret = vec![0.0; big.len()];
    r.case("scaled_returns (fdlibm exp) n=1e6", big.len(), || {
        scaled_returns(black_box(&big), 0.00002, &mut ret).unwrap();
        black_box(&ret);
    });
    crossover_signal(&big, &ema28, &mut sig).unwrap();
    let sigf: Vec<f64> = sig.iter().map(|&s| s as f64).collect();
    let mut eq = vec![0.0; big.len()];
    r.case("equity_curve 1 curve n=1e6", big.len(), || {
        equity_curve(black_box(&ret), black_box(&sigf), 1.0, 0.9997, 0, &mut eq).unwrap();
        black_box(&eq);
    });
    let n4 = p4.len();
    let mut r4 = vec![0.0; n4];
    scaled_returns(&p4, 0.00002, &mut r4).unwrap();
    let mut sig54 = vec![0.0; 54 * n4];
    for (k, chunk) in sig54.chunks_mut(n4).enumerate() {
        let mut m = vec![0.0; n4];
        ema(&p4, 10 + k, &mut m).unwrap();
        let mut s = vec![0i8; n4];
        crossover_signal(&p4, &m, &mut s).unwrap();
        for (c, v) in chunk.iter_mut().zip(&s) {
            *c = *v as f64;
        }
    }
    let mut eq54 = vec![0.0; 54 * n4];
    r.case(
        "equity_curve 54 curves n=1e4, per curve-bar",
        54 * n4,
        || {
            for k in 0..54 {
                equity_curve(
                    black_box(&r4),
                    &sig54[k * n4..(k + 1) * n4],
                    1.0,
                    0.9997,
                    0,
                    &mut eq54[k * n4..(k + 1) * n4],
                )
                .unwrap();
            }
            black_box(&eq54);
        },
    );

    let mut one = vec![0.0; n4];
    r.case("equity_curve 1 curve n=1e4", n4, || {
        equity_curve(black_box(&r4), &sig54[..n4], 1.0, 0.9997, 0, &mut one).unwrap();
        black_box(&one);
    });

    // ------------------------------------------------------------------ fused pipeline
    let params = Params::default();
    for n in [1500usize, 10_000, 100_000] {
        let p = prices(n, 2024);
        let mut ws = Workspace::with_capacity(n);
        let mut out = vec![0.0; 13 * n];
        r.case(&format!("compute_atc default n={n}"), n, || {
            compute_atc(black_box(&p), &params, &mut out, None, &mut ws).unwrap();
            black_box(&out);
        });
        #[cfg(target_arch = "x86_64")]
        if avx2() {
            r.case(&format!("compute_atc default n={n} [avx2]"), n, || {
                // SAFETY: AVX2 checked above.
                unsafe {
                    compute_atc_avx2(black_box(&p), &params, &mut out, None, &mut ws).unwrap()
                };
                black_box(&out);
            });
        }
        if n > 10_000 {
            continue;
        }
        let mut mas = vec![0.0; 54 * n];
        let mut sigs = vec![0i8; 54 * n];
        let mut eqs = vec![0.0; 54 * n];
        r.case(&format!("compute_atc default n={n} + detail"), n, || {
            compute_atc(
                black_box(&p),
                &params,
                &mut out,
                Some((&mut mas, &mut sigs, &mut eqs)),
                &mut ws,
            )
            .unwrap();
            black_box(&out);
        });
    }
}
