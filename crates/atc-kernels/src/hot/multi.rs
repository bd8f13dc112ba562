// Bodies of the multi-series kernels `equity_curves` and `kama_multi` (included by `isa.rs`
// for each instruction-set twin; validation happens in `multi.rs`).
//
// Both advance a group of independent recurrences in lock-step — bars outer, lanes inner —
// on small stack blocks (`[lane; bar]` transposes of the row-major inputs/outputs), so the
// element-wise lane loops vectorise and the latency of one recurrence hides behind the others.
// Every lane performs exactly the operations of the single-series kernel, in the same order.

/// The factors `1 + a` of one equity bar of four curves, picked by the sign of the position
/// (`equity_step`: `1 + r` long, `1 + (−r)` short, `1` flat or when `r` is NaN).
#[inline(always)]
fn ec_fac4(pos: &[f64; 4], f_up: f64, f_dn: f64) -> [f64; 4] {
    let mut fac = [0.0f64; 4];
    for l in 0..4 {
        fac[l] = if pos[l] > 0.0 {
            f_up
        } else if pos[l] < 0.0 {
            f_dn
        } else {
            1.0
        };
    }
    fac
}

/// `E = (E·d)·fac`, floored at 0.25, for four curves.
#[inline(always)]
fn ec_apply4(e: &mut [f64; 4], fac: &[f64; 4], d: f64) {
    for l in 0..4 {
        let v = (e[l] * d) * fac[l];
        e[l] = if v < crate::equity::EQUITY_FLOOR {
            crate::equity::EQUITY_FLOOR
        } else {
            v
        };
    }
}

/// 4×4 transpose.
#[inline(always)]
fn tr4(a: [[f64; 4]; 4]) -> [[f64; 4]; 4] {
    [
        [a[0][0], a[1][0], a[2][0], a[3][0]],
        [a[0][1], a[1][1], a[2][1], a[3][1]],
        [a[0][2], a[1][2], a[2][2], a[3][2]],
        [a[0][3], a[1][3], a[2][3], a[3][3]],
    ]
}

hot! {
/// `equity_curve(returns, signals[j], starting[j], d, 0, out[j])` for every row `j`
/// (row-major `k × n`, `k = starting.len()`, `n = returns.len() ≥ 1`; validated by the caller).
///
/// Curves go in tiles of 4, two tiles at a time, and bars in steps of 4: per step, a 4×4
/// block (4 curves × 4 positions) of each tile is loaded and transposed in registers, the
/// factors `1 + a` are formed, the two tiles' recurrences advance over the 4 bars
/// interleaved (so one hides the other's latency), and the results are transposed back and
/// stored. A last single tile, curves beyond the last tile and bars beyond the last full step
/// use the same operations with fewer lanes.
pub(crate) fn equity_curves_run(
    returns: &[f64],
    signals: &[f64],
    starting: &[f64],
    d: f64,
    out: &mut [f64],
) {
    let n = returns.len();
    let k = starting.len();
    if n == 0 || signals.len() < k * n || out.len() < k * n {
        return;
    }
    let mut j0 = 0;
    while k - j0 >= 8 {
        ec_tiles::<2>(
            returns,
            &signals[j0 * n..],
            &starting[j0..],
            d,
            &mut out[j0 * n..],
        );
        j0 += 8;
    }
    if k - j0 >= 4 {
        ec_tiles::<1>(
            returns,
            &signals[j0 * n..],
            &starting[j0..],
            d,
            &mut out[j0 * n..],
        );
        j0 += 4;
    }
    // leftover curves (k mod 4), one at a time
    for j in j0..k {
        let row = &signals[j * n..(j + 1) * n];
        let dst = &mut out[j * n..(j + 1) * n];
        let mut e = crate::equity::floor_equity(starting[j]);
        dst[0] = e;
        for i in 1..n {
            let q = row[i - 1];
            e = crate::equity::equity_step(e, d, q > 0.0, q < 0.0, returns[i]);
            dst[i] = e;
        }
    }
}
}

hot! {
/// `T` tiles (`4·T` curves: the first `4·T` rows of `signals` / `out`, the first `4·T`
/// starting equities) of [`equity_curves_run`].
#[inline]
fn ec_tiles<const T: usize>(
    returns: &[f64],
    signals: &[f64],
    starting: &[f64],
    d: f64,
    out: &mut [f64],
) {
    let n = returns.len();
    if n == 0 || signals.len() < 4 * T * n || out.len() < 4 * T * n || starting.len() < 4 * T {
        return;
    }
    let mut e = [[1.0f64; 4]; T];
    for (t, et) in e.iter_mut().enumerate() {
        for (l, el) in et.iter_mut().enumerate() {
            let j = 4 * t + l;
            *el = crate::equity::floor_equity(starting[j]);
            out[j * n] = *el;
        }
    }
    let steps = (n - 1) / 4; // bars 1 ..= 4·steps go in steps of 4
    for st in 0..steps {
        let p0 = 4 * st; // positions p0 .. p0+4 for bars p0+1 .. p0+5
        let mut f_up = [0.0f64; 4];
        let mut f_dn = [0.0f64; 4];
        for b in 0..4 {
            let ri = returns[p0 + 1 + b];
            let rr = if ri.is_nan() { 0.0 } else { ri };
            f_up[b] = 1.0 + rr;
            f_dn[b] = 1.0 + -rr;
        }
        let mut fac = [[[0.0f64; 4]; 4]; T];
        for (t, ft) in fac.iter_mut().enumerate() {
            let mut tile = [[0.0f64; 4]; 4];
            for (l, row) in tile.iter_mut().enumerate() {
                let at = (4 * t + l) * n + p0;
                if let Some(src) = signals.get(at..at + 4) {
                    row.copy_from_slice(src);
                }
            }
            let pos = tr4(tile);
            for b in 0..4 {
                ft[b] = ec_fac4(&pos[b], f_up[b], f_dn[b]);
            }
        }
        let mut res = [[[0.0f64; 4]; 4]; T];
        for b in 0..4 {
            for t in 0..T {
                ec_apply4(&mut e[t], &fac[t][b], d);
                res[t][b] = e[t];
            }
        }
        for (t, rt) in res.iter().enumerate() {
            let back = tr4(*rt);
            for (l, row) in back.iter().enumerate() {
                let at = (4 * t + l) * n + p0 + 1;
                if let Some(dst) = out.get_mut(at..at + 4) {
                    dst.copy_from_slice(row);
                }
            }
        }
    }
    // remaining bars, one at a time
    for i in 1 + 4 * steps..n {
        let ri = returns[i];
        let rr = if ri.is_nan() { 0.0 } else { ri };
        for (t, et) in e.iter_mut().enumerate() {
            let pos: [f64; 4] = core::array::from_fn(|l| signals[(4 * t + l) * n + i - 1]);
            ec_apply4(et, &ec_fac4(&pos, 1.0 + rr, 1.0 + -rr), d);
            for (l, &v) in et.iter().enumerate() {
                out[(4 * t + l) * n + i] = v;
            }
        }
    }
}
}

/// Bars per block of `kama_multi`.
const KM_B: usize = 128;
/// Lanes (lengths) per group of `kama_multi`.
const KM_G: usize = 9;
/// Capacity of the block's `|Δx|` buffer (block plus the longest length).
const KM_AD: usize = 1024 + KM_B;

hot! {
/// `kama(x, lengths[j], out[j])` for every `j` (row-major `k × n`, `n = x.len() ≥ 1`, every
/// length ≥ 1; validated by the caller), in groups of up to 9 lengths (a family's diflen set).
pub(crate) fn kama_multi_run(x: &[f64], lengths: &[usize], out: &mut [f64]) {
    let n = x.len();
    let k = lengths.len();
    if n == 0 || out.len() < k * n {
        return;
    }
    let mut g0 = 0;
    while g0 < k {
        let gl = (k - g0).min(KM_G);
        kama_group(x, &lengths[g0..g0 + gl], &mut out[g0 * n..(g0 + gl) * n]);
        g0 += gl;
    }
}
}

hot! {
/// Up to 9 KAMAs of `x` (`lens.len() ≤ 9`) into the rows of `out` (`lens.len() × n`).
///
/// Each lane first runs the scalar KAMA (`KamaState`) through its warm-up and first update.
/// From the bar after the longest first update on, the lanes advance block by block in three
/// passes that together perform, per lane and bar, exactly `KamaState::update_inline`:
/// 1. the running noise `N = (N + |Δx_i|) − |Δx_{i−L}|` (a scalar recurrence per lane; the
///    lanes interleaved),
/// 2. `sc = (ratio·span + slow)²` with `ratio = N == 0 ? 0 : |x_i − x_{i−L}| / N`, element-wise
///    over the block's bars (vectorised, divisions included),
/// 3. `k = k + sc·(x_i − k)` (a scalar recurrence per lane; the lanes interleaved), stored
///    straight into each lane's row.
fn kama_group(x: &[f64], lens: &[usize], out: &mut [f64]) {
    let n = x.len();
    let gl = lens.len();
    if gl == 0 || gl > KM_G || out.len() < gl * n {
        return;
    }
    let mut max_len = 0;
    for &l in lens {
        max_len = max_len.max(l);
    }
    let common = max_len.saturating_add(1).min(n);
    let mut kk = [0.0f64; KM_G];
    let mut noise = [0.0f64; KM_G];
    let mut span = 0.0;
    for (j, &l) in lens.iter().enumerate() {
        let row = &mut out[j * n..(j + 1) * n];
        let (mut st, from) = crate::ma::KamaState::init_inline(x, l, row);
        for i in from..common {
            row[i] = st.update_inline(x, i);
        }
        kk[j] = st.k;
        noise[j] = st.noise;
        span = st.span; // the same constant for every lane
    }
    let mut nz = [[0.0f64; KM_B]; KM_G];
    let mut sc = [[0.0f64; KM_B]; KM_G];
    let mut ad_buf = [0.0f64; KM_AD];
    let mut t0 = common;
    while t0 < n {
        let bl = (n - t0).min(KM_B);
        // 1. running noise per lane (i > L for every lane, so every step slides the window).
        //    |Δx| of the block and of the `max_len` bars before it are formed once, element-wise
        //    (the same subtraction and `abs` as the scalar KAMA), when they fit the buffer.
        let span_len = bl + max_len;
        if let Some(ad) = ad_buf.get_mut(..span_len) {
            let base = t0 - max_len; // ≥ 1
            for (a, w) in ad.iter_mut().zip(x[base - 1..t0 + bl].windows(2)) {
                *a = (w[1] - w[0]).abs();
            }
            for b in 0..bl {
                let adi = ad[max_len + b];
                for j in 0..gl {
                    noise[j] = (noise[j] + adi) - ad[max_len + b - lens[j]];
                    nz[j][b] = noise[j];
                }
            }
        } else {
            for b in 0..bl {
                let i = t0 + b;
                let adi = (x[i] - x[i - 1]).abs();
                for j in 0..gl {
                    let o = i - lens[j];
                    let old = (x[o] - x[o - 1]).abs();
                    noise[j] = (noise[j] + adi) - old;
                    nz[j][b] = noise[j];
                }
            }
        }
        // 2. smoothing constants, element-wise over the block
        for j in 0..gl {
            let o = t0 - lens[j];
            let cur = &x[t0..t0 + bl];
            let old = &x[o..o + bl];
            for (((s, &nv), &xi), &xo) in sc[j][..bl].iter_mut().zip(&nz[j][..bl]).zip(cur).zip(old)
            {
                let q = (xi - xo).abs() / nv;
                let ratio = if nv == 0.0 { 0.0 } else { q };
                let t = ratio * span + crate::ma::KAMA_SLOW;
                *s = t * t;
            }
        }
        // 3. the KAMA recurrence per lane, into the rows
        for b in 0..bl {
            let i = t0 + b;
            let xi = x[i];
            for j in 0..gl {
                kk[j] = kk[j] + sc[j][b] * (xi - kk[j]);
                out[j * n + i] = kk[j];
            }
        }
        t0 += bl;
    }
}
}

/// One lane of [`equity_bar_major_run`] for a finite `rr` and a signal s ∈ {−1, 0, 1}
/// (validated): s·rr is exactly rr, −rr or ±0 and 1 + (±0) = 1, so the factor is the
/// kernel's `1 + a`; floored at 0.25 (NaN stays NaN).
#[inline(always)]
fn eq_lane(e: f64, s: i8, rr: f64, d: f64) -> f64 {
    let v = (e * d) * (1.0 + (s as f64) * rr);
    if v < crate::equity::EQUITY_FLOOR {
        crate::equity::EQUITY_FLOOR
    } else {
        v
    }
}

hot! {
/// [`equity_curves_bar_major`](crate::equity_curves_bar_major) after validation:
/// `k = starting.len() ≥ 1`, `n = returns.len() ≥ 1`, `signals.len() == out.len() == k·n`.
///
/// Bars outer, curves inner: each bar reads the previous bar's row of `out` (just written,
/// still in L1) and writes its own, so the inner loop is a plain contiguous element-wise loop
/// over the k curves that the compiler vectorises, and the k recurrences overlap.
pub(crate) fn equity_bar_major_run(
    returns: &[f64],
    signals: &[i8],
    starting: &[f64],
    d: f64,
    out: &mut [f64],
) {
    let k = starting.len();
    let n = returns.len();
    if k == 0 || n == 0 || signals.len() < k * n || out.len() < k * n {
        return;
    }
    for (o, &s) in out[..k].iter_mut().zip(starting) {
        *o = crate::equity::floor_equity(s);
    }
    for i in 1..n {
        let (done, rest) = out.split_at_mut(i * k);
        let prev = &done[(i - 1) * k..];
        let cur = &mut rest[..k];
        let pos = &signals[(i - 1) * k..i * k];
        let ri = returns[i];
        let rr = if ri.is_nan() { 0.0 } else { ri };
        if rr.is_finite() {
            for ((c, &e), &s) in cur.iter_mut().zip(prev).zip(pos) {
                *c = eq_lane(e, s, rr, d);
            }
        } else {
            for ((c, &e), &s) in cur.iter_mut().zip(prev).zip(pos) {
                *c = crate::equity::equity_step(e, d, s > 0, s < 0, ri);
            }
        }
    }
}
}

