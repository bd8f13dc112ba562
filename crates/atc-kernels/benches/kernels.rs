//! `cargo bench -p atc-kernels [-- FILTER]` (Criterion): the shipped kernels — each moving
//! average at 1e4 and 1e6 bars, the signal, returns and equity kernels at 1e6, and the fused
//! pipeline at 1,500 and 1e4 bars, baseline and AVX2 twin (same bits; the Node-API addon picks
//! the twin at run time, and the AVX2 rows are skipped on CPUs without it), and streaming
//! (`AtcStream` push / replace_last / push_many against `compute_atc`, a 10,000-stream set).
//!
//! Throughput is in bars (elements) per second. `-- --quick` gives a fast, rougher run.

use atc_kernels::*;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

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

/// Whether the AVX2 twins may run here.
fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// A group measuring `bars` elements per iteration, short enough for a 2-core machine.
fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
    bars: usize,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(bars as u64))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    g
}

const MAS: [(&str, MaKind); 7] = [
    ("sma", MaKind::Sma),
    ("ema", MaKind::Ema),
    ("wma", MaKind::Wma),
    ("hma", MaKind::Hma),
    ("dema", MaKind::Dema),
    ("lsma", MaKind::Lsma),
    ("kama", MaKind::Kama),
];

fn moving_averages(c: &mut Criterion) {
    for (n, label) in [(10_000usize, "1e4"), (1_000_000, "1e6")] {
        let x = prices(n, 42);
        let mut out = vec![0.0; n];
        let mut scratch = Vec::with_capacity(n);
        let mut g = group(c, &format!("ma L=28 n={label}"), n);
        for (name, kind) in MAS {
            g.bench_function(name, |b| {
                b.iter(|| {
                    if kind == MaKind::Hma {
                        hma_with_scratch(black_box(&x), 28, &mut out, &mut scratch).unwrap();
                    } else {
                        moving_average(kind, black_box(&x), 28, &mut out).unwrap();
                    }
                    black_box(&out);
                })
            });
        }
        g.finish();
    }
}

fn signals_and_equity(c: &mut Criterion) {
    let n = 1_000_000;
    let x = prices(n, 42);
    let mut ma = vec![0.0; n];
    ema(&x, 28, &mut ma).unwrap();
    let mut sig = vec![0i8; n];
    let up: Vec<u8> = (0..n).map(|i| (i % 97 == 0) as u8).collect();
    let down: Vec<u8> = (0..n).map(|i| (i % 89 == 5) as u8).collect();
    let mut g = group(c, "signal n=1e6", n);
    g.bench_function("crossover_signal", |b| {
        b.iter(|| crossover_signal(black_box(&x), black_box(&ma), &mut sig).unwrap())
    });
    g.bench_function("persist_signal", |b| {
        b.iter(|| persist_signal(black_box(&up), black_box(&down), &mut sig).unwrap())
    });
    g.finish();

    let mut r = vec![0.0; n];
    let mut g = group(c, "equity n=1e6", n);
    g.bench_function("scaled_returns (fdlibm exp)", |b| {
        b.iter(|| scaled_returns(black_box(&x), 0.00002, &mut r).unwrap())
    });
    crossover_signal(&x, &ma, &mut sig).unwrap();
    let sigf: Vec<f64> = sig.iter().map(|&s| s as f64).collect();
    let mut eq = vec![0.0; n];
    g.bench_function("equity_curve", |b| {
        b.iter(|| equity_curve(black_box(&r), black_box(&sigf), 1.0, 0.9997, 0, &mut eq).unwrap())
    });
    g.finish();
}

fn fused_pipeline(c: &mut Criterion) {
    let params = Params::default();
    for (n, label) in [(1_500usize, "1500"), (10_000, "1e4")] {
        let p = prices(n, 2024);
        let mut ws = Workspace::with_capacity(n);
        let mut out = vec![0.0; OUT_ROWS * n];
        let mut g = group(c, &format!("compute_atc default n={label}"), n);
        g.bench_function("baseline", |b| {
            b.iter(|| compute_atc(black_box(&p), &params, &mut out, None, &mut ws).unwrap())
        });
        #[cfg(target_arch = "x86_64")]
        if avx2() {
            g.bench_function("avx2", |b| {
                // SAFETY: the CPU supports AVX2 (checked just above).
                b.iter(|| unsafe {
                    compute_atc_avx2(black_box(&p), &params, &mut out, None, &mut ws).unwrap()
                })
            });
        }
        let mut mas = vec![0.0; DETAIL_ROWS * n];
        let mut sigs = vec![0i8; DETAIL_ROWS * n];
        let mut eqs = vec![0.0; DETAIL_ROWS * n];
        g.bench_function("baseline + detail", |b| {
            b.iter(|| {
                let detail = Some((&mut mas[..], &mut sigs[..], &mut eqs[..]));
                compute_atc(black_box(&p), &params, &mut out, detail, &mut ws).unwrap()
            })
        });
        g.finish();
    }
}

/// Streaming (`stream.rs`): one push on a warm stream (default config, 1,500 bars behind it),
/// one replace_last, `push_many` of 1,500 bars against `compute_atc` on the same bars (both
/// semantics), and a 10,000-stream set advanced one bar.
fn streaming(c: &mut Criterion) {
    let n = 1_500;
    for params in [
        Params::default(),
        Params {
            semantics: Semantics::Pine,
            ..Params::default()
        },
    ] {
        let label = match params.semantics {
            Semantics::Reference => "reference",
            Semantics::Pine => "pine",
        };
        let p = prices(n, 2024);
        let more = prices(1 << 16, 7);
        let mut warm = AtcStream::new(&params).unwrap();
        let mut out = vec![0.0; OUT_ROWS * n];
        warm.push_many(&p, &mut out).unwrap();

        let mut g = group(c, &format!("stream {label} per bar"), 1);
        let mut s = warm.clone();
        let mut row = [0.0; OUT_ROWS];
        let mut i = 0usize;
        g.bench_function("push", |b| {
            b.iter(|| {
                i = (i + 1) & ((1 << 16) - 1);
                s.push(black_box(more[i]), &mut row).unwrap()
            })
        });
        g.bench_function("replace_last", |b| {
            b.iter(|| {
                i = (i + 1) & ((1 << 16) - 1);
                s.replace_last(black_box(more[i]), &mut row).unwrap()
            })
        });
        g.finish();

        let empty = AtcStream::new(&params).unwrap();
        let mut ws = Workspace::with_capacity(n);
        let mut g = group(c, &format!("stream {label} n=1500"), n);
        g.bench_function("push_many", |b| {
            b.iter(|| {
                let mut s = empty.clone();
                s.push_many(black_box(&p), &mut out).unwrap()
            })
        });
        g.bench_function("compute_atc (same bars)", |b| {
            b.iter(|| compute_atc(black_box(&p), &params, &mut out, None, &mut ws).unwrap())
        });
        #[cfg(target_arch = "x86_64")]
        if avx2() {
            g.bench_function("push_many_avx2", |b| {
                b.iter(|| {
                    let mut s = empty.clone();
                    // SAFETY: the CPU supports AVX2 (checked by `avx2()`).
                    unsafe { s.push_many_avx2(black_box(&p), &mut out) }.unwrap()
                })
            });
            g.bench_function("compute_atc_avx2 (same bars)", |b| {
                b.iter(|| {
                    // SAFETY: the CPU supports AVX2 (checked by `avx2()`).
                    unsafe { compute_atc_avx2(black_box(&p), &params, &mut out, None, &mut ws) }
                        .unwrap()
                })
            });
        }
        g.finish();
    }

    let count = 10_000;
    let params = Params::default();
    let mut set = StreamSet::new(&params, count).unwrap();
    let mut out = vec![0.0; OUT_ROWS * count];
    let closes: Vec<Vec<f64>> = (0..64).map(|j| prices(count, 100 + j)).collect();
    for c in closes.iter() {
        set.push(c, &mut out).unwrap();
    }
    let mut g = group(c, "stream set 10000 streams", count);
    g.sample_size(10);
    let mut j = 0usize;
    g.bench_function("push (one bar)", |b| {
        b.iter(|| {
            j = (j + 1) % closes.len();
            set.push(black_box(&closes[j]), &mut out).unwrap()
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    moving_averages,
    signals_and_equity,
    fused_pipeline,
    streaming
);
criterion_main!(benches);
