//! `persist_signal` and its AVX2 build against the bar-by-bar state machine (up → 1, else
//! down → −1, else keep; 0 at the start), on every block/tail split and flag byte.

use atc_kernels::persist_signal;

fn bar_by_bar(up: &[u8], down: &[u8]) -> Vec<i8> {
    let mut s = 0i8;
    up.iter()
        .zip(down)
        .map(|(&u, &d)| {
            if u != 0 {
                s = 1;
            } else if d != 0 {
                s = -1;
            }
            s
        })
        .collect()
}

/// One build of the kernel (flags up, flags down, out).
type Build = fn(&[u8], &[u8], &mut [i8]);

/// Every build this CPU runs, by name.
fn builds() -> Vec<(&'static str, Build)> {
    let mut all: Vec<(&'static str, Build)> =
        vec![("baseline", |u, d, o| persist_signal(u, d, o).unwrap())];
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        all.push(("avx2", |u, d, o| unsafe {
            atc_kernels::persist_signal_avx2(u, d, o).unwrap()
        }));
    }
    all
}

#[test]
fn every_build_equals_bar_by_bar() {
    // Any non-zero byte is a set flag (0x80 and 0xff test the byte tests' edges); densities from
    // a flag on most bars to one every ~50.
    let flags = [1u8, 2, 0x7f, 0x80, 0xff];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for n in (0..140).chain([255, 256, 257, 1000, 4099]) {
        for per_mille in [900u64, 300, 120, 20] {
            let mut flag = || {
                if next() % 1000 < per_mille {
                    flags[(next() % 5) as usize]
                } else {
                    0
                }
            };
            let up: Vec<u8> = (0..n).map(|_| flag()).collect();
            let down: Vec<u8> = (0..n).map(|_| flag()).collect();
            let expected = bar_by_bar(&up, &down);
            for (name, build) in builds() {
                let mut out = vec![7i8; n];
                build(&up, &down, &mut out);
                assert_eq!(out, expected, "{name}: n = {n}, density {per_mille}‰");
            }
        }
    }
}

#[test]
fn the_avx2_build_refuses_what_the_baseline_refuses() {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        let mut out = [0i8; 2];
        // SAFETY: the CPU has AVX2 (checked just above).
        let (a, b) = unsafe {
            (
                atc_kernels::persist_signal_avx2(&[1, 0], &[0], &mut out).unwrap_err(),
                atc_kernels::persist_signal_avx2(&[1, 0], &[0, 1], &mut out[..1]).unwrap_err(),
            )
        };
        assert_eq!(a, persist_signal(&[1, 0], &[0], &mut out).unwrap_err());
        assert_eq!(
            b,
            persist_signal(&[1, 0], &[0, 1], &mut out[..1]).unwrap_err()
        );
    }
}
