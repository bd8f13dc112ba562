//! Streaming ATC (`AtcStream`, `StreamSet`) against `compute_atc` over the whole series, bit for
//! bit (docs/streaming.md): bar by bar pushes, replace_last of a forming bar, export → restore,
//! push_many, sets of streams; both semantics, several configurations, adversarial series.

mod common;

use atc_kernels::*;
use common::*;

const NAN_BITS: u64 = 0x7FF8_0000_0000_0000;

fn pine(p: Params) -> Params {
    Params {
        semantics: Semantics::Pine,
        ..p
    }
}

/// Reference and Pine variants of a set of configurations (small and default lengths,
/// the three robustness spreads, cutout 0 and > 0, strategy mode).
fn configs() -> Vec<Params> {
    let small = Params {
        lengths: [5, 6, 5, 7, 6, 5],
        robustness: Robustness::Narrow,
        ..Params::default()
    };
    let base = vec![
        Params::default(),
        Params {
            cutout: 37,
            robustness: Robustness::Wide,
            ..Params::default()
        },
        Params {
            lengths: [8, 9, 8, 8, 8, 8],
            robustness: Robustness::Wide,
            cutout: 3,
            strategy_mode: true,
            la: 0.5,
            de: 1.5,
            weights: [1.0, 2.0, 0.5, 1.5, 1.0, 3.0],
            ..Params::default()
        },
        small,
        Params {
            cutout: 11,
            strategy_mode: true,
            long_threshold: 0.0,
            short_threshold: 0.0,
            ..small
        },
        Params {
            lengths: [12, 10, 10, 9, 14, 20],
            robustness: Robustness::Medium,
            ..Params::default()
        },
    ];
    let mut all = base.clone();
    all.extend(base.into_iter().map(pine));
    all
}

/// `compute_atc` over the whole series as one 13-vector per input bar (reference: all NaN
/// before the cutout).
fn expected_bars(prices: &[f64], p: &Params) -> Vec<[f64; 13]> {
    let n = prices.len();
    let m = p.output_bars(n);
    let mut out = vec![0.0; 13 * m];
    compute_atc(prices, p, &mut out, None, &mut Workspace::new()).expect("compute_atc");
    let shift = n - m; // reference: the cutout
    (0..n)
        .map(|i| {
            let mut row = [f64::NAN; 13];
            if i >= shift {
                for (r, v) in row.iter_mut().enumerate() {
                    *v = out[r * m + i - shift];
                }
            }
            row
        })
        .collect()
}

#[track_caller]
fn assert_row(what: &str, i: usize, got: &[f64], want: &[f64; 13]) {
    for r in 0..13 {
        assert!(
            got[r].to_bits() == want[r].to_bits(),
            "{what}: bar {i} row {r}: stream {:?} ({:#x}) != compute_atc {:?} ({:#x})",
            got[r],
            got[r].to_bits(),
            want[r],
            want[r].to_bits()
        );
    }
}

/// Random walks and adversarial series (flat runs, exact ties, spikes, a staircase).
fn series(n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng(seed | 1);
    let walk = random_prices(n, seed);
    let flat: Vec<f64> = (0..n)
        .map(|i| {
            if (i / 17) % 2 == 0 {
                50.0
            } else {
                50.0 + (i % 3) as f64
            }
        })
        .collect();
    let spikes: Vec<f64> = (0..n)
        .map(|i| {
            let u = rng.f64();
            if u < 0.05 {
                1e3
            } else if u < 0.1 {
                1e-3
            } else {
                1.0 + (i % 5) as f64 * 0.25
            }
        })
        .collect();
    let stairs: Vec<f64> = (0..n).map(|i| 10.0 + ((i / 4) % 6) as f64).collect();
    vec![walk, flat, spikes, stairs, smoke_series(n)]
}

fn push_all(s: &mut AtcStream, prices: &[f64], want: &[[f64; 13]], what: &str) {
    let mut out = [0.0; 13];
    for (i, &x) in prices.iter().enumerate() {
        assert_eq!(
            s.push(x, &mut out).unwrap(),
            StepStatus::Ok,
            "{what}: bar {i}"
        );
        assert_row(what, i, &out, &want[i]);
    }
}

#[test]
fn pushes_equal_compute_atc_bar_by_bar() {
    let mut cases = 0;
    for (ci, p) in configs().iter().enumerate() {
        for (si, prices) in series(260, 11 + ci as u64).iter().enumerate() {
            let want = expected_bars(prices, p);
            let mut s = AtcStream::new(p).unwrap();
            push_all(&mut s, prices, &want, &format!("config {ci} series {si}"));
            assert_eq!(s.len(), prices.len() as u64);
            cases += 1;
        }
    }
    assert_eq!(cases, 60);
}

#[test]
fn short_series_from_the_first_bar() {
    // fewer bars than the longest MA (where compute_atc refuses the prefix): each stream bar
    // equals the same bar of compute_atc over a longer series (ATC is causal)
    for p in configs() {
        let prices = random_prices(40, 5);
        let want = expected_bars(&prices, &p);
        let mut s = AtcStream::new(&p).unwrap();
        push_all(&mut s, &prices[..9], &want, "short");
        let prefix = compute_atc(
            &prices[..9],
            &p,
            &mut [0.0; 13 * 9],
            None,
            &mut Workspace::new(),
        );
        if p.lengths[0] > 9 {
            assert!(prefix.is_err(), "compute_atc would refuse this prefix");
        }
    }
}

#[test]
fn forming_bar_replaces_then_final_close() {
    for (ci, p) in configs().iter().enumerate() {
        let prices = random_prices(200, 77 + ci as u64);
        let want = expected_bars(&prices, p);
        let mut rng = Rng(1234 + ci as u64);
        let mut s = AtcStream::new(p).unwrap();
        let mut out = [0.0; 13];
        let mut scratch = [0.0; 13];
        assert!(matches!(
            s.replace_last(1.0, &mut out),
            Err(KernelError::EmptyStream)
        ));
        for (i, &x) in prices.iter().enumerate() {
            // the bar forms: first tick, several updates, then the final close
            let first = x * (1.0 + (rng.f64() - 0.5) * 0.01);
            assert_eq!(s.push(first, &mut scratch).unwrap(), StepStatus::Ok);
            for _ in 0..(rng.next_u64() % 4) {
                let tick = x * (1.0 + (rng.f64() - 0.5) * 0.03);
                assert_eq!(s.replace_last(tick, &mut scratch).unwrap(), StepStatus::Ok);
            }
            assert_eq!(s.replace_last(x, &mut out).unwrap(), StepStatus::Ok);
            assert_row(&format!("config {ci} replaced"), i, &out, &want[i]);
            assert_eq!(s.len(), i as u64 + 1);
        }
    }
}

#[test]
fn export_restore_anywhere_continues_identically() {
    for (ci, p) in configs().iter().enumerate() {
        let prices = random_prices(150, 300 + ci as u64);
        let want = expected_bars(&prices, p);
        let len = AtcStream::state_len(p).unwrap();
        let mut rng = Rng(99 + ci as u64);
        let mut s = AtcStream::new(p).unwrap();
        let mut out = [0.0; 13];
        let mut state = vec![0.0; len];
        let mut again = vec![0.0; len];
        for (i, &x) in prices.iter().enumerate() {
            // random mix: push, sometimes a replace of the forming bar, sometimes a round trip
            if rng.f64() < 0.3 {
                s.export_state(&mut state).unwrap();
                s = AtcStream::from_state(p, s.len(), &state).unwrap();
                s.export_state(&mut again).unwrap();
                assert_eq!(
                    bits(&state),
                    bits(&again),
                    "config {ci}: re-export at bar {i}"
                );
            }
            s.push(x * 1.01, &mut out).unwrap();
            if rng.f64() < 0.3 {
                s.export_state(&mut state).unwrap();
                s = AtcStream::from_state(p, s.len(), &state).unwrap();
            }
            s.replace_last(x, &mut out).unwrap();
            assert_row(&format!("config {ci} restored"), i, &out, &want[i]);
        }
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn state_layout_and_canonical_nans() {
    for p in configs() {
        let lens = p.all_family_lengths().unwrap();
        let max = lens.iter().flatten().copied().max().unwrap();
        let w = max + 2;
        let windows: usize = if p.semantics == Semantics::Pine {
            lens[3].iter().sum()
        } else {
            lens[1].iter().map(|&l| isqrt(l) + 1).sum()
        };
        let len = AtcStream::state_len(&p).unwrap();
        assert_eq!(len, w + 1 + 540 + windows + 18 + 1);

        let s = AtcStream::new(&p).unwrap();
        let mut st = vec![0.0; len];
        s.export_state(&mut st).unwrap();
        // initial values (docs/streaming.md)
        assert!(st[..=w].iter().all(|v| v.to_bits() == NAN_BITS));
        for q in 0..54 {
            let m = &st[w + 1 + 10 * q..w + 11 + 10 * q];
            assert_eq!(m[..6], [0.0; 6]);
            assert_eq!(m[6].to_bits(), NAN_BITS);
            assert_eq!(m[7..], [0.0, 1.0, 0.0]);
        }
        let fam = w + 1 + 540 + windows;
        assert!(st[w + 1 + 540..fam].iter().all(|v| v.to_bits() == NAN_BITS));
        for f in 0..6 {
            assert_eq!(st[fam + 3 * f], p.weights[f].max(EQUITY_FLOOR));
            assert_eq!(st[fam + 3 * f + 1], 0.0);
            assert_eq!(st[fam + 3 * f + 2].to_bits(), NAN_BITS);
        }
        assert_eq!(st[len - 1].to_bits(), NAN_BITS);

        // after some bars every NaN is the canonical one, the last close is in place
        let mut s = AtcStream::new(&p).unwrap();
        let prices = random_prices(60, 8);
        let mut out = vec![0.0; 13 * 60];
        assert_eq!(s.push_many(&prices, &mut out).unwrap(), None);
        s.export_state(&mut st).unwrap();
        assert!(st.iter().all(|v| !v.is_nan() || v.to_bits() == NAN_BITS));
        assert_eq!(st[w], prices[59]);
        assert_eq!(st[w - 1], prices[58]);
    }
}

#[test]
fn from_state_refusals() {
    let p = Params::default();
    let len = AtcStream::state_len(&p).unwrap();
    let mut s = AtcStream::new(&p).unwrap();
    let mut out = [0.0; 13];
    for x in random_prices(40, 3) {
        s.push(x, &mut out).unwrap();
    }
    let mut st = vec![0.0; len];
    s.export_state(&mut st).unwrap();
    assert!(matches!(
        AtcStream::from_state(&p, 40, &st[..len - 1]),
        Err(KernelError::LengthMismatch { .. })
    ));
    let mut longer = st.clone();
    longer.push(0.0);
    assert!(AtcStream::from_state(&p, 40, &longer).is_err());
    // a state of another configuration has another length
    let other = Params {
        lengths: [10; 6],
        ..p
    };
    assert!(AtcStream::from_state(&other, 40, &st).is_err());
    // a last close that is not a price
    let mut bad = st.clone();
    bad[AtcStream::state_len(&p).unwrap() - 1 - 18 - 1 - 540 - 9 * 6 - 1] = 0.0; // any slot: still imports
    let mut bad_close = st.clone();
    let w = 28 + 6 + 2;
    bad_close[w] = -1.0;
    assert!(matches!(
        AtcStream::from_state(&p, 40, &bad_close),
        Err(KernelError::InvalidState { .. })
    ));
    bad_close[w] = f64::NAN;
    assert!(AtcStream::from_state(&p, 40, &bad_close).is_err());
    // export lengths are checked too
    assert!(s.export_state(&mut st[..len - 1]).is_err());
    // invalid parameters
    let bad_params = Params { de: 200.0, ..p };
    assert!(AtcStream::new(&bad_params).is_err());
    assert!(AtcStream::state_len(&bad_params).is_err());
    let _ = bad;
}

#[test]
fn invalid_closes_and_buffers_are_refused_without_change() {
    let p = Params::default();
    let mut s = AtcStream::new(&p).unwrap();
    let mut out = [0.0; 13];
    for x in [f64::NAN, f64::INFINITY, 0.0, -1.0, f64::NEG_INFINITY] {
        assert!(matches!(
            s.push(x, &mut out),
            Err(KernelError::InvalidClose { index: 0 })
        ));
    }
    assert!(s.push(1.0, &mut out[..12]).is_err());
    assert_eq!(s.len(), 0);
    s.push(1.0, &mut out).unwrap();
    assert!(s.replace_last(f64::NAN, &mut out).is_err());
    assert!(matches!(
        s.push_many(&[1.0, 2.0, -3.0], &mut [0.0; 39]),
        Err(KernelError::InvalidClose { index: 2 })
    ));
    assert!(s.push_many(&[1.0, 2.0], &mut [0.0; 25]).is_err());
    assert_eq!(s.len(), 1);
}

#[test]
fn push_many_equals_pushes() {
    for (ci, p) in configs().iter().enumerate() {
        let prices = random_prices(230, 500 + ci as u64);
        let want = expected_bars(&prices, p);
        let mut s = AtcStream::new(p).unwrap();
        let mut at = 0;
        for k in [0usize, 1, 7, 50, 172] {
            let chunk = &prices[at..at + k];
            let mut out = vec![0.0; 13 * k];
            assert_eq!(s.push_many(chunk, &mut out).unwrap(), None);
            for j in 0..k {
                let row: Vec<f64> = (0..13).map(|r| out[r * k + j]).collect();
                assert_row(
                    &format!("config {ci} push_many"),
                    at + j,
                    &row,
                    &want[at + j],
                );
            }
            at += k;
        }
        assert_eq!(s.len(), 230);
    }
}

#[test]
fn stream_set_equals_single_streams() {
    for (ci, p) in configs().iter().enumerate() {
        let count = 5;
        let all: Vec<Vec<f64>> = (0..count)
            .map(|s| random_prices(120, 900 + (ci * count + s) as u64))
            .collect();
        let want: Vec<_> = all.iter().map(|x| expected_bars(x, p)).collect();
        let mut set = StreamSet::new(p, count).unwrap();
        assert_eq!(set.count(), count);
        let mut out = vec![0.0; 13 * count];
        let mut rng = Rng(4 + ci as u64);
        assert!(matches!(
            set.replace_last(&[1.0; 5], &mut out),
            Err(KernelError::EmptyStream)
        ));
        for i in 0..120 {
            let closes: Vec<f64> = all.iter().map(|x| x[i]).collect();
            let forming: Vec<f64> = closes
                .iter()
                .map(|x| x * (0.99 + 0.02 * rng.f64()))
                .collect();
            assert_eq!(set.push(&forming, &mut out).unwrap(), None);
            if rng.f64() < 0.5 {
                let tick: Vec<f64> = closes.iter().map(|x| x * 1.005).collect();
                assert_eq!(set.replace_last(&tick, &mut out).unwrap(), None);
            }
            assert_eq!(set.replace_last(&closes, &mut out).unwrap(), None);
            for s in 0..count {
                let row: Vec<f64> = (0..13).map(|r| out[r * count + s]).collect();
                assert_row(&format!("config {ci} set stream {s}"), i, &row, &want[s][i]);
            }
        }
        assert_eq!(set.len(), 120);
        // a member's state restores into a single stream that continues identically
        let len = AtcStream::state_len(p).unwrap();
        let mut st = vec![0.0; len];
        set.export_state(2, &mut st).unwrap();
        let mut single = AtcStream::new(p).unwrap();
        let mut out1 = vec![0.0; 13 * 120];
        single.push_many(&all[2], &mut out1).unwrap();
        let mut st1 = vec![0.0; len];
        single.export_state(&mut st1).unwrap();
        assert_eq!(bits(&st), bits(&st1));
        assert!(matches!(
            set.export_state(count, &mut st),
            Err(KernelError::StreamIndex { .. })
        ));
        assert!(set.push(&[1.0; 4], &mut out).is_err());
    }
}

/// First bar (input index) where core's growth rule fails on `compute_atc`'s outputs: a
/// Layer-1 value or the left-to-right sum of the Layer-2 equities not finite (output bars only).
fn first_not_finite(prices: &[f64], p: &Params) -> Option<usize> {
    let bars = expected_bars(prices, p);
    (p.cutout..prices.len()).find(|&i| {
        let b = &bars[i];
        let sum = ((((b[6] + b[7]) + b[8]) + b[9]) + b[10]) + b[11];
        !sum.is_finite() || b[..6].iter().any(|v| !v.is_finite())
    })
}

/// A configuration whose equities overflow: λ large enough that `exp(λ·i)` saturates.
fn overflowing() -> Params {
    Params {
        la: 300_000.0, // λ = 300: exp overflows from bar 3 on (clamped to f64::MAX)
        lengths: [5, 6, 5, 5, 5, 5],
        robustness: Robustness::Narrow,
        ..Params::default()
    }
}

#[test]
fn not_finite_bars_commit_nothing() {
    let p = overflowing();
    for p in [p, pine(p)] {
        // the first candidate series on which compute_atc's outputs stop being finite
        let candidates: [Vec<f64>; 2] = [
            (0..40)
                .map(|i| if i % 2 == 0 { 10.0 } else { 30.0 })
                .collect(),
            // a zigzag, then a steady rise: the signals stay long while returns explode
            (0..40)
                .map(|i| match i {
                    0..12 => 10.0 - 5.0 * (i % 2) as f64,
                    _ => 10.0 * 2f64.powi(i - 11),
                })
                .collect(),
        ];
        let (prices, expected) = candidates
            .iter()
            .find_map(|x| first_not_finite(x, &p).map(|bar| (x.clone(), bar)))
            .expect("a candidate overflows");
        let mut s = AtcStream::new(&p).unwrap();
        let mut out = [0.0; 13];
        let len = AtcStream::state_len(&p).unwrap();
        let (mut before, mut after) = (vec![0.0; len], vec![0.0; len]);
        let mut failed_at = None;
        for (i, &x) in prices.iter().enumerate() {
            s.export_state(&mut before).unwrap();
            match s.push(x, &mut out).unwrap() {
                StepStatus::Ok => {}
                StepStatus::NotFinite => {
                    failed_at = Some(i);
                    break;
                }
            }
        }
        let i = failed_at.expect("this configuration overflows");
        assert_eq!(
            i, expected,
            "the stream refuses the bar core's rule refuses"
        );
        assert_eq!(s.len(), i as u64);
        s.export_state(&mut after).unwrap();
        assert_eq!(
            bits(&before),
            bits(&after),
            "a refused push changed the state"
        );
        // a replace_last that overflows also leaves everything as it was
        if i > 0 {
            let mut probe = s.clone();
            let mut st = vec![0.0; len];
            // the last committed bar is finite; replace it with a value that is as well
            assert_eq!(
                probe.replace_last(prices[i - 1], &mut out).unwrap(),
                StepStatus::Ok
            );
            probe.export_state(&mut st).unwrap();
            assert_eq!(bits(&st), bits(&after));
        }
        // push_many over the failing bar commits nothing
        let mut fresh = AtcStream::new(&p).unwrap();
        let mut outs = vec![0.0; 13 * prices.len()];
        assert_eq!(fresh.push_many(&prices, &mut outs).unwrap(), Some(i));
        assert_eq!(fresh.len(), 0);
        let mut st = vec![0.0; len];
        fresh.export_state(&mut st).unwrap();
        let mut empty = vec![0.0; len];
        AtcStream::new(&p)
            .unwrap()
            .export_state(&mut empty)
            .unwrap();
        assert_eq!(bits(&st), bits(&empty));
        // a set: stream 1 overflows, stream 0 does not; no stream commits
        let mut set = StreamSet::new(&p, 2).unwrap();
        let mut o2 = [0.0; 26];
        let mut hit = None;
        for (j, &x) in prices.iter().enumerate() {
            let calm = 10.0 + (j % 2) as f64 * 1e-9;
            match set.push(&[calm, x], &mut o2).unwrap() {
                None => {}
                Some(s) => {
                    hit = Some((j, s));
                    break;
                }
            }
        }
        let (j, which) = hit.expect("stream 1 overflows");
        assert_eq!(which, 1);
        assert_eq!(set.len(), j as u64);
        assert_eq!(j, i);
    }
}

#[test]
fn replace_last_not_finite_restores_rings() {
    // the forming bar overflows, the final close does not: the stream continues exactly
    let p = Params {
        lengths: [5, 6, 5, 5, 5, 5],
        robustness: Robustness::Narrow,
        la: 2_000.0,
        ..Params::default()
    };
    for p in [p, pine(p)] {
        let prices = random_prices(80, 21);
        let want = expected_bars(&prices, &p);
        let mut s = AtcStream::new(&p).unwrap();
        let mut out = [0.0; 13];
        let mut refused = 0;
        for (i, &x) in prices.iter().enumerate() {
            assert_eq!(s.push(x, &mut out).unwrap(), StepStatus::Ok);
            if s.replace_last(x * 1e300, &mut out).unwrap() == StepStatus::NotFinite {
                refused += 1;
            } else {
                assert_eq!(s.replace_last(x, &mut out).unwrap(), StepStatus::Ok);
            }
            // the committed bar stays the final close's
            let mut again = [0.0; 13];
            assert_eq!(s.replace_last(x, &mut again).unwrap(), StepStatus::Ok);
            assert_row("after a refused replace", i, &again, &want[i]);
        }
        assert!(refused > 0, "some forming bars overflow");
    }
}

/// The shared data folder `build.rs` found (it sets `cfg(has_shared_fixtures)` with it; without
/// it the real-data test is reported as ignored, as in tests/golden.rs).
#[cfg(has_shared_fixtures)]
fn shared_data() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("ATC_SHARED_FIXTURES")).join("data")
}

#[cfg(not(has_shared_fixtures))]
fn shared_data() -> std::path::PathBuf {
    panic!("no shared data was found when this test was built (see build.rs)")
}

#[test]
#[cfg_attr(
    not(has_shared_fixtures),
    ignore = "shared data not found: <repo>/../shared (or ATC_SHARED_DIR) with data/"
)]
fn real_data_streams_equal_compute_atc() {
    let path = shared_data().join("ETH_BTC-5m.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| h.trim() == "close").unwrap();
    let prices: Vec<f64> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').nth(col).unwrap().trim().parse().unwrap())
        .collect();
    assert!(prices.len() > 5000);
    for p in [
        Params::default(),
        pine(Params::default()),
        Params {
            cutout: 100,
            strategy_mode: true,
            ..Params::default()
        },
    ] {
        let want = expected_bars(&prices, &p);
        let mut s = AtcStream::new(&p).unwrap();
        let mut out = vec![0.0; 13 * prices.len()];
        assert_eq!(s.push_many(&prices, &mut out).unwrap(), None);
        let k = prices.len();
        for (i, w) in want.iter().enumerate() {
            let row: Vec<f64> = (0..13).map(|r| out[r * k + i]).collect();
            assert_row("ETH_BTC-5m", i, &row, w);
        }
    }
}

#[test]
fn garbage_states_never_panic() {
    // any vector of the right length and any bar count: from_state refuses or imports, and the
    // stream then steps, replaces and exports without panicking
    let mut rng = Rng(2718);
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        f64::MAX,
        1e-310,
        -5.0,
    ];
    for (ci, p) in configs().iter().enumerate() {
        let len = AtcStream::state_len(p).unwrap();
        for round in 0..20 {
            let mut st = vec![0.0; len];
            let mut good = AtcStream::new(p).unwrap();
            let mut out = vec![0.0; 13 * 80];
            good.push_many(&random_prices(80, round), &mut out).unwrap();
            good.export_state(&mut st).unwrap();
            for v in st.iter_mut() {
                let u = rng.f64();
                if u < 0.1 {
                    *v = specials[(rng.next_u64() % specials.len() as u64) as usize];
                } else if u < 0.15 {
                    *v = f64::from_bits(rng.next_u64());
                }
            }
            let bars = match round % 4 {
                0 => rng.next_u64() % 200,
                1 => u64::MAX - (rng.next_u64() % 3),
                2 => 80,
                _ => rng.next_u64(),
            };
            let Ok(mut s) = AtcStream::from_state(p, bars, &st) else {
                continue;
            };
            let mut row = [0.0; 13];
            let _ = s.push(1.5, &mut row);
            let _ = s.replace_last(2.5, &mut row);
            let _ = s.push_many(&[1.0, 2.0, 3.0], &mut [0.0; 39]);
            let mut again = vec![0.0; len];
            s.export_state(&mut again).unwrap();
            assert!(
                again.iter().all(|v| !v.is_nan() || v.to_bits() == NAN_BITS),
                "config {ci}"
            );
        }
    }
}

/// `push_many` through the AVX2 twin when the CPU has it, else the baseline one.
fn push_many_either(
    s: &mut AtcStream,
    closes: &[f64],
    out: &mut [f64],
    avx2: bool,
) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if avx2 && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { s.push_many_avx2(closes, out) }.unwrap();
    }
    let _ = avx2;
    s.push_many(closes, out).unwrap()
}

fn exported(s: &AtcStream, p: &Params) -> Vec<u64> {
    let mut v = vec![0.0; AtcStream::state_len(p).unwrap()];
    s.export_state(&mut v).unwrap();
    bits(&v)
}

/// Pushes `prices` through `fast` in calls of `splits` bars (`push_many`) and through `slow`
/// bar by bar: every output equals `want` and both exported states agree after every call.
#[allow(clippy::too_many_arguments)] // the two streams, the data and what to report
fn push_in_splits(
    fast: &mut AtcStream,
    slow: &mut AtcStream,
    prices: &[f64],
    splits: &[usize],
    want: &[[f64; 13]],
    p: &Params,
    avx2: bool,
    what: &str,
) {
    let mut one = [0.0; 13];
    let mut at = 0;
    for &k in splits {
        let chunk = &prices[at..at + k];
        let mut out = vec![0.0; 13 * k];
        assert_eq!(
            push_many_either(fast, chunk, &mut out, avx2),
            None,
            "{what}"
        );
        for j in 0..k {
            let row: Vec<f64> = (0..13).map(|r| out[r * k + j]).collect();
            assert_row(what, at + j, &row, &want[at + j]);
            assert_eq!(slow.push(chunk[j], &mut one).unwrap(), StepStatus::Ok);
        }
        at += k;
        assert_eq!(
            exported(fast, p),
            exported(slow, p),
            "{what}: state after {at} bars"
        );
    }
}

/// Lane runs (`push_many` past the warm-up): calls that cross the warm-up boundary, long runs
/// (> 5,000 bars, several 512-bar runs), both semantics, the three robustness spreads, cutout
/// and strategy mode, both instruction-set twins: every output equals compute_atc's, and the
/// exported state equals the one of a stream pushed bar by bar, after every call; the stream
/// then continues (replace_last, push) exactly as the bar-by-bar one.
#[test]
fn push_many_runs_equal_bar_by_bar_state_and_outputs() {
    let n = 5_300;
    for (ci, p) in configs().iter().enumerate() {
        for (si, prices) in series(n, 900 + ci as u64).iter().enumerate() {
            let want = expected_bars(prices, p);
            for avx2 in [false, true] {
                let what = format!("config {ci} series {si} avx2 {avx2}");
                let mut fast = AtcStream::new(p).unwrap();
                let mut slow = AtcStream::new(p).unwrap();
                // 3 bars (warm-up), 60 (crosses it for every config), 1 (a run of 0 bars),
                // 5,200 (long), then the rest
                let splits = [3usize, 60, 1, 5_200, n - 3 - 60 - 1 - 5_200];
                push_in_splits(&mut fast, &mut slow, prices, &splits, &want, p, avx2, &what);
                // both continue identically
                let (mut a, mut b) = ([0.0; 13], [0.0; 13]);
                for (j, x) in [101.5, 99.0, 100.25].into_iter().enumerate() {
                    let (sa, sb) = if j == 1 {
                        (
                            fast.replace_last(x, &mut a).unwrap(),
                            slow.replace_last(x, &mut b).unwrap(),
                        )
                    } else {
                        (fast.push(x, &mut a).unwrap(), slow.push(x, &mut b).unwrap())
                    };
                    assert_eq!(sa, sb, "{what}");
                    assert_eq!(bits(&a), bits(&b), "{what}: continued bar {j}");
                    assert_eq!(
                        exported(&fast, p),
                        exported(&slow, p),
                        "{what}: continued state {j}"
                    );
                }
            }
        }
    }
}

/// MA-only lane runs before a long cutout (reference): calls that run up to the cutout, cross
/// it and continue past it give compute_atc's outputs (NaN before the cutout) and the state of
/// a stream pushed bar by bar, on both instruction-set twins.
#[test]
fn push_many_runs_before_a_long_cutout_equal_bar_by_bar() {
    let n = 4_000;
    for cutout in [700usize, 1_536, 2_999] {
        let p = Params {
            cutout,
            ..Params::default()
        };
        for (si, prices) in series(n, 77 + cutout as u64).iter().enumerate() {
            let want = expected_bars(prices, &p);
            for avx2 in [false, true] {
                let what = format!("cutout {cutout} series {si} avx2 {avx2}");
                let mut fast = AtcStream::new(&p).unwrap();
                let mut slow = AtcStream::new(&p).unwrap();
                let splits = [
                    50usize,
                    650,
                    1,
                    1_299,
                    1_000,
                    n - 50 - 650 - 1 - 1_299 - 1_000,
                ];
                push_in_splits(
                    &mut fast, &mut slow, prices, &splits, &want, &p, avx2, &what,
                );
            }
        }
    }
}

/// A bar that is not finite inside a lane run: `push_many` reports the same bar as bar-by-bar
/// pushes and commits nothing.
#[test]
fn push_many_runs_not_finite_commit_nothing() {
    let p = Params {
        la: 2_000.0, // exp(2·i) overflows after a few hundred bars
        lengths: [5, 6, 5, 5, 5, 5],
        robustness: Robustness::Narrow,
        ..Params::default()
    };
    let prices: Vec<f64> = (0..2_000)
        .map(|i| 10.0 + (i % 7) as f64 + (i % 3) as f64 * 0.5)
        .collect();
    let bad = first_not_finite(&prices, &p).expect("a bar that is not finite");
    assert!(
        bad > 100,
        "the failing bar must lie inside a lane run ({bad})"
    );
    for avx2 in [false, true] {
        let mut s = AtcStream::new(&p).unwrap();
        let mut out = vec![0.0; 13 * 50];
        assert_eq!(
            push_many_either(&mut s, &prices[..50], &mut out, avx2),
            None
        );
        let before = exported(&s, &p);
        let rest = &prices[50..];
        let mut out = vec![0.0; 13 * rest.len()];
        assert_eq!(
            push_many_either(&mut s, rest, &mut out, avx2),
            Some(bad - 50)
        );
        assert_eq!(s.len(), 50);
        assert_eq!(exported(&s, &p), before);
    }
}

/// `StreamSet::push_threads` = `push`: the same outputs and states for 1–4 threads (uneven
/// chunks included), and the same refusal (the first overflowing stream, nothing committed).
#[cfg(feature = "std")]
#[test]
fn threaded_set_push_equals_serial() {
    for (ci, p) in configs().iter().enumerate().take(4) {
        let count = 13;
        let all: Vec<Vec<f64>> = (0..count)
            .map(|s| random_prices(90, 4_000 + (ci * count + s) as u64))
            .collect();
        let mut serial = StreamSet::new(p, count).unwrap();
        let mut sets: Vec<StreamSet> = (0..4).map(|_| StreamSet::new(p, count).unwrap()).collect();
        let (mut want, mut got) = (vec![0.0; 13 * count], vec![0.0; 13 * count]);
        for i in 0..90 {
            let closes: Vec<f64> = all.iter().map(|x| x[i]).collect();
            assert_eq!(serial.push(&closes, &mut want).unwrap(), None);
            for (t, set) in sets.iter_mut().enumerate() {
                assert_eq!(set.push_threads(&closes, &mut got, t + 1).unwrap(), None);
                assert_eq!(
                    bits(&got),
                    bits(&want),
                    "config {ci} bar {i} threads {}",
                    t + 1
                );
            }
        }
        let len = AtcStream::state_len(p).unwrap();
        let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
        for s in 0..count {
            serial.export_state(s, &mut a).unwrap();
            for set in &sets {
                set.export_state(s, &mut b).unwrap();
                assert_eq!(bits(&a), bits(&b));
            }
        }
    }
    // refusal: streams 5 and 9 of 12 overflow on the same bar; 3 threads report stream 5
    let p = overflowing();
    let zigzag: Vec<f64> = (0..40)
        .map(|i| if i % 2 == 0 { 10.0 } else { 30.0 })
        .collect();
    let mut serial = StreamSet::new(&p, 12).unwrap();
    let mut threaded = StreamSet::new(&p, 12).unwrap();
    let (mut o1, mut o2) = (vec![0.0; 13 * 12], vec![0.0; 13 * 12]);
    for (j, &x) in zigzag.iter().enumerate() {
        let closes: Vec<f64> = (0..12)
            .map(|s| {
                if s == 5 || s == 9 {
                    x
                } else {
                    10.0 + (j % 2) as f64 * 1e-9
                }
            })
            .collect();
        let a = serial.push(&closes, &mut o1).unwrap();
        let b = threaded.push_threads(&closes, &mut o2, 3).unwrap();
        assert_eq!(a, b, "bar {j}");
        if a.is_some() {
            assert_eq!(a, Some(5));
            assert_eq!(threaded.len(), j as u64);
            return;
        }
    }
    panic!("the zigzag overflows");
}
