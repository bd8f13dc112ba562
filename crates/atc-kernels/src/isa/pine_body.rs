// The Pine-semantics pipeline after validation (included twice by `isa.rs`: baseline and AVX2
// twins). The arithmetic is `pine.rs`'s (the TypeScript twin's, docs/kernels.md "Pine
// semantics"); this file only decides where it runs: a family's nine MAs bar-major
// (`mas[i·9 + k]`) through the lane functions of `family_mas.rs` where Pine's MA is the
// reference's (EMA, WMA, the SMA of its "HMA" family, the least-squares sums), and the nine
// equity recurrences of a family in one loop.

hot! {
/// The nine MAs of family `f` (EMA, "HMA" = SMA, WMA, DEMA, linreg at the newest bar, KAMA),
/// bar-major into `mas`. `col`, `inner`: n values of scratch.
fn pine_family_mas(f: usize, x: &[f64], lens: &[usize; K], mas: &mut [f64], col: &mut [f64], inner: &mut [f64]) {
    let n = x.len();
    match f {
        0 => ema_family(x, lens, mas, col),
        1 => stepper_family(x, lens, mas, col, |_, l, o| crate::ma::SmaState::init(x, l, o)),
        2 => wma_family(x, lens, mas, col),
        4 => lsma_family(x, lens, mas, col, true),
        _ => {
            // TradingView's DEMA and the script's KAMA differ from the reference's: scalar, scattered
            for k in 0..K {
                if f == 3 {
                    crate::pine::dema_into(x, lens[k], col, inner);
                } else {
                    crate::pine::kama_into(x, lens[k], col);
                }
                for i in 0..n {
                    mas[i * K + k] = col[i];
                }
            }
        }
    }
}
}

/// Add a bar's Layer-1 terms in the lane loop (wasm32: measured faster there) or in a second
/// pass over the bars (elsewhere: x86-64 0.48 → 0.41 ms at 1,500 bars). Same additions, same
/// order, either way.
const SUMS_INLINE: bool = cfg!(target_arch = "wasm32");

hot! {
/// `pine::accumulate_ma` without details, for the nine MAs of a family at once (`mas`
/// bar-major): at each bar MA 0's terms are added first, then MA 1's, …: the order of nine
/// separate calls, so the same sums. The nine equity recurrences are latency-bound; advanced in
/// one loop they overlap, and the crossover is computed without data-dependent branches.
/// `q·r` is exactly `r` or `−r` for `q = ±1`, so `a` is `pine::step_a`'s.
#[allow(clippy::too_many_arguments)]
fn pine_accumulate_family(close: &[f64], mas: &[f64], r: &[f64], d: f64, cutout: usize, num: &mut [f64], den: &mut [f64], terms: &mut [f64]) {
    let n = close.len();
    if cutout >= n {
        return;
    }
    let mut s = [0.0f64; K];
    let mut a = [0.0f64; K];
    let mut e = [1.0f64; K];
    let mut mp = [0.0f64; K];
    for k in 0..K {
        // up to and including the cutout bar, as pine::accumulate_ma leaves it
        let crossed = |i: usize, s: f64| {
            let (p, m, pp, mp) = (close[i], mas[i * K + k], close[i - 1], mas[(i - 1) * K + k]);
            if p > m && pp <= mp {
                1.0
            } else if p < m && pp >= mp {
                -1.0
            } else {
                s
            }
        };
        for i in 1..cutout {
            s[k] = crossed(i, s[k]);
        }
        if cutout > 0 {
            a[k] = crate::pine::step_a(0.0, s[k], r[cutout]);
            s[k] = crossed(cutout, s[k]);
        }
        num[cutout] += s[k] * e[k];
        den[cutout] += e[k];
        mp[k] = mas[cutout * K + k];
    }
    // the nine lanes bar by bar, each bar's terms `s·E`, `E` stored bar-major …
    let (products, equities) = terms[..2 * K * n].split_at_mut(K * n);
    let from = cutout + 1;
    let rows = mas[from * K..n * K].chunks_exact(K);
    let prows = products[from * K..n * K].chunks_exact_mut(K);
    let erows = equities[from * K..n * K].chunks_exact_mut(K);
    for (((i, row), prow), erow) in (from..n).zip(rows).zip(prows).zip(erows) {
        let (p, pp, ri) = (close[i], close[i - 1], r[i]);
        let (mut nu, mut de) = (num[i], den[i]);
        for k in 0..K {
            let m = row[k];
            // non-short-circuit `&`: no data-dependent branches
            let up = ((p > m) & (pp <= mp[k])) as i32 as f64;
            let down = ((p < m) & (pp >= mp[k])) as i32 as f64;
            let t = up - down;
            let q = s[k]; // sig[1]
            s[k] = if t != 0.0 { t } else { q };
            mp[k] = m;
            a[k] = if q != 0.0 { q * ri } else { a[k] };
            e[k] = crate::pine::equity_step(e[k], d, a[k]);
            if SUMS_INLINE {
                nu += s[k] * e[k];
                de += e[k];
            } else {
                prow[k] = s[k] * e[k];
            }
        }
        if SUMS_INLINE {
            num[i] = nu;
            den[i] = de;
        } else {
            erow.copy_from_slice(&e);
        }
    }
    if SUMS_INLINE {
        return;
    }
    // … then added to num/den in MA order (the order of nine separate calls: the same sums);
    // bars are independent here, so their addition chains overlap
    for i in cutout + 1..n {
        let (mut nu, mut de) = (num[i], den[i]);
        for k in 0..K {
            nu += products[i * K + k];
            de += equities[i * K + k];
        }
        num[i] = nu;
        den[i] = de;
    }
}
}

hot! {
/// The Pine pipeline after validation: `out13` is 13 × n, `detail` rows 54 × n (row-major per
/// MA, as in the reference pipeline). Returns the growth check's verdict from the cutout bar on
/// (before it Pine's outputs are na by definition), found in the Average_Signal loop as in
/// `layer2_rows`: `sum` is the Layer-2 sum in the check's order.
pub(crate) fn run_pine(
    close: &[f64],
    params: &crate::pipeline::Params,
    lens: &[[usize; K]; crate::pipeline::FAMILY_COUNT],
    out13: &mut [f64],
    mut detail: Option<crate::pipeline::Detail<'_>>,
    ws: &mut crate::pipeline::Workspace,
) -> Option<usize> {
    use crate::pine::{accumulate_ma, cut, fill_nan, layer2_equity, moving_average, round2_half_away, scaled_returns};
    let families = crate::pipeline::FAMILY_COUNT;
    let n = close.len();
    let cutout = params.cutout;
    let d = params.decay_multiplier();
    ws.reserve(n, n);
    // num, den and the nine MAs' two term rows (the reference needs 2·9·n)
    let pass_len = 2 * (K + 1) * n;
    if ws.pass.len() < pass_len {
        ws.pass.resize(pass_len, 0.0);
    }
    let family_mas = &mut ws.mas[..K * n];
    let (num, rest) = ws.pass.split_at_mut(n);
    let (den, terms) = rest.split_at_mut(n);
    let col = &mut ws.col[..n];
    let inner = &mut ws.col2[..n];
    let r = &mut ws.r[..n];
    scaled_returns(close, params.lambda(), cutout, r);
    for f in 0..families {
        num.fill(0.0);
        den.fill(0.0);
        match detail.as_mut() {
            Some((mas, sigs, eqs)) => {
                for (k, &len) in lens[f].iter().enumerate() {
                    let row = (f * K + k) * n..(f * K + k + 1) * n;
                    let ma = &mut mas[row.clone()];
                    moving_average(f, close, len, ma, inner);
                    let (sig, eq) = (&mut sigs[row.clone()], &mut eqs[row]);
                    accumulate_ma(close, ma, r, d, cutout, num, den, sig, eq);
                }
            }
            None => {
                pine_family_mas(f, close, &lens[f], family_mas, col, inner);
                pine_accumulate_family(close, family_mas, r, d, cutout, num, den, terms);
            }
        }
        // Layer 1 (`Signal(...)`): na before the cutout, where the script's equities are na
        let (l1_rows, l2_rows) = out13.split_at_mut(6 * n);
        let layer1 = &mut l1_rows[f * n..(f + 1) * n];
        fill_nan(&mut layer1[..cutout.min(n)]);
        for i in cutout..n {
            let q = num[i] / den[i];
            layer1[i] = if q.is_nan() { f64::NAN } else { round2_half_away(q) };
        }
        let layer2 = &mut l2_rows[f * n..(f + 1) * n];
        layer2_equity(r, layer1, params.weights[f], d, cutout, layer2);
    }
    // Average_Signal: Σ Cut(L1_f)·S_f / Σ S_f, left to right
    let (rows, avg) = out13.split_at_mut(12 * n);
    let mut first_non_finite = usize::MAX;
    for i in 0..n {
        let mut nom = cut(rows[i]) * rows[6 * n + i];
        let mut sum = rows[6 * n + i];
        let mut layer1 = rows[i];
        for f in 1..families {
            let s = rows[(6 + f) * n + i];
            nom += cut(rows[f * n + i]) * s;
            sum += s;
            layer1 += rows[f * n + i];
        }
        avg[i] = nom / sum;
        if !(sum + layer1).is_finite() && i >= cutout && first_non_finite == usize::MAX {
            first_non_finite = i;
        }
    }
    (first_non_finite != usize::MAX).then_some(first_non_finite)
}
}
