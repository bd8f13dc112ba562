//! KAMA in chunks (`kama_head`, then `kama_continue` with the `length + 1` bars before each
//! chunk) gives the very bits of one `kama` pass, whatever the split points.

use atc_kernels::{kama, kama_continue, kama_head, KernelError};

fn walk(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut p = 100.0;
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            p *= 1.0 + ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.02;
            // flat runs: a zero noise window takes the ratio-0 branch
            if (i / 50) % 7 == 3 {
                100.0
            } else {
                p
            }
        })
        .collect()
}

/// KAMA of `x` through the head and continuations ending at `cuts` (then `x.len()`).
fn chunked(x: &[f64], length: usize, cuts: &[usize]) -> Vec<f64> {
    let mut out = vec![f64::NAN; x.len()];
    let mut end = cuts[0];
    let mut carry = kama_head(&x[..end], length, &mut out[..end]).unwrap();
    for &next in cuts[1..].iter().chain([x.len()].iter()) {
        carry = kama_continue(
            &x[end - length - 1..next],
            length,
            carry,
            &mut out[end..next],
        )
        .unwrap();
        assert_eq!(carry.value.to_bits(), out[next - 1].to_bits());
        end = next;
    }
    out
}

#[test]
fn chunks_equal_one_pass() {
    for (n, seed) in [(2_000usize, 1u64), (5_003, 2)] {
        let x = walk(n, seed);
        for length in [1usize, 2, 3, 10, 28, 99] {
            let mut one = vec![0.0; n];
            kama(&x, length, &mut one).unwrap();
            for cuts in [
                vec![length + 1],
                vec![length + 1, length + 2, 2 * length + 3],
                vec![300, 301, 700, 1999],
                vec![n / 2],
            ] {
                let got = chunked(&x, length, &cuts);
                for i in 0..n {
                    assert_eq!(
                        got[i].to_bits(),
                        one[i].to_bits(),
                        "n {n} L {length} cuts {cuts:?} bar {i}"
                    );
                }
            }
        }
    }
}

#[test]
fn short_or_mismatched_chunks_are_refused() {
    let x = walk(40, 3);
    let mut out = vec![0.0; 40];
    assert!(matches!(
        kama_head(&x[..5], 5, &mut out[..5]),
        Err(KernelError::SeriesTooShort { .. })
    ));
    assert!(kama_head(&x, 0, &mut out).is_err());
    assert!(kama_head(&x, 5, &mut out[..39]).is_err());
    let carry = kama_head(&x[..20], 5, &mut out[..20]).unwrap();
    assert!(kama_continue(&x[14..30], 5, carry, &mut out[20..29]).is_err()); // out one short
    assert!(kama_continue(&x[14..20], 5, carry, &mut out[20..20]).is_ok()); // no new bar
    assert!(kama_continue(&x[15..20], 5, carry, &mut out[20..20]).is_err()); // window too short
}
