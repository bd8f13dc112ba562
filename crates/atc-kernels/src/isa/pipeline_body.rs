// The fused pipeline after validation (included twice by `isa.rs`: baseline and AVX2 twins;
// every function is wrapped in `hot!`, which adds the twin's `target_feature`).
// Where its speed comes from (layout and scheduling, never changed arithmetic): the header of
// `pipeline.rs`.

use crate::equity::{
    average_value, floor_equity, scaled_returns_with_growth, shift_right,
};
use crate::ma::{abs_diffs, MaKind, SmaState};
use crate::pipeline::{Detail, Params, Workspace, LENGTHS_PER_FAMILY, FAMILY_COUNT, FAMILY_KINDS};

hot! {
/// Everything `compute_atc` does after validation (`lens` = the validated family lengths).
/// Returns the growth check's verdict on `out13` (`layer2_rows`).
pub(crate) fn run_atc(
    prices: &[f64],
    params: &Params,
    lens: &[[usize; LENGTHS_PER_FAMILY]; FAMILY_COUNT],
    out13: &mut [f64],
    detail: Option<Detail<'_>>,
    ws: &mut Workspace,
) -> Option<usize> {
    let n = prices.len();
    let cutout = params.cutout;
    let m = n - cutout;
    ws.reserve(n, m);
    let lambda = params.lambda();
    let d = params.decay_multiplier();
    ws.ensure_growth(lambda, m);
    let pc = &prices[cutout..];
    let r = &mut ws.r[..m];
    scaled_returns_with_growth(pc, &ws.growth[..m], r);

    let (rows_l1, rest) = out13.split_at_mut(FAMILY_COUNT * m);
    let (rows_e2, avg) = rest.split_at_mut(FAMILY_COUNT * m);

    // WMA first: its values are reused by the HMA family when both use the same lengths.
    const ORDER: [usize; FAMILY_COUNT] = [2, 1, 0, 3, 4, 5];
    let share_wma = lens[2] == lens[1];
    let mut detail = detail;
    for f in ORDER {
        let kind = FAMILY_KINDS[f];
        let (mas, other) = if kind == MaKind::Wma {
            (&mut ws.mas2[..LENGTHS_PER_FAMILY * n], &ws.mas[..0])
        } else {
            (&mut ws.mas[..LENGTHS_PER_FAMILY * n], &ws.mas2[..LENGTHS_PER_FAMILY * n])
        };
        let wma_full = if kind == MaKind::Hma && share_wma {
            Some(other)
        } else {
            None
        };
        compute_family_mas(
            kind,
            prices,
            &lens[f],
            mas,
            &mut ws.scratch,
            &mut ws.col,
            &mut ws.col2,
            wma_full,
        );
        let mas: &[f64] = mas;
        let l1 = &mut rows_l1[f * m..(f + 1) * m];
        let r = &ws.r[..m];
        let tmp = &mut ws.pass[..2 * LENGTHS_PER_FAMILY * m];
        match detail.as_mut() {
            Some((dm, ds, de)) => {
                let span = f * LENGTHS_PER_FAMILY * m..(f + 1) * LENGTHS_PER_FAMILY * m;
                let (dm, ds, de) = (&mut dm[span.clone()], &mut ds[span.clone()], &mut de[span]);
                family_pass::<true>(pc, r, mas, cutout, d, l1, tmp, dm, ds, de);
            }
            None => family_pass::<false>(pc, r, mas, cutout, d, l1, tmp, &mut [], &mut [], &mut []),
        }
    }

    layer2_and_average(rows_l1, rows_e2, avg, &ws.r[..m], d, params)
}
}

hot! {
/// The nine MAs of one family on the full series, bar-major into `mas` (n × 9). Lengths are
/// validated by the caller. `scratch` holds ≥ 9·n values, `col` ≥ n. For HMA, `wma_full` may
/// hold the WMA family computed with the same nine lengths (reused, same bits).
#[allow(clippy::too_many_arguments)]
fn compute_family_mas(
    kind: MaKind,
    x: &[f64],
    lens: &[usize; LENGTHS_PER_FAMILY],
    mas: &mut [f64],
    scratch: &mut [f64],
    col: &mut [f64],
    col2: &mut [f64],
    wma_full: Option<&[f64]>,
) {
    let n = x.len();
    let col = &mut col[..n];
    match kind {
        MaKind::Ema => ema_family(x, lens, mas, col),
        MaKind::Dema => dema_family(x, lens, mas, col),
        MaKind::Sma => stepper_family(x, lens, mas, col, |_, l, o| SmaState::init(x, l, o)),
        MaKind::Wma => wma_family(x, lens, mas, col),
        MaKind::Lsma => lsma_family(x, lens, mas, col, false),
        MaKind::Hma => hma_family(x, lens, mas, col, col2, scratch, wma_full),
        MaKind::Kama => {
            let ad = &mut scratch[..n];
            abs_diffs(x, ad);
            kama_family(x, ad, lens, mas, col);
        }
    }
}
}

hot! {
/// Layer 2 (equity of each family's L1, starting equity = weight) for the six families in
/// lock-step, and the Average signal in the same pass. Same operations as `equity_curve` per
/// family followed by `average_signal`. Returns the growth check's verdict (`layer2_rows`).
fn layer2_and_average(
    l1: &[f64],
    e2: &mut [f64],
    avg: &mut [f64],
    r: &[f64],
    d: f64,
    params: &Params,
) -> Option<usize> {
    let m = avg.len();
    let mut eq = core::array::from_fn(|f| floor_equity(params.weights[f]));
    let mut prev = [0.0; FAMILY_COUNT];
    let (long, short) = (params.long_threshold, params.short_threshold);
    let first_non_finite = layer2_rows(l1, e2, m, avg, r, d, long, short, &mut eq, &mut prev, false);
    if params.strategy_mode {
        shift_right(avg);
    }
    first_non_finite
}
}

hot! {
/// Layer 2 and the Average (before the strategy shift) over bars `0..avg.len()` of Layer-1 rows
/// `l1[f·stride + i]`, equities into `e2[f·stride + i]`, carrying the six equities `eq` and the
/// six Layer-1 values of the bar before `prev` (whose signs are the positions). The batch runs
/// it over the whole series (`step_first` false: bar 0 keeps the starting equities), a
/// stream's lane run over a run of bars after the cutout (`step_first` true): one loop for both.
///
/// Returns core's growth check on the run (`growth.ts` `firstNonFiniteOutputBar`, from bar 0
/// of the run), found here so that no pass re-reads the outputs: the first bar whose six
/// Layer-1 values are not all finite or whose Layer-2 sum is not finite; `None` if there is
/// none (also when the rows are too short and nothing was written). `den` is that sum in the
/// check's order (`0.0 + E0` is `E0`: equities are ≥ 0.25 or NaN, never −0); adding the Layer-1
/// values to it keeps the verdict: finite ones lie in [−1, 1] and cannot make a finite sum
/// overflow, and a NaN or ±∞ one makes the total NaN or ±∞ in any order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn layer2_rows(
    l1: &[f64],
    e2: &mut [f64],
    stride: usize,
    avg: &mut [f64],
    r: &[f64],
    d: f64,
    long: f64,
    short: f64,
    eq_state: &mut [f64; FAMILY_COUNT],
    prev_state: &mut [f64; FAMILY_COUNT],
    step_first: bool,
) -> Option<usize> {
    const F: usize = FAMILY_COUNT;
    let m = avg.len();
    let need = (F - 1) * stride + m;
    if m == 0 || stride < m || l1.len() < need || e2.len() < need || r.len() < m {
        return None;
    }
    let mut eq = *eq_state;
    let mut prev = *prev_state;
    let mut first_non_finite = usize::MAX;
    for i in 0..m {
        let cur: [f64; F] = core::array::from_fn(|f| l1[f * stride + i]);
        // position = sign of the previous bar's L1 (NaN / 0 → flat)
        let rr = if r[i].is_nan() { 0.0 } else { r[i] };
        // wasm SIMD: the six families as three f64x2 (`family_lanes::layer2_step`, `cut6`: no
        // f64 selects, which V8 compiles to branches that Layer 1's sign flips mispredict).
        // Elsewhere the scalar loops, which the native compilers already make branch-free
        // (routed through array helpers they measured ~15% slower natively). Same operations.
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let (nom, den) = {
            if i > 0 || step_first {
                eq = layer2_step(eq, prev, rr, d);
            }
            let c = cut6(cur, long, short);
            let (mut nom, mut den) = (0.0, 0.0);
            for f in 0..F {
                e2[f * stride + i] = eq[f];
                nom += c[f] * eq[f];
                den += eq[f];
            }
            (nom, den)
        };
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let (nom, den) = {
            if i > 0 || step_first {
                for f in 0..F {
                    eq[f] = floor_equity((eq[f] * d) * crate::equity::position_factor(prev[f], rr));
                }
            }
            let (mut nom, mut den) = (0.0, 0.0);
            for f in 0..F {
                e2[f * stride + i] = eq[f];
                nom += crate::equity::cut(cur[f], long, short) * eq[f];
                den += eq[f];
            }
            (nom, den)
        };
        avg[i] = average_value(nom, den);
        // (a branch almost never taken)
        let total = den + ((((cur[0] + cur[1]) + cur[2]) + cur[3]) + cur[4]) + cur[5];
        if !total.is_finite() && first_non_finite == usize::MAX {
            first_non_finite = i;
        }
        prev = cur;
    }
    *eq_state = eq;
    *prev_state = prev;
    (first_non_finite != usize::MAX).then_some(first_non_finite)
}
}

hot! {
/// Signals, equities, Layer 1 and Layer 2 of one family.
///
/// Same operations as `crossover_signal` + `equity_curve` (S = 1) per MA and `layer1_signal`,
/// arranged for speed without changing a single operation: pass A1 advances the nine signal
/// state machines together (branch-free, vectorised across the nine MAs), pass A2 the nine
/// equity recurrences, storing `E_k` and `s_k·E_k` bar-major in `tmp`; pass B forms the
/// sequential sums and Layer 1. (Layer 2 runs for all families at once in
/// `layer2_and_average`.)
#[allow(clippy::too_many_arguments)]
#[inline]
fn family_pass<const DETAIL: bool>(
    pc: &[f64],
    r: &[f64],
    mas: &[f64],
    cutout: usize,
    d: f64,
    l1: &mut [f64],
    tmp: &mut [f64],
    det_mas: &mut [f64],
    det_sig: &mut [i8],
    det_eq: &mut [f64],
) {
    let m = pc.len();
    if m == 0 || r.len() < m || l1.len() < m || tmp.len() < 2 * LENGTHS_PER_FAMILY * m {
        return;
    }
    let rows = &mas[cutout * LENGTHS_PER_FAMILY..(cutout + m) * LENGTHS_PER_FAMILY];
    let (teq, tprod) = tmp[..2 * LENGTHS_PER_FAMILY * m].split_at_mut(LENGTHS_PER_FAMILY * m);

    // ---- pass A1: per-MA held signals (±1.0 / 0.0), bar-major into `tprod`
    let mut sf = splat9(0.0);
    tprod[..LENGTHS_PER_FAMILY].fill(0.0); // bar 0: no crossover possible
    if DETAIL {
        for k in 0..LENGTHS_PER_FAMILY {
            det_mas[k * m] = rows[k];
            det_sig[k * m] = 0;
        }
    }
    let bars = rows
        .chunks_exact(LENGTHS_PER_FAMILY)
        .zip(rows[LENGTHS_PER_FAMILY..].chunks_exact(LENGTHS_PER_FAMILY))
        .zip(tprod[LENGTHS_PER_FAMILY..].chunks_exact_mut(LENGTHS_PER_FAMILY))
        .zip(pc.windows(2));
    for (i0, (((prev, row), ts), pw)) in bars.enumerate() {
        let (Ok(prev), Ok(row), Ok(ts)) = (
            <&[f64; LENGTHS_PER_FAMILY]>::try_from(prev),
            <&[f64; LENGTHS_PER_FAMILY]>::try_from(row),
            <&mut [f64; LENGTHS_PER_FAMILY]>::try_from(ts),
        ) else {
            break;
        };
        sf = signal_step(load9(prev), load9(row), pw[0], pw[1], sf);
        store9(ts, sf);
        if DETAIL {
            let i = i0 + 1;
            let sf = to_array(sf);
            for k in 0..LENGTHS_PER_FAMILY {
                det_mas[k * m + i] = row[k];
                det_sig[k * m + i] = sf[k] as i8;
            }
        }
    }

    // ---- pass A2: per-MA equities (position = previous bar's signal); `tprod` becomes s·E
    let mut eq = splat9(floor_equity(1.0));
    let mut s_prev = splat9(0.0);
    for k in 0..LENGTHS_PER_FAMILY {
        teq[k] = floor_equity(1.0);
        tprod[k] = 0.0 * floor_equity(1.0);
        if DETAIL {
            det_eq[k * m] = floor_equity(1.0);
        }
    }
    let bars = teq[LENGTHS_PER_FAMILY..]
        .chunks_exact_mut(LENGTHS_PER_FAMILY)
        .zip(tprod[LENGTHS_PER_FAMILY..].chunks_exact_mut(LENGTHS_PER_FAMILY));
    for (i0, (te, tp)) in bars.enumerate() {
        let (Ok(te), Ok(tp)) = (
            <&mut [f64; LENGTHS_PER_FAMILY]>::try_from(te),
            <&mut [f64; LENGTHS_PER_FAMILY]>::try_from(tp),
        ) else {
            break;
        };
        let i = i0 + 1;
        eq = equity_step(eq, s_prev, r[i], d);
        let s_now = load9(tp);
        store9(te, eq);
        store9(tp, mul9(s_now, eq));
        s_prev = s_now;
        if DETAIL {
            let eq = to_array(eq);
            for k in 0..LENGTHS_PER_FAMILY {
                det_eq[k * m + i] = eq[k];
            }
        }
    }

    // ---- pass B: Layer 1 = round2(Σ s·E / Σ E), sums sequential in family-length order.
    layer1_rows(teq, tprod, &mut l1[..m]);
}
}
