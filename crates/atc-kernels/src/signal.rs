//! Persistent crossover signals (docs/kernels.md, "Signals").

use crate::error::{check_len, KResult};

/// The persistence state machine: `up` sets 1, else `down` sets −1, else keep.
#[inline(always)]
pub(crate) fn persist(state: i8, up: bool, down: bool) -> i8 {
    if up {
        1
    } else if down {
        -1
    } else {
        state
    }
}

/// Crossover/crossunder of price vs MA at bar `i ≥ 1` (NaN comparisons are false).
#[inline(always)]
pub(crate) fn cross(p: f64, m: f64, pp: f64, pm: f64) -> (bool, bool) {
    let up = p > m && pp <= pm;
    let down = p < m && pp >= pm;
    (up, down)
}

/// Held crossover state of `prices` against `ma`: 0 until the first cross, then 1 after a
/// crossover (`p > m` now, `p ≤ m` on the previous bar), −1 after a crossunder. Bar 0 never
/// crosses. `prices`, `ma` and `out` must have the same length.
pub fn crossover_signal(prices: &[f64], ma: &[f64], out: &mut [i8]) -> KResult {
    check_len("ma", prices.len(), ma.len())?;
    check_len("out", prices.len(), out.len())?;
    let n = prices.len();
    if n == 0 {
        return Ok(());
    }
    let mut s = 0i8;
    out[0] = 0;
    let mut pp = prices[0];
    let mut pm = ma[0];
    for i in 1..n {
        let p = prices[i];
        let m = ma[i];
        let (up, down) = cross(p, m, pp, pm);
        s = persist(s, up, down);
        out[i] = s;
        pp = p;
        pm = m;
    }
    Ok(())
}

/// The same state machine over precomputed flags (non-zero = set; `up` wins over `down`).
/// `up`, `down` and `out` must have the same length.
///
/// 32 bars at a time as four `u64` words per array (SWAR, safe code): each word's eight bars
/// are resolved on their own (independent work the compiler spreads over SIMD lanes), then the
/// state carries from word to word — one step per eight bars instead of one select per bar.
/// Same outputs as [`persist`] bar by bar (a tested invariant). Rust alone on EMA(28)
/// crossings of a 1 %-vol walk: 0.3 ns/bar, bar by bar 0.6–1.2.
pub fn persist_signal(up: &[u8], down: &[u8], out: &mut [i8]) -> KResult {
    check_len("down", up.len(), down.len())?;
    check_len("out", up.len(), out.len())?;
    let mut s = 0i8;
    let blocks = out
        .chunks_exact_mut(32)
        .zip(up.chunks_exact(32))
        .zip(down.chunks_exact(32));
    for ((o, u), d) in blocks {
        let mut value = [0u64; 4];
        let mut set = [0u64; 4];
        for j in 0..4 {
            (value[j], set[j]) = own_values(word(&u[8 * j..]), word(&d[8 * j..]));
        }
        for shift in [8, 16, 32] {
            for j in 0..4 {
                value[j] |= (value[j] << shift) & !set[j];
                set[j] |= set[j] << shift;
            }
        }
        for j in 0..4 {
            let held = value[j] | ((u64::from(s as u8) * ONES) & !set[j]);
            for (o, b) in o[8 * j..8 * j + 8].iter_mut().zip(held.to_le_bytes()) {
                *o = b as i8;
            }
            s = (held >> 56) as u8 as i8;
        }
    }
    let done = up.len() - up.len() % 32;
    for ((o, &u), &d) in out[done..].iter_mut().zip(&up[done..]).zip(&down[done..]) {
        s = persist(s, u != 0, d != 0);
        *o = s;
    }
    Ok(())
}

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The first eight bytes as a little-endian word (byte `j` = bar `j`).
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(w)
}

/// `0xff` in every byte of `x` that is non-zero, else `0x00` (no carry crosses a byte:
/// `(b & 0x7f) + 0x7f ≤ 0xfe`).
#[inline(always)]
fn nonzero_bytes(x: u64) -> u64 {
    let high = (((x & LOW7) + LOW7) | x) & HIGH;
    (high >> 7) * 0xff
}

/// Eight bars' own values and where they have one: byte `j` of the value is 0x01 (up),
/// 0xff (down, = −1) or 0; byte `j` of the mask is 0xff where bar `j` has a value. A log-step
/// scan (1, 2, 4 bars) then fills each bar without one from the nearest bar before it that has
/// one; bars with none before them in the word take the carried state.
#[inline(always)]
fn own_values(up: u64, down: u64) -> (u64, u64) {
    let u = nonzero_bytes(up);
    let d = nonzero_bytes(down);
    ((u & ONES) | (d & !u), u | d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bar-by-bar reference of [`persist_signal`]: [`persist`] on every bar.
    fn persist_scalar(up: &[u8], down: &[u8]) -> alloc::vec::Vec<i8> {
        let mut s = 0i8;
        up.iter()
            .zip(down)
            .map(|(&u, &d)| {
                s = persist(s, u != 0, d != 0);
                s
            })
            .collect()
    }

    #[test]
    fn blocks_of_words_equal_bar_by_bar() {
        // Any non-zero byte is a set flag (0x80 and 0xff test the SWAR byte test's edges).
        let flags = [0u8, 0, 0, 0, 0, 1, 2, 0x7f, 0x80, 0xff];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in (0..40).chain([255, 256, 1000, 1001]) {
            for _ in 0..50 {
                let up: alloc::vec::Vec<u8> =
                    (0..n).map(|_| flags[(next() % 10) as usize]).collect();
                let down: alloc::vec::Vec<u8> =
                    (0..n).map(|_| flags[(next() % 10) as usize]).collect();
                let mut out = alloc::vec![7i8; n];
                persist_signal(&up, &down, &mut out).unwrap();
                assert_eq!(
                    out,
                    persist_scalar(&up, &down),
                    "n = {n}, up {up:?}, down {down:?}"
                );
            }
        }
    }

    #[test]
    fn a_state_carries_across_words_and_blocks() {
        // Flags at 3 (word 0), 13 (word 1), 40 (block 1), 70 (the bar-by-bar tail).
        let n = 75;
        let mut up = alloc::vec![0u8; n];
        let mut down = alloc::vec![0u8; n];
        up[3] = 1;
        down[13] = 9;
        up[40] = 0x80;
        down[70] = 1;
        let mut out = alloc::vec![0i8; n];
        persist_signal(&up, &down, &mut out).unwrap();
        let expected: alloc::vec::Vec<i8> = (0..n)
            .map(|i| match i {
                0..3 => 0,
                3..13 => 1,
                13..40 => -1,
                40..70 => 1,
                _ => -1,
            })
            .collect();
        assert_eq!(out, expected);
    }
}
