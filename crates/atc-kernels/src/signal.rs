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
/// Eight bars at a time as one `u64` per array (SWAR, safe code): the loop-carried state is one
/// byte per eight bars instead of one select per bar, so the loop runs at the speed of its
/// independent work. Same outputs as [`persist`] bar by bar (a tested invariant).
pub fn persist_signal(up: &[u8], down: &[u8], out: &mut [i8]) -> KResult {
    check_len("down", up.len(), down.len())?;
    check_len("out", up.len(), out.len())?;
    let mut s = 0i8;
    let blocks = out.chunks_exact_mut(8).zip(up.chunks_exact(8)).zip(down.chunks_exact(8));
    for ((o, u), d) in blocks {
        let held = persist8(s, word(u), word(d));
        for (o, b) in o.iter_mut().zip(held.to_le_bytes()) {
            *o = b as i8;
        }
        s = (held >> 56) as u8 as i8;
    }
    let done = up.len() - up.len() % 8;
    for ((o, &u), &d) in out[done..].iter_mut().zip(&up[done..]).zip(&down[done..]) {
        s = persist(s, u != 0, d != 0);
        *o = s;
    }
    Ok(())
}

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// Eight bytes as a little-endian word (byte `j` = bar `j`).
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// `0xff` in every byte of `x` that is non-zero, else `0x00` (no carry crosses a byte:
/// `(b & 0x7f) + 0x7f ≤ 0xfe`).
#[inline(always)]
fn nonzero_bytes(x: u64) -> u64 {
    let high = (((x & LOW7) + LOW7) | x) & HIGH;
    (high >> 7) * 0xff
}

/// [`persist`] over eight bars: byte `j` of the result is the state after bar `j`, starting
/// from `state`. Each bar's own value (1 up, −1 down, none) is filled forward over the bars
/// without one by a log-step scan (1, 2, 4 bars), then bars still without one take `state`.
#[inline(always)]
fn persist8(state: i8, up: u64, down: u64) -> u64 {
    let u = nonzero_bytes(up);
    let d = nonzero_bytes(down);
    let mut value = (u & ONES) | (d & !u); // 0x01 up, 0xff down (= −1), 0 neither
    let mut set = u | d;
    for shift in [8, 16, 32] {
        value |= (value << shift) & !set;
        set |= set << shift;
    }
    value | ((u64::from(state as u8) * ONES) & !set)
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
    fn eight_bars_at_a_time_equal_bar_by_bar() {
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
                let up: alloc::vec::Vec<u8> = (0..n).map(|_| flags[(next() % 10) as usize]).collect();
                let down: alloc::vec::Vec<u8> = (0..n).map(|_| flags[(next() % 10) as usize]).collect();
                let mut out = alloc::vec![7i8; n];
                persist_signal(&up, &down, &mut out).unwrap();
                assert_eq!(out, persist_scalar(&up, &down), "n = {n}, up {up:?}, down {down:?}");
            }
        }
    }

    #[test]
    fn a_state_carries_across_blocks() {
        let mut up = [0u8; 24];
        let mut down = [0u8; 24];
        up[3] = 1;
        down[13] = 9;
        let mut out = [0i8; 24];
        persist_signal(&up, &down, &mut out).unwrap();
        let expected: alloc::vec::Vec<i8> = (0..24).map(|i| if i < 3 { 0 } else if i < 13 { 1 } else { -1 }).collect();
        assert_eq!(out.to_vec(), expected);
    }
}
