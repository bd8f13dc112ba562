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
pub fn persist_signal(up: &[u8], down: &[u8], out: &mut [i8]) -> KResult {
    check_len("down", up.len(), down.len())?;
    check_len("out", up.len(), out.len())?;
    let mut s = 0i8;
    for ((o, &u), &d) in out.iter_mut().zip(up).zip(down) {
        s = persist(s, u != 0, d != 0);
        *o = s;
    }
    Ok(())
}
