// The nine MAs of one family advanced in lock-step as SIMD lanes (included twice by `isa.rs`:
// baseline and AVX2 twins; every function is wrapped in `hot!`).
//
// Each family function starts from the scalar steppers of `ma.rs` (they write the warm-up and
// run each MA up to the common start, `catch_up9`), copies their state into nine-lane values
// (`Lanes9`, `family_lanes.rs`) and then performs, lane by lane, exactly the operations of the
// scalar `step` — so the bits are the same (tests/pipeline.rs checks them against the single
// kernels) — written as element-wise lane operations that the compiler packs into SIMD
// (notably the divisions, which bound the cost of WMA, HMA, LSMA and KAMA).
//
// Output is bar-major: `mas[i·9 + k]`.

use crate::ma::{
    catch_up9, hma_stage2_init, DemaState, EmaCoef, EmaState, HmaDiffState, KamaState, LsmaState,
    Stepper, WmaState, WmaSums, KAMA_SLOW,
};
use crate::math::isqrt;

const K: usize = 9;

/// `x[j]`, or NaN when out of range (never reached: callers index inside the series; this keeps
/// the kernels panic-free without `unsafe`).
#[inline(always)]
fn at(x: &[f64], j: usize) -> f64 {
    match x.get(j) {
        Some(&v) => v,
        None => f64::NAN,
    }
}

/// Nine running WMA sums `S`, `W` (see `WmaSums`).
#[derive(Clone, Copy)]
struct Sums9 {
    s: Lanes9,
    w: Lanes9,
    lf: Lanes9,
    len: [usize; K],
}

impl Sums9 {
    /// The lanes of nine scalar running sums (a WMA's, an LSMA's).
    fn of(sums: [WmaSums; K]) -> Self {
        Sums9 {
            s: load9(&sums.map(|x| x.s)),
            w: load9(&sums.map(|x| x.w)),
            lf: load9(&sums.map(|x| x.lf)),
            len: sums.map(|x| x.len),
        }
    }

    /// The running sums of nine WMA steppers.
    fn of_wma(st: &[WmaState; K]) -> Self {
        Self::of(core::array::from_fn(|k| st[k].sums))
    }

    /// `WmaSums::advance` on every lane, all lanes reading the same series `x`.
    #[inline(always)]
    fn advance_shared(&mut self, x: &[f64], i: usize) {
        let v = at(x, i);
        let old: [f64; K] = core::array::from_fn(|k| at(x, i.wrapping_sub(self.len[k])));
        let old = load9(&old);
        self.w = sub9(add9(self.w, mul9(self.lf, splat9(v))), self.s);
        self.s = sub9(add9(self.s, splat9(v)), old);
    }

    /// `WmaSums::advance` where lane `k` reads lane `k` of the bar-major series `rows`.
    #[inline(always)]
    fn advance_rows(&mut self, rows: &[f64], i: usize) {
        let v: [f64; K] = core::array::from_fn(|k| at(rows, i * K + k));
        let old: [f64; K] = core::array::from_fn(|k| {
            at(
                rows,
                i.wrapping_sub(self.len[k]).wrapping_mul(K).wrapping_add(k),
            )
        });
        let (v, old) = (load9(&v), load9(&old));
        self.w = sub9(add9(self.w, mul9(self.lf, v)), self.s);
        self.s = sub9(add9(self.s, v), old);
    }
}

/// Iterate the bar-major rows `i ≥ from` of `mas` as `&mut [f64; 9]`.
#[inline(always)]
fn rows_from(mas: &mut [f64], n: usize, from: usize) -> Rows<'_> {
    let end = (K * n).min(mas.len());
    let start = (K * from).min(end);
    Rows {
        rest: &mut mas[start..end],
        i: from,
    }
}

/// Iterator of [`rows_from`] (a plain struct whose `next` is always inlined, so the loops
/// compile the same in every instruction-set twin).
struct Rows<'a> {
    rest: &'a mut [f64],
    i: usize,
}

impl<'a> Iterator for Rows<'a> {
    type Item = (usize, &'a mut [f64; K]);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = core::mem::take(&mut self.rest);
        let (row, tail) = rest.split_first_chunk_mut::<K>()?;
        self.rest = tail;
        let i = self.i;
        self.i += 1;
        Some((i, row))
    }
}

/// Scatter each MA's warm-up column into the bar-major buffer and collect the steppers.
#[inline(always)]
pub(crate) fn init9<S: Stepper>(
    lens: &[usize; K],
    mas: &mut [f64],
    col: &mut [f64],
    n: usize,
    mut init: impl FnMut(usize, usize, &mut [f64]) -> (S, usize),
) -> ([S; K], [usize; K]) {
    let inits: [(S, usize); K] = core::array::from_fn(|k| {
        let (st, from) = init(k, lens[k], col);
        for i in 0..from.min(n) {
            mas[i * K + k] = col[i];
        }
        (st, from)
    });
    (
        core::array::from_fn(|k| inits[k].0),
        core::array::from_fn(|k| inits[k].1),
    )
}

hot! {
/// Nine MAs of any kind, each stepper run on its own (no lanes): SMA is no ATC family, so this
/// only keeps `compute_family_mas` total over [`MaKind`](crate::MaKind).
pub(crate) fn stepper_family<S: Stepper>(
    x: &[f64],
    lens: &[usize; K],
    mas: &mut [f64],
    col: &mut [f64],
    init: impl FnMut(usize, usize, &mut [f64]) -> (S, usize),
) {
    let n = x.len();
    let (mut st, from) = init9(lens, mas, col, n, init);
    catch_up9(&mut st, from, n, x, mas, n);
}
}

/// EMA coefficients of nine lanes. `divide` is false when every lane's `(1−α)+α` is exactly 1
/// (true for every L ≤ 2000): the scalar code skips the division for such a lane, and
/// dividing by 1 would give the same bits anyway, so dividing all lanes whenever one needs it
/// is also exact.
#[derive(Clone, Copy)]
struct EmaCoef9 {
    alpha: Lanes9,
    w: Lanes9,
    den: Lanes9,
    divide: bool,
}

impl EmaCoef9 {
    fn of(c: [EmaCoef; K]) -> Self {
        EmaCoef9 {
            alpha: load9(&core::array::from_fn(|k| c[k].alpha)),
            w: load9(&core::array::from_fn(|k| c[k].w)),
            den: load9(&core::array::from_fn(|k| c[k].den)),
            divide: c.iter().any(|c| !c.den_is_one),
        }
    }

    /// `EmaCoef::update` on every lane (`e` keeps its value where it equals the input).
    #[inline(always)]
    fn update(&self, e: Lanes9, v: Lanes9) -> Lanes9 {
        let mut t = add9(mul9(self.w, e), mul9(self.alpha, v));
        if self.divide {
            t = div9(t, self.den);
        }
        keep_where_equal(e, v, t)
    }
}

hot! {
/// The nine EMAs.
pub(crate) fn ema_family(x: &[f64], lens: &[usize; K], mas: &mut [f64], col: &mut [f64]) {
    let n = x.len();
    let (mut st, from) = init9(lens, mas, col, n, |_, l, o| EmaState::init(x, l, o));
    let common = catch_up9(&mut st, from, 0, x, mas, n);
    let c = EmaCoef9::of(core::array::from_fn(|k| st[k].c));
    let mut e = load9(&core::array::from_fn(|k| st[k].e));
    for (i, row) in rows_from(mas, n, common) {
        e = c.update(e, splat9(at(x, i)));
        store9(row, e);
    }
}
}

hot! {
/// The nine DEMAs.
pub(crate) fn dema_family(x: &[f64], lens: &[usize; K], mas: &mut [f64], col: &mut [f64]) {
    let n = x.len();
    let (mut st, from) = init9(lens, mas, col, n, |_, l, o| DemaState::init(x, l, o));
    let common = catch_up9(&mut st, from, 0, x, mas, n);
    let c = EmaCoef9::of(core::array::from_fn(|k| st[k].c));
    let mut e1 = load9(&core::array::from_fn(|k| st[k].e1));
    let mut e2 = load9(&core::array::from_fn(|k| st[k].e2));
    for (i, row) in rows_from(mas, n, common) {
        e1 = c.update(e1, splat9(at(x, i)));
        e2 = c.update(e2, e1);
        store9(row, sub9(mul9(splat9(2.0), e1), e2));
    }
}
}

hot! {
/// The nine WMAs.
pub(crate) fn wma_family(x: &[f64], lens: &[usize; K], mas: &mut [f64], col: &mut [f64]) {
    let n = x.len();
    let (mut st, from) = init9(lens, mas, col, n, |_, l, o| WmaState::init_at(x, 0, l, o));
    let common = catch_up9(&mut st, from, 0, x, mas, n);
    let mut sums = Sums9::of_wma(&st);
    let d = load9(&core::array::from_fn(|k| st[k].d));
    for (i, row) in rows_from(mas, n, common) {
        sums.advance_shared(x, i);
        store9(row, div9(sums.w, d));
    }
}
}

hot! {
/// The nine LSMAs: pandas_ta `linreg` (fitted at x = L−1), or with `at_newest` Pine's
/// `ta.linreg` (fitted at x = L, the window's newest bar).
pub(crate) fn lsma_family(x: &[f64], lens: &[usize; K], mas: &mut [f64], col: &mut [f64], at_newest: bool) {
    let n = x.len();
    let at = |l: usize| if at_newest { l as f64 } else { l as f64 - 1.0 };
    let (mut st, from) = init9(lens, mas, col, n, |_, l, o| LsmaState::init_at(x, l, at(l), o));
    let common = catch_up9(&mut st, from, 0, x, mas, n);
    let mut sums = Sums9::of(core::array::from_fn(|k| st[k].sums));
    let sx = load9(&core::array::from_fn(|k| st[k].sx));
    let sxx = load9(&core::array::from_fn(|k| st[k].sxx));
    let dd = load9(&core::array::from_fn(|k| st[k].d));
    let lm1 = load9(&core::array::from_fn(|k| st[k].lm1));
    for (i, row) in rows_from(mas, n, common) {
        sums.advance_shared(x, i);
        // LsmaState::value, lane by lane
        let mm = div9(sub9(mul9(sums.lf, sums.w), mul9(sx, sums.s)), dd);
        let bb = div9(sub9(mul9(sums.s, sxx), mul9(sx, sums.w)), dd);
        store9(row, add9(mul9(mm, lm1), bb));
    }
}
}

hot! {
/// The nine HMAs. `diffs` is scratch (≥ 9·n: the diff series, bar-major), `col`/`col2` are
/// n-long column scratch. When `wma_full` is given it holds `WMA(x, L_k)` bar-major for exactly
/// these lengths (the WMA family computed with the same lengths): those values are the same
/// bits the HMA's inner `WMA(x, L)` produces, so they are reused instead of recomputed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn hma_family(
    x: &[f64],
    lens: &[usize; K],
    mas: &mut [f64],
    col: &mut [f64],
    col2: &mut [f64],
    diffs: &mut [f64],
    wma_full: Option<&[f64]>,
) {
    let n = x.len();
    let diffs = &mut diffs[..K * n];
    let col = &mut col[..n];
    let col2 = &mut col2[..n];
    // ---- stage 1: diff_k[i] = 2·WMA(x, ⌊L/2⌋)[i] − WMA(x, L)[i], bar-major
    let (mut st, from) = init9(lens, diffs, col, n, |_, l, o| HmaDiffState::init(x, l, o));
    let common = catch_up9(&mut st, from, 0, x, diffs, n);
    let half_states: [WmaState; K] = core::array::from_fn(|k| st[k].half);
    let mut half = Sums9::of_wma(&half_states);
    let dh = load9(&core::array::from_fn(|k| half_states[k].d));
    match wma_full {
        Some(full) => {
            for (i, row) in rows_from(diffs, n, common) {
                let Some(Ok(frow)) = full.get(i * K..i * K + K).map(<[f64; K]>::try_from) else {
                    break;
                };
                half.advance_shared(x, i);
                let a = div9(half.w, dh);
                store9(row, sub9(mul9(splat9(2.0), a), load9(&frow)));
            }
        }
        None => {
            let full_states: [WmaState; K] = core::array::from_fn(|k| st[k].full);
            let mut fsum = Sums9::of_wma(&full_states);
            let dl = load9(&core::array::from_fn(|k| full_states[k].d));
            for (i, row) in rows_from(diffs, n, common) {
                half.advance_shared(x, i);
                fsum.advance_shared(x, i);
                let a = div9(half.w, dh);
                let b = div9(fsum.w, dl);
                store9(row, sub9(mul9(splat9(2.0), a), b));
            }
        }
    }
    let diffs: &[f64] = diffs;

    // ---- stage 2: HMA_k = WMA(diff_k[L−1..], ⌊√L⌋), bar-major.
    // Warm-up and catch-up run the scalar stepper on a copy of the column's prefix.
    let s_len: [usize; K] = core::array::from_fn(|k| isqrt(lens[k]));
    let all_valid = (0..K).all(|k| n - (lens[k] - 1) >= s_len[k]);
    let prefix = if all_valid {
        (0..K)
            .map(|k| lens[k] - 1 + s_len[k])
            .max()
            .unwrap_or(n)
            .min(n)
    } else {
        n // some series is all NaN (tiny n): step everything individually
    };
    let mut st2 = [WmaState::dummy(); K];
    for k in 0..K {
        for i in 0..prefix {
            col[i] = diffs[i * K + k];
        }
        let (mut s2, from2) = match hma_stage2_init(col, lens[k], col2) {
            Some(v) => v,
            None => (WmaState::dummy(), n),
        };
        for i in from2..prefix {
            col2[i] = s2.step(col, i);
        }
        for i in 0..prefix {
            mas[i * K + k] = col2[i];
        }
        st2[k] = s2;
    }
    if prefix >= n {
        return;
    }
    let mut sums = Sums9::of_wma(&st2);
    let d = load9(&core::array::from_fn(|k| st2[k].d));
    for (i, row) in rows_from(mas, n, prefix) {
        sums.advance_rows(diffs, i);
        store9(row, div9(sums.w, d));
    }
}
}

hot! {
/// The nine KAMAs. `ad` = `|x[j] − x[j−1]|` (ad[0] unused).
pub(crate) fn kama_family(
    x: &[f64],
    ad: &[f64],
    lens: &[usize; K],
    mas: &mut [f64],
    col: &mut [f64],
) {
    let n = x.len();
    let (mut st, from) = init9(lens, mas, col, n, |_, l, o| KamaState::init(x, ad, l, o));
    // The first step of each KAMA (i = L) uses the seeded noise unchanged; the lock-step loop
    // always slides the window, so it starts one bar after the last first step.
    let mut last_first = 0;
    for &f in from.iter() {
        if f > last_first {
            last_first = f;
        }
    }
    let common = catch_up9(&mut st, from, last_first.saturating_add(1), x, mas, n);
    let mut kk = load9(&core::array::from_fn(|k| st[k].k));
    let mut noise = load9(&core::array::from_fn(|k| st[k].noise));
    let len: [usize; K] = core::array::from_fn(|k| st[k].len);
    let span = load9(&core::array::from_fn(|k| st[k].span));
    for (i, row) in rows_from(mas, n, common) {
        let xi = at(x, i);
        let adi = at(ad, i);
        let old_ad = load9(&core::array::from_fn(|k| at(ad, i.wrapping_sub(len[k]))));
        let old_x = load9(&core::array::from_fn(|k| at(x, i.wrapping_sub(len[k]))));
        (kk, noise) = kama_step9(kk, noise, xi, adi, old_x, old_ad, span);
        store9(row, kk);
    }
}

/// One bar of nine KAMA lanes: the noise window takes `|Δx|` of this bar in and the one `len`
/// bars back out, then `k += sc·(x − k)` with `sc = (ratio·span + slow)²`. The batch family
/// above and the stream's lane runs (stream_run.rs) both step through here: same operations,
/// same order. Returns the new `(k, noise)`.
#[inline(always)]
fn kama_step9(kk: Lanes9, noise: Lanes9, xi: f64, adi: f64, old_x: Lanes9, old_ad: Lanes9, span: Lanes9) -> (Lanes9, Lanes9) {
    let noise = sub9(add9(noise, splat9(adi)), old_ad);
    let ratio = kama_ratio(xi, old_x, noise);
    let t = add9(mul9(ratio, span), splat9(KAMA_SLOW));
    let sc = mul9(t, t);
    (add9(kk, mul9(sc, sub9(splat9(xi), kk))), noise)
}
}
