//! Streaming ATC (docs/streaming.md): one bar at a time, bit for bit equal to `compute_atc`
//! over the whole series, for both semantics, from the first bar.
//!
//! The step repeats the batch pipeline's operations in the same order, through the crate's own
//! steppers and helpers (`ma.rs` steppers, `family_lanes.rs` `signal_lane` / `equity_lane`,
//! `equity.rs`, `pine.rs`): the steppers read a contiguous window of the last closes, so their
//! `step(x, i)` runs unchanged. Running sums carry over from bar 0; nothing is rebuilt from a
//! window.
//!
//! State and memory (O(longest length) per stream):
//! * three `Core`s — the *base* (after n − 1 bars, what `replace_last` steps from), the
//!   *current* one (after n bars) and a *spare* the next step writes into; a step never writes
//!   its source, so a step whose status is `NotFinite` commits nothing, and committing is an
//!   index rotation (no copy);
//! * rings shared by the three (base and current differ by one slot): the closes, and per MA of
//!   the reference HMA family its stage-1 diffs (Pine: per DEMA its inner EMA values). Each ring
//!   is stored twice back to back (slot `p` and `p + cap`), so the last values always form one
//!   contiguous slice; `cap ≥ window + 2` keeps the base's slots intact while a step writes the
//!   next one (`replace_last` writes the current bar's slot and puts the old value back when it
//!   does not commit);
//! * an `Arc<Plan>`: the configuration and per-MA constants (stepper templates), shared by the
//!   streams of a [`StreamSet`].
#![allow(clippy::needless_range_loop)] // family/lane indices address several arrays at once

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::equity::{average_value, cut, floor_equity, growth_at, layer1_value, position_factor};
use crate::error::{check_len, KResult, KernelError};
use crate::family_lanes::{equity_step, load9, mul9, signal_step, splat9, store9, to_array};
use crate::ma::{
    DemaState, EmaCoef, EmaState, HmaDiffState, KamaState, LsmaState, OnTheFly, SmaState, Stepper,
    WmaState,
};
use crate::math::{exp, isqrt};
use crate::pine;
use crate::pipeline::{Params, Semantics, FAMILY_COUNT, LENGTHS_PER_FAMILY, OUT_ROWS};

const K: usize = LENGTHS_PER_FAMILY;
const F: usize = FAMILY_COUNT;
const MAS: usize = F * K;
/// Doubles per MA in the state vector: `m0…m5 maPrev signal equity a`.
const MA_SLOTS: usize = 10;
/// Running-value slots `m0…m5` per MA.
const M_SLOTS: usize = 6;
/// Slots kept in a family block; `m2…m5` (only the reference HMA's) live in `Core::hma_m`.
const M_NEAR: usize = 2;
/// Doubles per family in the state vector: `eq2 a2 l1Prev`.
const FAM_SLOTS: usize = 3;
/// Family indices (order of `FAMILY_KINDS`).
const EMA: usize = 0;
const HMA: usize = 1;
const WMA: usize = 2;
const DEMA: usize = 3;
const LSMA: usize = 4;
const KAMA: usize = 5;

/// Outcome of one stream step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// The bar was stepped and committed.
    Ok,
    /// core's growth rule failed on this bar (a Layer-1 value, or the sum of the six Layer-2
    /// equities left to right, is not finite): nothing was committed, the state is unchanged.
    NotFinite,
}

// ---------------------------------------------------------------------------------------------
// Plan: configuration and per-MA constants
// ---------------------------------------------------------------------------------------------

/// The constants of one MA: its stepper with the running values zeroed (the step loads the
/// state's values into a copy), built by the steppers' own constructors.
#[derive(Clone, Copy)]
pub(crate) struct Template {
    len: usize,
    pub(crate) coef: EmaCoef,
    sma: SmaState,
    pub(crate) wma: WmaState,
    pub(crate) lsma: LsmaState,
    pub(crate) hma: HmaDiffState,
    /// HMA stage 2 (`⌊√L⌋`) and its length.
    pub(crate) hma2: WmaState,
    hma_s: usize,
    pub(crate) kama: KamaState<OnTheFly>,
}

/// Everything about a configuration that every stream of it shares.
struct Plan {
    params: Params,
    /// `W = maxLen + 2`: closes in the state vector.
    w: usize,
    /// Price ring capacity (power of two ≥ W + 2).
    cap: usize,
    /// Per-MA window lengths (reference: HMA `⌊√L⌋ + 1` diffs; Pine: DEMA `L` inner EMAs).
    wlen: [usize; K],
    /// Window ring capacity (power of two ≥ max(wlen) + 2).
    wcap: usize,
    /// Family whose MAs have windows.
    wfam: usize,
    tm: Vec<Template>,
    /// Running-value slots each family's MA uses (the rest stay 0.0).
    m_slots: [usize; F],
    lambda: f64,
    d: f64,
    /// First bar `push_many` may advance in lane runs (every MA past its warm-up, the bar after
    /// the cutout); `None`: always bar by bar (Pine semantics).
    run_from: Option<u64>,
    /// First bar of the MA-only lane runs before the cutout (every MA past its warm-up; only
    /// when that is before the cutout): bars `i < cutout` change only the MAs and `maPrev`.
    run_pre: Option<u64>,
    state_len: usize,
    off_mas: usize,
    off_windows: usize,
    off_families: usize,
}

fn pow2_at_least(v: usize) -> KResult<usize> {
    v.checked_next_power_of_two().ok_or(KernelError::Overflow {
        what: "stream window",
    })
}

/// A NaN-filled vector, refusing (instead of aborting) when the allocation fails.
fn nan_vec(len: usize) -> KResult<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| KernelError::Overflow {
            what: "stream memory",
        })?;
    v.resize(len, f64::NAN);
    Ok(v)
}

impl Plan {
    fn new(params: &Params) -> KResult<Plan> {
        let lens = params.validate()?;
        let pine = params.semantics == Semantics::Pine;
        let max_len = lens.iter().flatten().copied().max().unwrap_or(1);
        let ovf = |what| KernelError::Overflow { what };
        let w = max_len.checked_add(2).ok_or(ovf("stream window"))?;
        let cap = pow2_at_least(w.checked_add(2).ok_or(ovf("stream window"))?)?;
        let wfam = if pine { DEMA } else { HMA };
        let wlen: [usize; K] = core::array::from_fn(|k| {
            let l = lens[wfam][k];
            if pine {
                l
            } else {
                isqrt(l) + 1
            }
        });
        let wmax = wlen.iter().copied().max().unwrap_or(1);
        let wcap = pow2_at_least(wmax.checked_add(2).ok_or(ovf("stream window"))?)?;
        // ring sizes must be allocatable: refuse absurd lengths before building templates
        cap.checked_mul(2).ok_or(ovf("stream memory"))?;
        wcap.checked_mul(2 * K).ok_or(ovf("stream memory"))?;

        let ones = {
            let mut v = nan_vec(w)?;
            v.fill(1.0);
            v
        };
        let mut scratch = nan_vec(w)?;
        let mut tm = Vec::new();
        tm.try_reserve_exact(MAS)
            .map_err(|_| ovf("stream memory"))?;
        for row in lens.iter() {
            for &len in row.iter() {
                let at = if pine { len as f64 } else { len as f64 - 1.0 };
                let (mut kama, _) = KamaState::init(&ones, OnTheFly, len, &mut scratch);
                kama.k = 0.0;
                kama.noise = 0.0;
                let hma = if len >= 2 {
                    HmaDiffState::init(&ones, len, &mut scratch).0
                } else {
                    HmaDiffState {
                        half: WmaState::dummy(),
                        full: WmaState::dummy(),
                    }
                };
                tm.push(Template {
                    len,
                    coef: EmaCoef::new(len),
                    sma: SmaState::init(&ones, len, &mut scratch).0,
                    wma: WmaState::init_at(&ones, 0, len, &mut scratch).0,
                    lsma: LsmaState::init_at(&ones, len, at, &mut scratch).0,
                    hma,
                    hma2: WmaState::init_at(&ones, 0, isqrt(len).max(1), &mut scratch).0,
                    hma_s: isqrt(len),
                    kama,
                });
            }
        }
        let off_mas = w + 1;
        let off_windows = off_mas + MAS * MA_SLOTS;
        let wsum = wlen
            .iter()
            .try_fold(0usize, |a, &b| a.checked_add(b))
            .ok_or(ovf("stream state"))?;
        let off_families = off_windows.checked_add(wsum).ok_or(ovf("stream state"))?;
        let state_len = off_families + F * FAM_SLOTS + 1;
        Ok(Plan {
            params: *params,
            w,
            cap,
            wlen,
            wcap,
            wfam,
            tm,
            m_slots: if pine {
                [1, 1, 2, 2, 2, 2]
            } else {
                [1, 6, 2, 2, 2, 2]
            },
            lambda: params.lambda(),
            d: params.decay_multiplier(),
            run_from: if pine || lens[HMA].iter().any(|&l| l < 2) {
                None
            } else {
                // i ≥ L + 1 (KAMA slides), i ≥ L + ⌊√L⌋ − 1 (HMA stage 2), i > cutout
                let warm = (w + isqrt(max_len)) as u64;
                Some(warm.max(params.cutout as u64 + 1))
            },
            run_pre: if pine || lens[HMA].iter().any(|&l| l < 2) {
                None
            } else {
                let warm = (w + isqrt(max_len)) as u64;
                (warm < params.cutout as u64).then_some(warm)
            },
            state_len,
            off_mas,
            off_windows,
            off_families,
        })
    }

    fn template(&self, q: usize) -> KResult<&Template> {
        self.tm.get(q).ok_or(KernelError::InvalidState {
            reason: "internal: MA index",
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Core: one state (base, current or spare)
// ---------------------------------------------------------------------------------------------

/// One family's part of a state: its nine MAs as lanes (so the signal and equity steps run on
/// `Lanes9` as in the batch's `family_pass`). Laid out in the order a step reads it, the
/// running slots a family uses first among `m`, so a step touches one compact block.
#[derive(Clone, Copy)]
struct FamilyState {
    prev: [f64; K],
    sig: [f64; K],
    eq: [f64; K],
    a: [f64; K],
    /// `m[slot][k]`: the running values `m0`, `m1` of MA k.
    m: [[f64; K]; M_NEAR],
}

/// The state after some bar: the state vector's slots.
#[derive(Clone)]
struct Core {
    by_family: [FamilyState; F],
    /// `m2…m5` of the reference HMA family's MAs (`hma_m[slot − 2][k]`).
    hma_m: [[f64; K]; M_SLOTS - M_NEAR],
    fam: [[f64; FAM_SLOTS]; F],
    avg_prev: f64,
    /// Ring values this step overwrote at its bar's slot (put back when `replace_last` does not
    /// commit): the close, then the nine window values.
    undo: [f64; 1 + K],
}

impl Core {
    /// docs/streaming.md "Initial values".
    fn initial(plan: &Plan) -> Core {
        let fam = core::array::from_fn(|f| [floor_equity(plan.params.weights[f]), 0.0, f64::NAN]);
        Core {
            by_family: [FamilyState {
                prev: [f64::NAN; K],
                sig: [0.0; K],
                eq: [1.0; K],
                a: [0.0; K],
                m: [[0.0; K]; M_NEAR],
            }; F],
            hma_m: [[0.0; K]; M_SLOTS - M_NEAR],
            fam,
            avg_prev: f64::NAN,
            undo: [f64::NAN; 1 + K],
        }
    }
}

impl Core {
    /// Running slot `j` of MA `k` of family `f` (0.0 for a slot no family block holds).
    #[inline(always)]
    fn m(&self, f: usize, j: usize, k: usize) -> f64 {
        let v = if j < M_NEAR {
            self.by_family.get(f).and_then(|b| b.m.get(j))
        } else if f == HMA {
            self.hma_m.get(j - M_NEAR)
        } else {
            None
        };
        v.and_then(|row| row.get(k)).copied().unwrap_or(0.0)
    }

    #[inline(always)]
    fn set_m(&mut self, f: usize, j: usize, k: usize, value: f64) {
        let v = if j < M_NEAR {
            self.by_family.get_mut(f).and_then(|b| b.m.get_mut(j))
        } else if f == HMA {
            self.hma_m.get_mut(j - M_NEAR)
        } else {
            None
        };
        if let Some(slot) = v.and_then(|row| row.get_mut(k)) {
            *slot = value;
        }
    }
}

/// `(source, destination)` among three cores (distinct indices).
fn pair(c: &mut [Core; 3], from: usize, to: usize) -> (&Core, &mut Core) {
    let [a, b, d] = c;
    match (from, to) {
        (0, 1) => (a, b),
        (0, 2) => (a, d),
        (1, 0) => (b, a),
        (1, 2) => (b, d),
        (2, 0) => (d, a),
        _ => (d, b),
    }
}

// ---------------------------------------------------------------------------------------------
// Rings (each stored twice back to back: the last values are one contiguous slice)
// ---------------------------------------------------------------------------------------------

fn slot(cap: usize, j: u64) -> usize {
    (j & (cap as u64 - 1)) as usize
}

fn ring_get(ring: &[f64], cap: usize, j: u64) -> f64 {
    ring.get(slot(cap, j)).copied().unwrap_or(f64::NAN)
}

/// Write bar `j`'s value, returning the value it replaces.
fn ring_set(ring: &mut [f64], cap: usize, j: u64, v: f64) -> f64 {
    let p = slot(cap, j);
    let old = ring.get(p).copied().unwrap_or(f64::NAN);
    if let Some(r) = ring.get_mut(p) {
        *r = v;
    }
    if let Some(r) = ring.get_mut(p + cap) {
        *r = v;
    }
    old
}

/// The values of bars `i − back ..= i` as one slice (`back < cap`).
fn ring_tail(ring: &[f64], cap: usize, i: u64, back: usize) -> KResult<&[f64]> {
    let end = slot(cap, i) + cap;
    end.checked_sub(back)
        .and_then(|start| ring.get(start..=end))
        .ok_or(KernelError::InvalidState {
            reason: "internal: ring window",
        })
}

/// `x[li + 1 − len ..= li]`: the last `len` values ending at local index `li`.
fn last(x: &[f64], li: usize, len: usize) -> KResult<&[f64]> {
    (li + 1)
        .checked_sub(len)
        .and_then(|s| x.get(s..=li))
        .ok_or(KernelError::InvalidState {
            reason: "internal: seed window",
        })
}

// ---------------------------------------------------------------------------------------------
// The stream state proper
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Inner {
    bars: u64,
    base: usize,
    cur: usize,
    spare: usize,
    cores: Box<[Core; 3]>,
    /// Closes, `2·cap`.
    ring: Vec<f64>,
    /// Nine window rings, `2·wcap` each.
    wring: Vec<f64>,
    /// Seed output scratch (the steppers' `init` write their warm-up slots).
    scratch: Vec<f64>,
}

impl Inner {
    /// `*self = src.clone()` without allocating (same plan, so same buffer sizes).
    fn copy_from(&mut self, src: &Inner) {
        self.bars = src.bars;
        (self.base, self.cur, self.spare) = (src.base, src.cur, src.spare);
        for (d, s) in self.cores.iter_mut().zip(src.cores.iter()) {
            d.clone_from(s);
        }
        self.ring.clone_from(&src.ring);
        self.wring.clone_from(&src.wring);
    }

    fn new(plan: &Plan) -> KResult<Inner> {
        let c = Core::initial(plan);
        Ok(Inner {
            bars: 0,
            base: 0,
            cur: 1,
            spare: 2,
            cores: Box::new([c.clone(), c.clone(), c]),
            ring: nan_vec(2 * plan.cap)?,
            wring: nan_vec(2 * K * plan.wcap)?,
            scratch: nan_vec(plan.w.max(plan.wcap))?,
        })
    }

    /// Step bar `i` with `close` from core `from` into core `to` (ring slots of bar `i` are
    /// written, the values they held saved in `to.undo`). Writes the bar's 13 outputs.
    fn step(
        &mut self,
        plan: &Plan,
        i: u64,
        from: usize,
        to: usize,
        close: f64,
        out: &mut [f64; OUT_ROWS],
    ) -> KResult<StepStatus> {
        let (src, dst) = pair(&mut self.cores, from, to);
        dst.undo[0] = ring_set(&mut self.ring, plan.cap, i, close);
        let back = if i < plan.w as u64 {
            i as usize
        } else {
            plan.w
        };
        let x = ring_tail(&self.ring, plan.cap, i, back)?;
        let bar = Bar {
            i,
            x,
            li: back,
            pine: plan.params.semantics == Semantics::Pine,
        };
        let c = plan.params.cutout as u64;
        let mut ma = [0.0f64; K];
        let mut l1 = [f64::NAN; F];
        let r = bar.scaled_return(plan);
        for f in 0..F {
            // only the slots a family's MA uses are loaded and stored (the others stay 0.0 in
            // every core)
            let used = plan.m_slots[f];
            for k in 0..K {
                let q = f * K + k;
                let mut st = [0.0f64; M_SLOTS];
                for j in 0..used {
                    st[j] = src.m(f, j, k);
                }
                let t = plan.template(q)?;
                ma[k] = if f == plan.wfam {
                    let seg = k * 2 * plan.wcap;
                    let wr = self.wring.get_mut(seg..seg + 2 * plan.wcap).ok_or(
                        KernelError::InvalidState {
                            reason: "internal: window ring",
                        },
                    )?;
                    let (v, old) =
                        bar.windowed_ma(plan, t, &mut st, wr, plan.wlen[k], &mut self.scratch)?;
                    if let Some(u) = dst.undo.get_mut(1 + k) {
                        *u = old;
                    }
                    v
                } else {
                    bar.ma(f, t, &mut st, &mut self.scratch)?
                };
                for j in 0..used {
                    dst.set_m(f, j, k, st[j]);
                }
            }
            l1[f] = family_signals(
                plan,
                &bar,
                c,
                r,
                &ma,
                &src.by_family[f],
                &mut dst.by_family[f],
            );
        }
        dst.fam = src.fam;
        dst.avg_prev = src.avg_prev;
        Ok(layer2(plan, &bar, c, r, &l1, dst, out))
    }
}

/// The bar being stepped: its global index and the closes ending at it (`x[li]` = its close;
/// `li = i` while `i < W`, so that bar j is `x[j]`; then `li = W`).
struct Bar<'a> {
    i: u64,
    x: &'a [f64],
    li: usize,
    pine: bool,
}

impl Bar<'_> {
    fn close(&self) -> f64 {
        self.x.get(self.li).copied().unwrap_or(f64::NAN)
    }

    fn previous_close(&self) -> f64 {
        self.li
            .checked_sub(1)
            .and_then(|j| self.x.get(j))
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// The bar's scaled return (NaN where the batch has none).
    fn scaled_return(&self, plan: &Plan) -> f64 {
        let c = plan.params.cutout as u64;
        let (p, pp) = (self.close(), self.previous_close());
        if self.pine {
            if self.i < c.max(1) {
                return f64::NAN;
            }
            pine::scaled_return(p, pp, plan.lambda, (self.i - c) as f64)
        } else {
            if self.i <= c {
                return f64::NAN;
            }
            let t = self.i - c;
            let g = match usize::try_from(t) {
                Ok(t) => growth_at(plan.lambda, t),
                Err(_) => exp(plan.lambda * t as f64),
            };
            (p / pp - 1.0) * g
        }
    }

    /// Where the bar stands relative to length `len`'s first value (`i + 1 − len`), or `None`
    /// before it.
    fn since(&self, len: usize) -> Option<u64> {
        (self.i + 1).checked_sub(len as u64)
    }

    /// One MA without a window: value at this bar, state slots `st` advanced.
    fn ma(
        &self,
        f: usize,
        t: &Template,
        st: &mut [f64; M_SLOTS],
        scratch: &mut [f64],
    ) -> KResult<f64> {
        let (x, li, len) = (self.x, self.li, t.len);
        if f == KAMA {
            return self.kama(t, st, scratch);
        }
        let Some(since) = self.since(len) else {
            return Ok(f64::NAN);
        };
        let seed = since == 0;
        let win = || last(x, li, len);
        let out = scratch.get_mut(..len).ok_or(KernelError::InvalidState {
            reason: "internal: scratch",
        })?;
        Ok(match f {
            EMA => {
                if seed {
                    st[0] = EmaState::init(win()?, len, out).0.e;
                } else {
                    st[0] = t.coef.update(st[0], x[li]);
                }
                st[0]
            }
            HMA => {
                // Pine's "HMA" family is an SMA (the reference HMA has a window)
                let mut s = t.sma;
                let v = if seed {
                    s = SmaState::init(win()?, len, out).0;
                    out[len - 1]
                } else {
                    s.s = st[0];
                    s.step(x, li)
                };
                st[0] = s.s;
                v
            }
            WMA => {
                let mut s = t.wma;
                let v = if seed {
                    s = WmaState::init_at(win()?, 0, len, out).0;
                    out[len - 1]
                } else {
                    (s.sums.s, s.sums.w) = (st[0], st[1]);
                    s.step(x, li)
                };
                (st[0], st[1]) = (s.sums.s, s.sums.w);
                v
            }
            DEMA => {
                // reference DEMA (Pine's has a window)
                let mut s = DemaState {
                    e1: st[0],
                    e2: st[1],
                    c: t.coef,
                };
                let v = if seed {
                    s = DemaState::init(win()?, len, out).0;
                    out[len - 1]
                } else {
                    s.step(x, li)
                };
                (st[0], st[1]) = (s.e1, s.e2);
                v
            }
            _ => {
                // LSMA
                let mut s = t.lsma;
                let v = if seed {
                    s = LsmaState::init_at(win()?, len, t.lsma.lm1, out).0;
                    out[len - 1]
                } else {
                    (s.sums.s, s.sums.w) = (st[0], st[1]);
                    s.step(x, li)
                };
                (st[0], st[1]) = (s.sums.s, s.sums.w);
                v
            }
        })
    }

    /// KAMA (both semantics): defined from bar 0.
    fn kama(&self, t: &Template, st: &mut [f64; M_SLOTS], scratch: &mut [f64]) -> KResult<f64> {
        let (x, li, len) = (self.x, self.li, t.len);
        let i = self.i;
        if self.pine {
            if i < len as u64 {
                st[0] = pine::kama_warm_step(st[0], x[li]);
                return Ok(st[0]);
            }
            if i == len as u64 {
                st[1] = pine::kama_noise_seed(x, len); // li = i = L here
            } else {
                st[1] = pine::kama_noise_slide(st[1], x, li, len);
            }
            st[0] = pine::kama_adaptive_step(st[0], st[1], x, li, len);
            return Ok(st[0]);
        }
        if i == 0 {
            st[0] = x[li];
        }
        if i < len as u64 {
            return Ok(st[0]);
        }
        let mut s = t.kama;
        s.k = st[0];
        if i == len as u64 {
            // li = i = L: x is the series from bar 0; the stepper's seed sums the noise
            let flat = scratch.get_mut(..len).ok_or(KernelError::InvalidState {
                reason: "internal: scratch",
            })?;
            let (seeded, _) = KamaState::init(x, OnTheFly, len, flat);
            s.noise = seeded.noise;
        } else {
            s.noise = st[1];
        }
        let v = s.step(x, li);
        (st[0], st[1]) = (s.k, s.noise);
        Ok(v)
    }

    /// The MA of the family with a window (reference HMA: stage-1 diffs; Pine DEMA: the inner
    /// EMA). Writes the bar's window value into `wr` and returns (value, value it replaced).
    fn windowed_ma(
        &self,
        plan: &Plan,
        t: &Template,
        st: &mut [f64; M_SLOTS],
        wr: &mut [f64],
        wlen: usize,
        scratch: &mut [f64],
    ) -> KResult<(f64, f64)> {
        let (x, li, len, i) = (self.x, self.li, t.len, self.i);
        let wcap = plan.wcap;
        let out = scratch
            .get_mut(..len.max(wlen))
            .ok_or(KernelError::InvalidState {
                reason: "internal: scratch",
            })?;
        let since = self.since(len);
        if self.pine {
            // inner EMA e1 (the EMA family's arithmetic), then the outer EMA over e1
            let e1 = match since {
                None => f64::NAN,
                Some(0) => {
                    st[0] = EmaState::init(last(x, li, len)?, len, out).0.e;
                    st[0]
                }
                Some(_) => {
                    st[0] = t.coef.update(st[0], x[li]);
                    st[0]
                }
            };
            let old = ring_set(wr, wcap, i, e1);
            let v = match since {
                Some(s) if s + 1 >= len as u64 => {
                    if s + 1 == len as u64 {
                        let w = ring_tail(wr, wcap, i, len - 1)?;
                        st[1] = EmaState::init(w, len, out).0.e;
                    } else {
                        st[1] = t.coef.update(st[1], e1);
                    }
                    2.0 * e1 - st[1]
                }
                _ => f64::NAN,
            };
            return Ok((v, old));
        }
        // reference HMA: stage 1 diff = 2·WMA(x, ⌊L/2⌋) − WMA(x, L)
        let mut d1 = t.hma;
        let diff = match since {
            None => f64::NAN,
            Some(0) => {
                d1 = HmaDiffState::init(last(x, li, len)?, len, out).0;
                out[len - 1]
            }
            Some(_) => {
                (d1.half.sums.s, d1.half.sums.w) = (st[0], st[1]);
                (d1.full.sums.s, d1.full.sums.w) = (st[2], st[3]);
                d1.step(x, li)
            }
        };
        if since.is_some() {
            (st[0], st[1]) = (d1.half.sums.s, d1.half.sums.w);
            (st[2], st[3]) = (d1.full.sums.s, d1.full.sums.w);
        }
        let old = ring_set(wr, wcap, i, diff);
        // stage 2: WMA(diff, s), first value at L − 2 + s
        let s = t.hma_s;
        let v = match since {
            Some(b) if b + 1 >= s as u64 => {
                let mut w2 = t.hma2;
                let v = if b + 1 == s as u64 {
                    w2 = WmaState::init_at(ring_tail(wr, wcap, i, s - 1)?, 0, s, out).0;
                    out[s - 1]
                } else {
                    (w2.sums.s, w2.sums.w) = (st[4], st[5]);
                    w2.step(ring_tail(wr, wcap, i, s)?, s)
                };
                (st[4], st[5]) = (w2.sums.s, w2.sums.w);
                v
            }
            _ => f64::NAN,
        };
        Ok((v, old))
    }
}

/// Per-MA signals and equities of one family at this bar (MA values `ma`; `src` → `dst`) and
/// the family's Layer-1 value (NaN before the cutout).
#[allow(clippy::too_many_arguments)]
fn family_signals(
    plan: &Plan,
    bar: &Bar<'_>,
    c: u64,
    r: f64,
    ma: &[f64; K],
    src: &FamilyState,
    dst: &mut FamilyState,
) -> f64 {
    let (p, pp) = (bar.close(), bar.previous_close());
    let i = bar.i;
    let d = plan.d;
    let mut num = 0.0;
    let mut den = 0.0;
    if bar.pine {
        // pine_accumulate_family's per-MA operations, MA by MA
        let (mut sig, mut eq, mut a) = (src.sig, src.eq, src.a);
        let prev = src.prev;
        for k in 0..K {
            let q = sig[k];
            if i >= 1 {
                sig[k] = pine::crossover(&[pp, p], &[prev[k], ma[k]], 1, q);
            }
            if i < c {
                continue;
            }
            if i == c {
                if c > 0 {
                    a[k] = pine::step_a(0.0, q, r);
                }
                eq[k] = 1.0;
            } else {
                a[k] = pine::step_a(a[k], q, r);
                eq[k] = pine::equity_step(eq[k], d, a[k]);
            }
            num += sig[k] * eq[k];
            den += eq[k];
        }
        (dst.sig, dst.eq, dst.a, dst.prev) = (sig, eq, a, *ma);
        if i < c {
            return f64::NAN;
        }
        let q = num / den;
        return if q.is_nan() {
            f64::NAN
        } else {
            pine::round2_half_away(q)
        };
    }
    // family_pass's lane operations (pass A2's equity with the previous signal, then A1's
    // signal), one bar
    dst.prev = *ma;
    if i < c {
        (dst.sig, dst.eq) = (src.sig, src.eq);
        return f64::NAN;
    }
    let (sig, eq) = if i == c {
        (splat9(0.0), splat9(floor_equity(1.0)))
    } else {
        let s_prev = load9(&src.sig);
        let eq = equity_step(load9(&src.eq), s_prev, r, d);
        (signal_step(load9(&src.prev), load9(ma), pp, p, s_prev), eq)
    };
    store9(&mut dst.sig, sig);
    store9(&mut dst.eq, eq);
    let (prod, eq) = (to_array(mul9(sig, eq)), to_array(eq));
    for k in 0..K {
        num += prod[k];
        den += eq[k];
    }
    layer1_value(num, den)
}

/// Layer 2, Average_Signal and the growth rule; writes the 13 outputs.
fn layer2(
    plan: &Plan,
    bar: &Bar<'_>,
    c: u64,
    r: f64,
    l1: &[f64; F],
    dst: &mut Core,
    out: &mut [f64; OUT_ROWS],
) -> StepStatus {
    let i = bar.i;
    let d = plan.d;
    let prm = &plan.params;
    let mut e2 = [f64::NAN; F];
    if bar.pine {
        for f in 0..F {
            let fam = &mut dst.fam[f];
            if i == c {
                fam[0] = floor_equity(prm.weights[f]);
                if c > 0 {
                    fam[1] = pine::step_a(fam[1], fam[2], r);
                }
            } else if i > c {
                fam[1] = pine::step_a(fam[1], fam[2], r);
                fam[0] = pine::equity_step(fam[0], d, fam[1]);
            }
            fam[2] = l1[f];
            if i >= c {
                e2[f] = fam[0];
            }
        }
        let mut nom = pine::cut(l1[0]) * e2[0];
        let mut sum = e2[0];
        for f in 1..F {
            nom += pine::cut(l1[f]) * e2[f];
            sum += e2[f];
        }
        return finish(i >= c, l1, &e2, nom / sum, out);
    }
    if i < c {
        *out = [f64::NAN; OUT_ROWS];
        return StepStatus::Ok;
    }
    let (long, short) = (prm.long_threshold, prm.short_threshold);
    if i == c {
        for f in 0..F {
            dst.fam[f][0] = floor_equity(prm.weights[f]);
        }
    } else {
        // position = sign of the previous bar's Layer 1 (layer2_and_average)
        let rr = if r.is_nan() { 0.0 } else { r };
        for fam in dst.fam.iter_mut() {
            fam[0] = floor_equity((fam[0] * d) * position_factor(fam[2], rr));
        }
    }
    let mut nom = 0.0;
    let mut den = 0.0;
    for f in 0..F {
        let fam = &mut dst.fam[f];
        e2[f] = fam[0];
        nom += cut(l1[f], long, short) * fam[0];
        den += fam[0];
        fam[2] = l1[f];
    }
    let avg = average_value(nom, den);
    let shown = if !prm.strategy_mode {
        avg
    } else if i == c {
        0.0
    } else {
        dst.avg_prev
    };
    dst.avg_prev = avg;
    finish(true, l1, &e2, shown, out)
}

/// Write the outputs; on an output bar apply core's growth rule (every Layer-1 value finite
/// and the six Layer-2 equities' sum, left to right, finite).
fn finish(
    output_bar: bool,
    l1: &[f64; F],
    e2: &[f64; F],
    avg: f64,
    out: &mut [f64; OUT_ROWS],
) -> StepStatus {
    out[..F].copy_from_slice(l1);
    out[F..2 * F].copy_from_slice(e2);
    out[2 * F] = avg;
    if !output_bar {
        return StepStatus::Ok;
    }
    let sum = ((((e2[0] + e2[1]) + e2[2]) + e2[3]) + e2[4]) + e2[5];
    if sum.is_finite() && l1.iter().all(|v| v.is_finite()) {
        StepStatus::Ok
    } else {
        StepStatus::NotFinite
    }
}

/// `out13[..13]` as an array (refused when shorter).
fn first13(out13: &mut [f64]) -> KResult<&mut [f64; OUT_ROWS]> {
    let actual = out13.len();
    out13
        .get_mut(..OUT_ROWS)
        .and_then(|o| <&mut [f64; OUT_ROWS]>::try_from(o).ok())
        .ok_or(KernelError::LengthMismatch {
            what: "out13",
            expected: OUT_ROWS,
            actual,
        })
}

fn check_close(close: f64, index: usize) -> KResult {
    if close.is_finite() && close > 0.0 {
        Ok(())
    } else {
        Err(KernelError::InvalidClose { index })
    }
}

fn canonical(v: f64) -> f64 {
    if v.is_nan() {
        f64::NAN
    } else {
        v
    }
}

// ---------------------------------------------------------------------------------------------
// Lane runs (push_many past the warm-up)
// ---------------------------------------------------------------------------------------------

/// Bars a lane run advances at once (bounds its scratch: about 40 doubles a bar).
const RUN_BARS: usize = 512;

/// One family's nine MAs over a run of bars (`isa/stream_run.rs`).
pub(crate) struct MaRun<'a> {
    pub(crate) family: usize,
    /// Closes: the `W` before the run, then the run's (`x[from + j]` = run bar j).
    pub(crate) x: &'a [f64],
    pub(crate) from: usize,
    /// The family's nine templates.
    pub(crate) tm: &'a [Template],
    /// Running slots `m[slot][k]`, in and out.
    pub(crate) m: [[f64; K]; M_SLOTS],
    /// Reference HMA: stage-1 diffs bar-major, aligned with `x`; KAMA: scratch for `|Δx|`
    /// (≥ `x.len()`).
    pub(crate) diffs: &'a mut [f64],
    /// Reference HMA: the WMA family's values of the run (bar-major) when they are the bits of
    /// the HMA's inner `WMA(x, L)` (`shares_wma`): used instead of advancing its own sums, as
    /// the batch's `hma_family` does with `wma_full`.
    pub(crate) wma_full: Option<&'a [f64]>,
    /// MA values of the run, bar-major (`9 × bars`).
    pub(crate) mas: &'a mut [f64],
}

/// Scratch of the lane runs (kept by the stream, reused; a clone starts empty).
#[derive(Default)]
struct RunBuf {
    x: Vec<f64>,
    diffs: Vec<f64>,
    mas: Vec<f64>,
    /// The WMA family's values of the run (for the HMA, `shares_wma`).
    wma: Vec<f64>,
    r: Vec<f64>,
    teq: Vec<f64>,
    tprod: Vec<f64>,
}

/// Arguments of `stream_signals_run` (see there).
pub(crate) struct SignalsRun<'a> {
    pub(crate) x: &'a [f64],
    pub(crate) from: usize,
    pub(crate) r: &'a [f64],
    pub(crate) mas: &'a [f64],
    pub(crate) d: f64,
    pub(crate) prev: &'a mut [f64; K],
    pub(crate) sig: &'a mut [f64; K],
    pub(crate) eq: &'a mut [f64; K],
    pub(crate) teq: &'a mut [f64],
    pub(crate) tprod: &'a mut [f64],
    pub(crate) l1: &'a mut [f64],
}

/// Arguments of the batch's `layer2_rows` over a run (see there; `step_first` is true: every
/// bar of a run is past the cutout bar).
pub(crate) struct Layer2Run<'a> {
    pub(crate) l1: &'a [f64],
    pub(crate) e2: &'a mut [f64],
    pub(crate) stride: usize,
    pub(crate) avg: &'a mut [f64],
    pub(crate) r: &'a [f64],
    pub(crate) d: f64,
    pub(crate) long: f64,
    pub(crate) short: f64,
    pub(crate) eq: &'a mut [f64; F],
    pub(crate) prev: &'a mut [f64; F],
    /// Out: the run's growth-check verdict (`layer2_rows`'): the first bar whose Layer-1
    /// signals or Layer-2 sum is not finite, `None` if every bar is.
    pub(crate) non_finite: Option<usize>,
}

/// A hot loop of a lane run, for one instruction-set twin to perform (`isa/stream_run.rs`).
pub(crate) enum RunJob<'j, 'a> {
    Mas(&'j mut MaRun<'a>),
    Signals(&'j mut SignalsRun<'a>),
    Layer2(&'j mut Layer2Run<'a>),
}

impl Clone for RunBuf {
    fn clone(&self) -> Self {
        RunBuf::default()
    }
}

/// `v.len() == len` (contents unspecified), refusing when the allocation fails.
fn sized(v: &mut Vec<f64>, len: usize) -> KResult {
    if v.len() < len {
        v.try_reserve(len - v.len())
            .map_err(|_| KernelError::Overflow {
                what: "stream memory",
            })?;
    }
    v.resize(len, f64::NAN);
    Ok(())
}

impl Inner {
    /// Advance the current core in place over `closes` (bars `bars ..`, all at or after
    /// `plan.run_from`, or MA-only runs from `plan.run_pre` ending before the cutout): per family the nine MAs as lanes over the whole run, then
    /// its signal/equity lanes and Layer 1 (`family_signals`' operations), both in the `isa`
    /// twin, then Layer 2 per bar
    /// (`layer2`) — the per-bar step's operations, families being independent until Layer 2.
    /// Writes the outputs to columns `col0 ..` of `out` (13 rows of `total`), the closes and
    /// diffs to the rings, and commits (`bars` advanced; the base core is left stale: the caller
    /// steps the call's last bar). `false`: a bar is not finite (the caller restores).
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        plan: &Plan,
        closes: &[f64],
        out: &mut [f64],
        total: usize,
        col0: usize,
        buf: &mut RunBuf,
        isa: &mut dyn FnMut(RunJob<'_, '_>),
    ) -> KResult<bool> {
        let nr = closes.len();
        let g0 = self.bars;
        let w = plan.w;
        let internal = KernelError::InvalidState {
            reason: "internal: lane run",
        };
        if nr == 0 || g0 < w as u64 {
            return Err(internal);
        }
        let c = plan.params.cutout as u64;
        // a run wholly before the cutout (`push_bars` never lets one cross it): the per-bar
        // step there changes only the MAs and `maPrev` (`family_signals`), outputs 13 NaN and
        // leaves Layer 2 alone (`layer2`)
        let before_cutout = g0 + nr as u64 <= c;
        sized(&mut buf.x, w + nr)?;
        sized(&mut buf.mas, K * nr)?;
        sized(&mut buf.r, nr)?;
        sized(&mut buf.teq, K * nr)?;
        sized(&mut buf.tprod, K * nr)?;
        for (t, v) in buf.x[..w].iter_mut().enumerate() {
            *v = ring_get(&self.ring, plan.cap, g0 - (w - t) as u64);
        }
        buf.x[w..].copy_from_slice(closes);
        let x = &buf.x[..];
        let bar = |j: usize| Bar {
            i: g0 + j as u64,
            x: &x[..=w + j],
            li: w + j,
            pine: false,
        };
        if !before_cutout {
            for j in 0..nr {
                buf.r[j] = bar(j).scaled_return(plan);
            }
        }
        let core = &mut self.cores[self.cur];
        // output rows 0–5 (Layer 1) take each family's Layer 1 straight from its signals run
        let (rows_l1, rows_rest) = out.split_at_mut(F * total);
        let share = shares_wma(plan, core);
        if share {
            sized(&mut buf.wma, K * nr)?;
        }
        // WMA first: its values stand in for the HMA's inner WMA when `share` (the batch's order)
        for f in [WMA, HMA, EMA, DEMA, LSMA, KAMA] {
            let windowed = f == plan.wfam;
            if f == KAMA && buf.diffs.len() < w + nr {
                sized(&mut buf.diffs, w + nr)?; // its |Δx| scratch
            }
            if windowed {
                sized(&mut buf.diffs, K * (w + nr))?;
                for k in 0..K {
                    let seg = k * 2 * plan.wcap;
                    let wr = self.wring.get(seg..seg + 2 * plan.wcap).ok_or(internal)?;
                    for back in 1..=plan.wlen[k].min(w) {
                        buf.diffs[(w - back) * K + k] = ring_get(wr, plan.wcap, g0 - back as u64);
                    }
                }
            }
            // with `share` the WMA family's values go to `buf.wma`, which the HMA then reads
            let (mas, wma) = if share && f == WMA {
                (&mut buf.wma, &buf.mas)
            } else {
                (&mut buf.mas, &buf.wma)
            };
            let mut job = MaRun {
                family: f,
                x,
                from: w,
                tm: plan.tm.get(f * K..(f + 1) * K).ok_or(internal)?,
                m: core::array::from_fn(|j| core::array::from_fn(|k| core.m(f, j, k))),
                diffs: if windowed || f == KAMA {
                    &mut buf.diffs[..]
                } else {
                    &mut []
                },
                mas: &mut mas[..K * nr],
                wma_full: (f == HMA && share).then(|| &wma[..K * nr]),
            };
            isa(RunJob::Mas(&mut job));
            for j in 0..plan.m_slots[f] {
                for k in 0..K {
                    core.set_m(f, j, k, job.m[j][k]);
                }
            }
            if share && f == HMA {
                // the HMA's inner WMA sums are the WMA family's (equal at the start, same steps)
                for k in 0..K {
                    core.set_m(HMA, 2, k, core.m(WMA, 0, k));
                    core.set_m(HMA, 3, k, core.m(WMA, 1, k));
                }
            }
            if windowed {
                for k in 0..K {
                    let seg = k * 2 * plan.wcap;
                    let wr = self
                        .wring
                        .get_mut(seg..seg + 2 * plan.wcap)
                        .ok_or(internal)?;
                    // only the last `wcap` bars survive in the ring: write just those
                    for j in nr.saturating_sub(plan.wcap)..nr {
                        ring_set(wr, plan.wcap, g0 + j as u64, buf.diffs[(w + j) * K + k]);
                    }
                }
            }
            let fs = &mut core.by_family[f];
            if before_cutout {
                let last = mas.get(K * (nr - 1)..K * nr).ok_or(internal)?;
                fs.prev.copy_from_slice(last);
                continue;
            }
            isa(RunJob::Signals(&mut SignalsRun {
                x,
                from: w,
                r: &buf.r[..nr],
                mas: &mas[..K * nr],
                d: plan.d,
                prev: &mut fs.prev,
                sig: &mut fs.sig,
                eq: &mut fs.eq,
                teq: &mut buf.teq[..K * nr],
                tprod: &mut buf.tprod[..K * nr],
                l1: &mut rows_l1[f * total + col0..f * total + col0 + nr],
            }));
        }
        if before_cutout {
            for r in 0..OUT_ROWS {
                out[r * total + col0..r * total + col0 + nr].fill(f64::NAN);
            }
        } else if !layer2_run(
            plan,
            core,
            rows_l1,
            rows_rest,
            &buf.r[..nr],
            total,
            col0,
            isa,
        ) {
            return Ok(false);
        }
        for j in nr.saturating_sub(plan.cap)..nr {
            ring_set(&mut self.ring, plan.cap, g0 + j as u64, closes[j]);
        }
        self.bars += nr as u64;
        Ok(true)
    }
}

/// Whether a lane run may take the HMA's inner `WMA(x, L)` from the WMA family (as the batch
/// does when the two families have the same lengths): the same lengths and constants, and
/// running sums `S`, `W` equal bit for bit at the run's start, so the same operations on the
/// same closes keep them equal (a restored snapshot whose sums differ is advanced on its own).
fn shares_wma(plan: &Plan, core: &Core) -> bool {
    plan.params.semantics == Semantics::Reference
        && (0..K).all(|k| {
            let (h, w) = (&plan.tm[HMA * K + k], &plan.tm[WMA * K + k]);
            let (hf, ws) = (&h.hma.full, &w.wma);
            h.len == w.len
                && hf.sums.len == ws.sums.len
                && hf.sums.lf.to_bits() == ws.sums.lf.to_bits()
                && hf.d.to_bits() == ws.d.to_bits()
                && core.m(HMA, 2, k).to_bits() == core.m(WMA, 0, k).to_bits()
                && core.m(HMA, 3, k).to_bits() == core.m(WMA, 1, k).to_bits()
        })
}

/// Layer 2 and the Average over a run of bars after the cutout bar (`layer2`'s operations for
/// `i > c`, as the batch's `layer2_rows` loop), columns `col0 ..` of 13 rows × `total`: the
/// run's Layer 1 in `rows_l1` (rows 0–5), the equities to `rest` rows 0–5 (output rows 6–11),
/// Average_Signal to its row 6 (output row 12); `core`'s Layer-2 state advances. `false`: a
/// bar fails the growth rule (`finish`'s check; the caller restores the state and redoes the
/// call bar by bar).
#[allow(clippy::too_many_arguments)]
fn layer2_run(
    plan: &Plan,
    core: &mut Core,
    rows_l1: &[f64],
    rest: &mut [f64],
    r: &[f64],
    total: usize,
    col0: usize,
    isa: &mut dyn FnMut(RunJob<'_, '_>),
) -> bool {
    let nr = r.len();
    let (rows_e2, row_avg) = rest.split_at_mut(F * total);
    let mut eq: [f64; F] = core::array::from_fn(|f| core.fam[f][0]);
    let mut prev: [f64; F] = core::array::from_fn(|f| core.fam[f][2]);
    let prm = &plan.params;
    let avg = &mut row_avg[col0..col0 + nr];
    if rows_l1.len() < col0 + (F - 1) * total + nr || rows_e2.len() < col0 + (F - 1) * total + nr {
        return false;
    }
    let mut job = Layer2Run {
        l1: &rows_l1[col0..],
        e2: &mut rows_e2[col0..],
        stride: total,
        avg,
        r,
        d: plan.d,
        long: prm.long_threshold,
        short: prm.short_threshold,
        eq: &mut eq,
        prev: &mut prev,
        non_finite: None,
    };
    isa(RunJob::Layer2(&mut job));
    // core's growth rule on every bar (`finish`), fused into the loop that wrote them
    if job.non_finite.is_some() {
        return false;
    }
    for f in 0..F {
        core.fam[f][0] = eq[f];
        core.fam[f][2] = prev[f];
    }
    let last = row_avg[col0 + nr - 1];
    if prm.strategy_mode {
        // the bar shows the Average of the bar before (`layer2`: `avg_prev`)
        row_avg.copy_within(col0..col0 + nr - 1, col0 + 1);
        row_avg[col0] = core.avg_prev;
    }
    core.avg_prev = last;
    true
}

// ---------------------------------------------------------------------------------------------
// AtcStream
// ---------------------------------------------------------------------------------------------

/// One ATC stream: `push` a close, get the bar's 13 outputs (6 Layer-1 signals, 6 Layer-2
/// equities, Average_Signal), equal bit for bit to bar `i` of [`compute_atc`](crate::compute_atc)
/// over the whole series (reference: bars `< cutout` all NaN, bar `i ≥ cutout` = column
/// `i − cutout`; Pine: column `i`).
///
/// ```
/// use atc_kernels::{AtcStream, Params, StepStatus};
/// let mut s = AtcStream::new(&Params::default())?;
/// let mut out = [0.0; 13];
/// for close in [100.0, 101.5, 99.8] {
///     assert_eq!(s.push(close, &mut out)?, StepStatus::Ok);
/// }
/// s.replace_last(100.2, &mut out)?; // the forming bar changed
/// let mut state = vec![0.0; AtcStream::state_len(&Params::default())?];
/// s.export_state(&mut state)?;
/// let restored = AtcStream::from_state(&Params::default(), s.len(), &state)?;
/// assert_eq!(restored.len(), 3);
/// # Ok::<(), atc_kernels::KernelError>(())
/// ```
#[derive(Clone)]
pub struct AtcStream {
    plan: Arc<Plan>,
    inner: Inner,
    /// `push_many`'s copy of the state before its first bar (kept to reuse the allocation).
    backup: Option<Box<Inner>>,
    /// `push_many`'s lane-run scratch.
    run_buf: RunBuf,
}

impl AtcStream {
    /// A stream with no bar yet (`params` validated).
    pub fn new(params: &Params) -> KResult<AtcStream> {
        Self::with_plan(Arc::new(Plan::new(params)?))
    }

    fn with_plan(plan: Arc<Plan>) -> KResult<AtcStream> {
        let inner = Inner::new(&plan)?;
        Ok(AtcStream {
            plan,
            inner,
            backup: None,
            run_buf: RunBuf::default(),
        })
    }

    /// Doubles in the canonical state vector of `params` (docs/streaming.md).
    pub fn state_len(params: &Params) -> KResult<usize> {
        Ok(Plan::new(params)?.state_len)
    }

    /// A stream restored from a canonical state vector after `bars` bars: the base (after
    /// `bars − 1` bars) is imported and the last close stepped again, so the restored stream
    /// can still `replace_last`.
    pub fn from_state(params: &Params, bars: u64, state: &[f64]) -> KResult<AtcStream> {
        let mut s = Self::new(params)?;
        s.import(bars, state)?;
        Ok(s)
    }

    fn import(&mut self, bars: u64, state: &[f64]) -> KResult {
        let plan = &*self.plan;
        check_len("state", plan.state_len, state.len())?;
        let inner = &mut self.inner;
        let n = bars as i128;
        let w = plan.w;
        for (t, &v) in state[..w].iter().enumerate() {
            let j = n - 1 - w as i128 + t as i128;
            if j >= 0 {
                ring_set(&mut inner.ring, plan.cap, j as u64, v);
            }
        }
        let base = &mut inner.cores[0];
        for f in 0..F {
            for k in 0..K {
                let at = plan.off_mas + (f * K + k) * MA_SLOTS;
                let v = &state[at..at + MA_SLOTS];
                for j in 0..M_SLOTS {
                    base.set_m(f, j, k, v[j]);
                }
                base.by_family[f].prev[k] = v[6];
                base.by_family[f].sig[k] = v[7];
                base.by_family[f].eq[k] = v[8];
                base.by_family[f].a[k] = v[9];
            }
        }
        let mut at = plan.off_windows;
        for k in 0..K {
            let wl = plan.wlen[k];
            let seg = k * 2 * plan.wcap;
            let wr = &mut inner.wring[seg..seg + 2 * plan.wcap];
            for (t, &v) in state[at..at + wl].iter().enumerate() {
                let j = n - 1 - wl as i128 + t as i128;
                if j >= 0 {
                    ring_set(wr, plan.wcap, j as u64, v);
                }
            }
            at += wl;
        }
        for (f, fam) in base.fam.iter_mut().enumerate() {
            let at = plan.off_families + f * FAM_SLOTS;
            fam.copy_from_slice(&state[at..at + FAM_SLOTS]);
        }
        base.avg_prev = state[plan.off_families + F * FAM_SLOTS];
        // all three cores equal: slots a step does not write stay as imported in each
        let copy = base.clone();
        inner.cores[2].clone_from(&copy);
        inner.cores[1] = copy;
        inner.bars = bars;
        if bars == 0 {
            return Ok(());
        }
        let last_close = state[w];
        if !(last_close.is_finite() && last_close > 0.0) {
            return Err(KernelError::InvalidState {
                reason: "its last close is not a finite number > 0",
            });
        }
        let mut out = [0.0; OUT_ROWS];
        match inner.step(plan, bars - 1, 0, 1, last_close, &mut out)? {
            StepStatus::Ok => Ok(()),
            StepStatus::NotFinite => Err(KernelError::InvalidState {
                reason: "its last bar is not finite (growth overflow)",
            }),
        }
    }

    /// Bars pushed so far.
    pub fn len(&self) -> u64 {
        self.inner.bars
    }

    /// True before the first bar.
    pub fn is_empty(&self) -> bool {
        self.inner.bars == 0
    }

    /// Step a new bar; `out13[..13]` receives its outputs. `close` must be finite and > 0.
    /// `NotFinite`: core's growth rule failed, nothing was committed.
    pub fn push(&mut self, close: f64, out13: &mut [f64]) -> KResult<StepStatus> {
        check_close(close, 0)?;
        let out = first13(out13)?;
        self.prepare_push(close, out).map(|st| self.settle_push(st))
    }

    /// Step bar `len()` into the spare core (nothing committed).
    fn prepare_push(&mut self, close: f64, out: &mut [f64; OUT_ROWS]) -> KResult<StepStatus> {
        let i = self.inner.bars;
        i.checked_add(1)
            .ok_or(KernelError::Overflow { what: "bars" })?;
        let (cur, spare) = (self.inner.cur, self.inner.spare);
        self.inner.step(&self.plan, i, cur, spare, close, out)
    }

    /// Commit a prepared push when its status is `Ok` (the ring slot it wrote is not one the
    /// base or current state uses, so a refused push needs no undo).
    fn settle_push(&mut self, st: StepStatus) -> StepStatus {
        if st == StepStatus::Ok {
            let s = &mut self.inner;
            (s.base, s.cur, s.spare) = (s.cur, s.spare, s.base);
            s.bars += 1;
        }
        st
    }

    /// Replace the last bar's close (re-step it from the base). Refused on an empty stream.
    pub fn replace_last(&mut self, close: f64, out13: &mut [f64]) -> KResult<StepStatus> {
        check_close(close, 0)?;
        let out = first13(out13)?;
        let st = self.prepare_replace(close, out)?;
        self.settle_replace(st);
        Ok(st)
    }

    fn prepare_replace(&mut self, close: f64, out: &mut [f64; OUT_ROWS]) -> KResult<StepStatus> {
        let i = self
            .inner
            .bars
            .checked_sub(1)
            .ok_or(KernelError::EmptyStream)?;
        let (base, spare) = (self.inner.base, self.inner.spare);
        self.inner.step(&self.plan, i, base, spare, close, out)
    }

    /// Commit a prepared replace (`Ok`) or put back the ring values it overwrote.
    fn settle_replace(&mut self, st: StepStatus) {
        let s = &mut self.inner;
        if st == StepStatus::Ok {
            (s.cur, s.spare) = (s.spare, s.cur);
            return;
        }
        let plan = &*self.plan;
        let Some(i) = s.bars.checked_sub(1) else {
            return;
        };
        let undo = s.cores[s.spare].undo;
        ring_set(&mut s.ring, plan.cap, i, undo[0]);
        for k in 0..K {
            let seg = k * 2 * plan.wcap;
            if let Some(wr) = s.wring.get_mut(seg..seg + 2 * plan.wcap) {
                ring_set(wr, plan.wcap, i, undo[1 + k]);
            }
        }
    }

    /// Push `k = closes.len()` closes; `out` (`13·k`) is 13 rows × k row-major. Every close is
    /// checked first. `Some(j)`: bar `j` is not finite (growth rule) and nothing was committed
    /// (the stream is as before the call).
    ///
    /// Reference semantics, past the warm-up: the bars run in lane runs (the nine MAs of a family
    /// as SIMD lanes over up to 512 bars, as `compute_atc` does), same bits and same state as
    /// bar by bar; the call's last bar is always stepped alone (so `replace_last` has its base).
    pub fn push_many(&mut self, closes: &[f64], out: &mut [f64]) -> KResult<Option<usize>> {
        self.push_many_with(closes, out, &mut |job| crate::isa::base::stream_run(job))
    }

    /// [`push_many`](Self::push_many) with its lane runs compiled for AVX2 (x86-64; same bits).
    ///
    /// # Safety
    /// The CPU must support AVX2 (check with `std::is_x86_feature_detected!("avx2")`); calling
    /// it from code without that target feature requires `unsafe`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub fn push_many_avx2(&mut self, closes: &[f64], out: &mut [f64]) -> KResult<Option<usize>> {
        self.push_many_with(closes, out, &mut |job| crate::isa::avx2::stream_run(job))
    }

    #[inline(always)]
    fn push_many_with(
        &mut self,
        closes: &[f64],
        out: &mut [f64],
        isa: &mut dyn FnMut(RunJob<'_, '_>),
    ) -> KResult<Option<usize>> {
        let k = closes.len();
        let want = OUT_ROWS
            .checked_mul(k)
            .ok_or(KernelError::Overflow { what: "13·k" })?;
        check_len("out", want, out.len())?;
        for (j, &c) in closes.iter().enumerate() {
            check_close(c, j)?;
        }
        self.inner
            .bars
            .checked_add(k as u64)
            .ok_or(KernelError::Overflow { what: "bars" })?;
        match &mut self.backup {
            Some(b) => b.copy_from(&self.inner),
            None => self.backup = Some(Box::new(self.inner.clone())),
        }
        match self.push_bars(closes, out, isa)? {
            None => Ok(None),
            Some(j) => {
                if let Some(b) = &self.backup {
                    self.inner.copy_from(b);
                }
                Ok(Some(j))
            }
        }
    }

    /// `push_many`'s bars, in lane runs where allowed. `Some(j)`: bar `j` is not finite (the
    /// state is then partly advanced: the caller restores it).
    fn push_bars(
        &mut self,
        closes: &[f64],
        out: &mut [f64],
        isa: &mut dyn FnMut(RunJob<'_, '_>),
    ) -> KResult<Option<usize>> {
        let k = closes.len();
        let mut row = [0.0; OUT_ROWS];
        let mut j = 0;
        let mut lanes = self.plan.run_from;
        let cutout = self.plan.params.cutout as u64;
        while j < k {
            if let Some(from) = lanes {
                // runs stop one bar short: the call's last bar is stepped alone
                let mut n = RUN_BARS.min((k - 1).saturating_sub(j));
                let at = self.inner.bars;
                let runs = if at >= from {
                    true
                } else if self
                    .plan
                    .run_pre
                    .is_some_and(|pre| at >= pre && at < cutout)
                {
                    // MA-only runs end before the cutout bar (stepped alone: its own rules)
                    n = n.min((cutout - at) as usize);
                    true
                } else {
                    false
                };
                if runs && n > 0 {
                    let plan = self.plan.clone();
                    let mut buf = core::mem::take(&mut self.run_buf);
                    let done = self
                        .inner
                        .run(&plan, &closes[j..j + n], out, k, j, &mut buf, isa);
                    self.run_buf = buf;
                    if !done? {
                        // the bar's index is the per-bar path's to find: redo the call bar by bar
                        if let Some(b) = &self.backup {
                            self.inner.copy_from(b);
                        }
                        lanes = None;
                        j = 0;
                        continue;
                    }
                    j += n;
                    continue;
                }
            }
            let st = self.prepare_push(closes[j], &mut row)?;
            if self.settle_push(st) == StepStatus::NotFinite {
                return Ok(Some(j));
            }
            for (r, &v) in row.iter().enumerate() {
                out[r * k + j] = v;
            }
            j += 1;
        }
        Ok(None)
    }

    /// Write the canonical state vector (`out.len() == state_len`; NaNs canonical).
    pub fn export_state(&self, out: &mut [f64]) -> KResult<()> {
        let plan = &*self.plan;
        check_len("state", plan.state_len, out.len())?;
        let s = &self.inner;
        let n = s.bars as i128;
        let w = plan.w;
        for (t, o) in out[..w].iter_mut().enumerate() {
            let j = n - 1 - w as i128 + t as i128;
            *o = if j >= 0 {
                ring_get(&s.ring, plan.cap, j as u64)
            } else {
                f64::NAN
            };
        }
        out[w] = match s.bars.checked_sub(1) {
            Some(j) => ring_get(&s.ring, plan.cap, j),
            None => f64::NAN,
        };
        let base = &s.cores[s.base];
        for f in 0..F {
            for k in 0..K {
                let at = plan.off_mas + (f * K + k) * MA_SLOTS;
                let v = &mut out[at..at + MA_SLOTS];
                for j in 0..M_SLOTS {
                    v[j] = base.m(f, j, k);
                }
                v[6] = base.by_family[f].prev[k];
                v[7] = base.by_family[f].sig[k];
                v[8] = base.by_family[f].eq[k];
                v[9] = base.by_family[f].a[k];
            }
        }
        let mut at = plan.off_windows;
        for k in 0..K {
            let wl = plan.wlen[k];
            let seg = k * 2 * plan.wcap;
            let wr = s.wring.get(seg..seg + 2 * plan.wcap).unwrap_or(&[]);
            for (t, o) in out[at..at + wl].iter_mut().enumerate() {
                let j = n - 1 - wl as i128 + t as i128;
                *o = if j >= 0 {
                    ring_get(wr, plan.wcap, j as u64)
                } else {
                    f64::NAN
                };
            }
            at += wl;
        }
        for (f, fam) in base.fam.iter().enumerate() {
            let at = plan.off_families + f * FAM_SLOTS;
            out[at..at + FAM_SLOTS].copy_from_slice(fam);
        }
        out[plan.off_families + F * FAM_SLOTS] = base.avg_prev;
        for v in out.iter_mut() {
            *v = canonical(*v);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// compute's long-series path in one call
// ---------------------------------------------------------------------------------------------

/// Bars per `push_many` of [`compute_long`]: its output scratch (13 × this doubles, 416 KiB)
/// stays in the cache between the stream writing it and the copy into the outputs.
const LONG_CHUNK: usize = 4096;

/// `compute`'s long-series path (docs/architecture.md "Long series") in one call: a new stream
/// over `prices` in chunks of [`LONG_CHUNK`] bars through `push` ([`AtcStream::push_many`] or
/// its AVX2 twin), each chunk's output bars copied into `out13` (13 rows × `m`,
/// `m = params.output_bars(n)`; reference semantics: bar `i ≥ cutout` is column `i − cutout`).
/// Memory: the stream's O(longest length) state and one chunk. Every close is checked first.
///
/// `Ok(None)`: every bar written. `Ok(Some(i))`: input bar `i` fails core's growth rule
/// (docs/streaming.md "Refusals"): the columns before it and its own are written, the later
/// ones untouched, so core's check over `out13` finds exactly that bar.
///
/// ```
/// use atc_kernels::{compute_long, AtcStream, Params};
/// let p = Params { cutout: 2, ..Params::default() };
/// let prices: Vec<f64> = (0..100).map(|i| 100.0 + (i % 7) as f64).collect();
/// let mut out = vec![0.0; 13 * p.output_bars(prices.len())];
/// let bad = compute_long(&p, &prices, &mut out, &mut |s: &mut AtcStream, c: &[f64], o: &mut [f64]| s.push_many(c, o))?;
/// assert_eq!(bad, None);
/// # Ok::<(), atc_kernels::KernelError>(())
/// ```
#[allow(clippy::type_complexity)]
pub fn compute_long(
    params: &Params,
    prices: &[f64],
    out13: &mut [f64],
    push: &mut dyn FnMut(&mut AtcStream, &[f64], &mut [f64]) -> KResult<Option<usize>>,
) -> KResult<Option<usize>> {
    let n = prices.len();
    let m = params.output_bars(n);
    let want = OUT_ROWS
        .checked_mul(m)
        .ok_or(KernelError::Overflow { what: "13·m" })?;
    check_len("out", want, out13.len())?;
    // every close first (the index counted from the series' start), so a refusal writes nothing
    for (i, &c) in prices.iter().enumerate() {
        check_close(c, i)?;
    }
    // input bar of output column 0
    let first = match params.semantics {
        Semantics::Reference => params.cutout,
        Semantics::Pine => 0,
    };
    let mut stream = AtcStream::new(params)?;
    let mut chunk = nan_vec(OUT_ROWS * LONG_CHUNK.min(n.max(1)))?;
    let mut start = 0;
    while start < n {
        let k = LONG_CHUNK.min(n - start);
        let closes = &prices[start..start + k];
        let out = &mut chunk[..OUT_ROWS * k];
        let Some(bad) = push(&mut stream, closes, out)? else {
            copy_columns(out, k, start, out13, m, first);
            start += k;
            continue;
        };
        // nothing of the chunk was committed: the bars before `bad` again, then `bad` alone
        // (its outputs written although not finite)
        if bad > 0 {
            let before = &mut chunk[..OUT_ROWS * bad];
            if push(&mut stream, &closes[..bad], before)?.is_some() {
                return Err(KernelError::InvalidState {
                    reason: "internal: the stream refused bars it had accepted",
                });
            }
            copy_columns(before, bad, start, out13, m, first);
        }
        let mut row = [0.0; OUT_ROWS];
        stream.push(closes[bad], &mut row)?;
        copy_columns(&row, 1, start + bad, out13, m, first);
        return Ok(Some(start + bad));
    }
    Ok(None)
}

/// Columns of a chunk (13 rows × `k`, input bars `start ..`) that are output bars into `out13`
/// (13 rows × `m`, column 0 = input bar `first`).
fn copy_columns(chunk: &[f64], k: usize, start: usize, out13: &mut [f64], m: usize, first: usize) {
    let from = first.saturating_sub(start).min(k);
    let Some(col) = (start + from).checked_sub(first) else {
        return;
    };
    let len = (k - from).min(m.saturating_sub(col));
    for r in 0..OUT_ROWS {
        if let (Some(dst), Some(src)) = (
            out13.get_mut(r * m + col..r * m + col + len),
            chunk.get(r * k + from..r * k + from + len),
        ) {
            dst.copy_from_slice(src);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// StreamSet
// ---------------------------------------------------------------------------------------------

/// `count` streams of one configuration, advanced together one bar at a time (a scanner's
/// universe). All or nothing: when one stream's bar is not finite, no stream commits.
///
/// ```
/// use atc_kernels::{Params, StreamSet};
/// let mut set = StreamSet::new(&Params::default(), 2)?;
/// let mut out = [0.0; 26]; // 13 rows × 2 streams
/// assert_eq!(set.push(&[100.0, 20.0], &mut out)?, None);
/// # Ok::<(), atc_kernels::KernelError>(())
/// ```
#[derive(Clone)]
pub struct StreamSet {
    streams: Vec<AtcStream>,
    bars: u64,
}

impl StreamSet {
    /// `count` empty streams.
    pub fn new(params: &Params, count: usize) -> KResult<StreamSet> {
        let plan = Arc::new(Plan::new(params)?);
        let mut streams = Vec::new();
        streams
            .try_reserve_exact(count)
            .map_err(|_| KernelError::Overflow {
                what: "stream count",
            })?;
        for _ in 0..count {
            streams.push(AtcStream::with_plan(plan.clone())?);
        }
        Ok(StreamSet { streams, bars: 0 })
    }

    /// Number of streams.
    pub fn count(&self) -> usize {
        self.streams.len()
    }

    /// Bars pushed so far (the same for every stream).
    pub fn len(&self) -> u64 {
        self.bars
    }

    /// True before the first bar.
    pub fn is_empty(&self) -> bool {
        self.bars == 0
    }

    fn check(&self, closes: &[f64], out: &[f64]) -> KResult {
        let n = self.streams.len();
        check_len("closes", n, closes.len())?;
        check_len("out", OUT_ROWS * n, out.len())?;
        for (s, &c) in closes.iter().enumerate() {
            check_close(c, s)?;
        }
        Ok(())
    }

    /// Push one close per stream (`closes.len() == count`); `out` (`13·count`) is 13 rows ×
    /// count row-major. `Some(s)`: stream `s`'s bar is not finite and no stream committed.
    pub fn push(&mut self, closes: &[f64], out: &mut [f64]) -> KResult<Option<usize>> {
        self.check(closes, out)?;
        self.bars
            .checked_add(1)
            .ok_or(KernelError::Overflow { what: "bars" })?;
        let n = self.streams.len();
        let mut row = [0.0; OUT_ROWS];
        for (s, (st, &c)) in self.streams.iter_mut().zip(closes).enumerate() {
            if st.prepare_push(c, &mut row)? == StepStatus::NotFinite {
                return Ok(Some(s)); // prepared pushes touched no slot in use: nothing to undo
            }
            for (r, &v) in row.iter().enumerate() {
                out[r * n + s] = v;
            }
        }
        for st in self.streams.iter_mut() {
            st.settle_push(StepStatus::Ok);
        }
        self.bars += 1;
        Ok(None)
    }

    /// [`push`](Self::push) with the streams split over `threads` threads of a
    /// `std::thread::scope` (the calling thread is one of them): same outputs, same state, same
    /// refusal. Preparing a push writes only a stream's spare state, so the chunks are
    /// independent; each fills its own 13 × chunk block, copied into `out` once all succeeded.
    #[cfg(feature = "std")]
    pub fn push_threads(
        &mut self,
        closes: &[f64],
        out: &mut [f64],
        threads: usize,
    ) -> KResult<Option<usize>> {
        let n = self.streams.len();
        let threads = threads.clamp(1, n.max(1));
        if threads == 1 {
            return self.push(closes, out);
        }
        self.check(closes, out)?;
        self.bars
            .checked_add(1)
            .ok_or(KernelError::Overflow { what: "bars" })?;
        let chunk = n.div_ceil(threads);
        let prepare = |first: usize,
                       streams: &mut [AtcStream],
                       closes: &[f64]|
         -> KResult<(Option<usize>, Vec<f64>)> {
            let len = streams.len();
            let mut block = alloc::vec![0.0; OUT_ROWS * len];
            let mut row = [0.0; OUT_ROWS];
            for (j, (st, &c)) in streams.iter_mut().zip(closes).enumerate() {
                if st.prepare_push(c, &mut row)? == StepStatus::NotFinite {
                    return Ok((Some(first + j), block));
                }
                for (r, &v) in row.iter().enumerate() {
                    block[r * len + j] = v;
                }
            }
            Ok((None, block))
        };
        let results: Vec<KResult<(Option<usize>, Vec<f64>)>> = std::thread::scope(|scope| {
            let mut parts = self
                .streams
                .chunks_mut(chunk)
                .zip(closes.chunks(chunk))
                .enumerate();
            let own = parts.next();
            let handles: Vec<_> = parts
                .map(|(t, (sts, cs))| scope.spawn(move || prepare(t * chunk, sts, cs)))
                .collect();
            let mut results = Vec::with_capacity(threads);
            if let Some((_, (sts, cs))) = own {
                results.push(prepare(0, sts, cs));
            }
            for h in handles {
                // a panicking chunk re-raises here (the scope would anyway); nothing was committed
                results.push(
                    h.join()
                        .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
                );
            }
            results
        });
        let mut blocks = Vec::with_capacity(results.len());
        for result in results {
            match result? {
                (Some(s), _) => return Ok(Some(s)), // chunks in stream order: the first refusal
                (None, block) => blocks.push(block),
            }
        }
        for (t, block) in blocks.iter().enumerate() {
            let len = block.len() / OUT_ROWS;
            for r in 0..OUT_ROWS {
                out[r * n + t * chunk..r * n + t * chunk + len]
                    .copy_from_slice(&block[r * len..(r + 1) * len]);
            }
        }
        for st in self.streams.iter_mut() {
            st.settle_push(StepStatus::Ok);
        }
        self.bars += 1;
        Ok(None)
    }

    /// Replace every stream's last close (refused before the first bar). `Some(s)`: stream
    /// `s`'s bar is not finite and no stream committed.
    pub fn replace_last(&mut self, closes: &[f64], out: &mut [f64]) -> KResult<Option<usize>> {
        self.check(closes, out)?;
        if self.bars == 0 {
            return Err(KernelError::EmptyStream);
        }
        let n = self.streams.len();
        let mut row = [0.0; OUT_ROWS];
        for s in 0..n {
            let st = match (self.streams.get_mut(s), closes.get(s)) {
                (Some(st), Some(&c)) => st.prepare_replace(c, &mut row)?,
                _ => break,
            };
            if st == StepStatus::NotFinite {
                for done in self.streams[..=s].iter_mut() {
                    done.settle_replace(StepStatus::NotFinite);
                }
                return Ok(Some(s));
            }
            for (r, &v) in row.iter().enumerate() {
                out[r * n + s] = v;
            }
        }
        for st in self.streams.iter_mut() {
            st.settle_replace(StepStatus::Ok);
        }
        Ok(None)
    }

    /// Canonical state vector of stream `index` (restore it with [`AtcStream::from_state`]).
    pub fn export_state(&self, index: usize, out: &mut [f64]) -> KResult<()> {
        self.streams
            .get(index)
            .ok_or(KernelError::StreamIndex {
                index,
                count: self.streams.len(),
            })?
            .export_state(out)
    }
}
