// A stream's nine MAs of one family advanced as lanes over a run of bars, from the stream's
// state (included twice by `isa.rs`: baseline and AVX2 twins). Only for bars where every MA of
// the family is past its warm-up (the stream's per-bar step handles the warm-up): the lane
// operations are those of the batch loops above (`Sums9`, `EmaCoef9`, `kama_ratio`), which
// repeat the scalar steppers' operations lane by lane, so the values and the running slots
// are the bits the per-bar step produces.

use crate::stream::{Layer2Run, MaRun, RunJob, SignalsRun};

hot! {
/// One hot loop of a stream's lane run.
pub(crate) fn stream_run(job: RunJob<'_, '_>) {
    match job {
        RunJob::Mas(run) => stream_family_run(run),
        RunJob::Signals(run) => stream_signals_run(run),
        RunJob::Layer2(Layer2Run { l1, e2, stride, avg, r, d, long, short, eq, prev, non_finite }) => {
            *non_finite = layer2_rows(l1, e2, *stride, avg, r, *d, *long, *short, eq, prev, true);
        }
    }
}
}

hot! {
/// Advance family `run.family`'s nine MAs over bars `x[run.from..]`: their values bar-major
/// into `run.mas`, the running slots `run.m` updated. Reference HMA: the stage-1 diffs go to
/// `run.diffs` (bar-major, aligned with `x`; rows `from − ⌊√L⌋ ..` must hold the previous
/// diffs).
fn stream_family_run(run: &mut MaRun<'_>) {
    let x = run.x;
    let from = run.from;
    let tm = run.tm;
    let rows = run.mas.chunks_exact_mut(K).enumerate();
    let m = &mut run.m;
    match run.family {
        0 => {
            let c = EmaCoef9::of(core::array::from_fn(|k| tm[k].coef));
            let mut e = load9(&m[0]);
            for (j, row) in rows {
                let Ok(row) = <&mut [f64; K]>::try_from(row) else { break };
                e = c.update(e, splat9(at(x, from + j)));
                store9(row, e);
            }
            store9(&mut m[0], e);
        }
        1 => {
            let tsum = |s: f64, w: f64, base: &WmaState| WmaSums { s, w, ..base.sums };
            let mut half = Sums9::of(core::array::from_fn(|k| tsum(m[0][k], m[1][k], &tm[k].hma.half)));
            let mut full = Sums9::of(core::array::from_fn(|k| tsum(m[2][k], m[3][k], &tm[k].hma.full)));
            let mut st2 = Sums9::of(core::array::from_fn(|k| tsum(m[4][k], m[5][k], &tm[k].hma2)));
            let dh = load9(&core::array::from_fn(|k| tm[k].hma.half.d));
            let dl = load9(&core::array::from_fn(|k| tm[k].hma.full.d));
            let d2 = load9(&core::array::from_fn(|k| tm[k].hma2.d));
            let diffs = &mut *run.diffs;
            match run.wma_full {
                // the WMA family's values are `full.w / dl` bar for bar (`shares_wma`)
                Some(wma) => hma_rows(x, from, rows, diffs, &mut half, dh, &mut st2, d2, |j, _| {
                    match wma.get(j * K..j * K + K).map(<&[f64; K]>::try_from) {
                        Some(Ok(frow)) => load9(frow),
                        _ => splat9(f64::NAN), // never: `wma` holds the run's rows
                    }
                }),
                None => hma_rows(x, from, rows, diffs, &mut half, dh, &mut st2, d2, |_, i| {
                    full.advance_shared(x, i);
                    div9(full.w, dl)
                }),
            }
            m[0] = to_array(half.s);
            m[1] = to_array(half.w);
            m[2] = to_array(full.s);
            m[3] = to_array(full.w);
            m[4] = to_array(st2.s);
            m[5] = to_array(st2.w);
        }
        2 | 4 => {
            let lsma = run.family == 4;
            let mut sums = Sums9::of(core::array::from_fn(|k| {
                let base = if lsma { tm[k].lsma.sums } else { tm[k].wma.sums };
                WmaSums { s: m[0][k], w: m[1][k], ..base }
            }));
            let d = load9(&core::array::from_fn(|k| tm[k].wma.d));
            let sx = load9(&core::array::from_fn(|k| tm[k].lsma.sx));
            let sxx = load9(&core::array::from_fn(|k| tm[k].lsma.sxx));
            let dd = load9(&core::array::from_fn(|k| tm[k].lsma.d));
            let lm1 = load9(&core::array::from_fn(|k| tm[k].lsma.lm1));
            for (j, row) in rows {
                let Ok(row) = <&mut [f64; K]>::try_from(row) else { break };
                sums.advance_shared(x, from + j);
                if lsma {
                    // LsmaState::value, lane by lane (as `lsma_family`)
                    let mm = div9(sub9(mul9(sums.lf, sums.w), mul9(sx, sums.s)), dd);
                    let bb = div9(sub9(mul9(sums.s, sxx), mul9(sx, sums.w)), dd);
                    store9(row, add9(mul9(mm, lm1), bb));
                } else {
                    store9(row, div9(sums.w, d));
                }
            }
            m[0] = to_array(sums.s);
            m[1] = to_array(sums.w);
        }
        3 => {
            let c = EmaCoef9::of(core::array::from_fn(|k| tm[k].coef));
            let mut e1 = load9(&m[0]);
            let mut e2 = load9(&m[1]);
            for (j, row) in rows {
                let Ok(row) = <&mut [f64; K]>::try_from(row) else { break };
                e1 = c.update(e1, splat9(at(x, from + j)));
                e2 = c.update(e2, e1);
                store9(row, sub9(mul9(splat9(2.0), e1), e2));
            }
            store9(&mut m[0], e1);
            store9(&mut m[1], e2);
        }
        _ => {
            // KAMA: `kama_family`'s loop with `ad` computed on the spot (same value)
            let mut kk = load9(&m[0]);
            let mut noise = load9(&m[1]);
            let len: [usize; K] = core::array::from_fn(|k| tm[k].kama.len);
            let span = load9(&core::array::from_fn(|k| tm[k].kama.span));
            // `|x[j] − x[j−1]|` once per bar (as the batch's `abs_diffs`; NaN at j = 0), in the
            // scratch `run.diffs` (≥ x.len())
            let ad = &mut *run.diffs;
            for (j, v) in ad.iter_mut().enumerate().take(x.len()) {
                *v = (at(x, j) - at(x, j.wrapping_sub(1))).abs();
            }
            let ad: &[f64] = ad;
            for (j, row) in rows {
                let Ok(row) = <&mut [f64; K]>::try_from(row) else { break };
                let i = from + j;
                let xi = at(x, i);
                let adi = at(ad, i);
                let old_ad = load9(&core::array::from_fn(|k| at(ad, i.wrapping_sub(len[k]))));
                let old_x = load9(&core::array::from_fn(|k| at(x, i.wrapping_sub(len[k]))));
                (kk, noise) = kama_step9(kk, noise, xi, adi, old_x, old_ad, span);
                store9(row, kk);
            }
            store9(&mut m[0], kk);
            store9(&mut m[1], noise);
        }
    }
}
}

/// The reference HMA over a run: per bar the half WMA advanced, the stage-1 diff `2·a − b`
/// with `b = full(j, i)` (this bar's `WMA(x, L)`) into the diff rows, stage 2 over the diffs.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn hma_rows<'r>(
    x: &[f64],
    from: usize,
    rows: impl Iterator<Item = (usize, &'r mut [f64])>,
    diffs: &mut [f64],
    half: &mut Sums9,
    dh: Lanes9,
    st2: &mut Sums9,
    d2: Lanes9,
    mut full: impl FnMut(usize, usize) -> Lanes9,
) {
    for (j, row) in rows {
        let Ok(row) = <&mut [f64; K]>::try_from(row) else { break };
        let i = from + j;
        half.advance_shared(x, i);
        let a = div9(half.w, dh);
        let diff = to_array(sub9(mul9(splat9(2.0), a), full(j, i)));
        if let Some(Ok(drow)) = diffs.get_mut(i * K..i * K + K).map(<&mut [f64; K]>::try_from) {
            *drow = diff;
        }
        st2.advance_rows(diffs, i);
        store9(row, div9(st2.w, d2));
    }
}

hot! {
/// A family's nine signal and equity lanes and its Layer 1 over a run of bars after the cutout,
/// from the stream's state (`prev`: MA values of the bar before, `sig`, `eq`): the per-bar
/// step's operations (`family_signals`, which are `family_pass`'s), bar by bar, in lanes.
/// `x`: closes with `x[from + j]` = run bar j; `r`: the run's scaled returns; `mas`: the run's
/// MA values bar-major; `teq`, `tprod`: scratch (9 per bar); `l1`: one value per bar.
fn stream_signals_run(run: &mut SignalsRun<'_>) {
    let SignalsRun { x, from, r, mas, d, prev, sig, eq, teq, tprod, l1 } = run;
    let (x, from, r, mas, d) = (*x, *from, *r, *mas, *d);
    let mut p_ma = load9(prev);
    let mut s = load9(sig);
    let mut e = load9(eq);
    let bars = mas
        .chunks_exact(K)
        .zip(teq.chunks_exact_mut(K))
        .zip(tprod.chunks_exact_mut(K))
        .zip(r.iter())
        .enumerate();
    for (j, (((row, te), tp), &ri)) in bars {
        let (Ok(row), Ok(te), Ok(tp)) = (
            <&[f64; K]>::try_from(row),
            <&mut [f64; K]>::try_from(te),
            <&mut [f64; K]>::try_from(tp),
        ) else {
            break;
        };
        e = equity_step(e, s, ri, d);
        let i = from + j;
        let ma = load9(row);
        s = signal_step(p_ma, ma, at(x, i.wrapping_sub(1)), at(x, i), s);
        p_ma = ma;
        store9(te, e);
        store9(tp, mul9(s, e));
    }
    store9(prev, p_ma);
    store9(sig, s);
    store9(eq, e);
    let n = l1.len().min(r.len());
    layer1_rows(&teq[..K * n], &tprod[..K * n], &mut l1[..n]);
}
}
