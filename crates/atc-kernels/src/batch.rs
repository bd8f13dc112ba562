//! Many series on several threads (cargo feature `std`; the wasm build leaves it off).
//!
//! [`compute_atc_batch`] runs [`compute_atc`](crate::compute_atc) once per series on
//! `min(threads, series)` threads of a `std::thread::scope` (the calling thread is one of
//! them). Each thread owns a [`Workspace`]; series are handed out one at a time through an
//! atomic counter, longest first, so uneven lengths still balance. Every series is computed by
//! exactly the same code as a single call, so the results are bit-identical to one
//! `compute_atc` per series.
//!
//! Everything is validated before any thread starts: a bad series or output length is reported
//! with its index and nothing is written. A panic inside a worker is caught there and reported
//! as [`BatchError::Panic`] (the other workers stop taking new series).
//!
//! [`compute_atc_batch_checked_with`] also reports core's growth check per series: the verdict
//! [`compute_atc`] returns from its last loop (the same form as a single call; no pass
//! re-reads the outputs), so the caller's thread does not scan every output after the batch.
//! [`compute_atc_batch_checks_with`] can also check every price (finite, > 0) on the threads,
//! before any series is computed ([`BatchChecks::prices`]), so the caller's thread need not
//! scan the inputs first either.

use core::fmt;
use std::hint;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::string::{String, ToString};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::vec::Vec;

use crate::error::{KResult, KernelError};
use crate::pipeline::{check_atc_inputs, compute_atc, Params, Workspace};

/// Why a batch failed.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchError {
    /// `outs` and `series` have different lengths (nothing was written).
    CountMismatch {
        /// Number of series.
        series: usize,
        /// Number of outputs.
        outs: usize,
    },
    /// Series `index` (or its output) is invalid; found before any work started, nothing was
    /// written.
    Invalid {
        /// Index of the series.
        index: usize,
        /// What is wrong.
        error: KernelError,
    },
    /// The kernel refused series `index` while running (outputs of other series may be
    /// complete).
    Kernel {
        /// Index of the series.
        index: usize,
        /// The kernel's error.
        error: KernelError,
    },
    /// Series `index` (the lowest such index) has a price that is not finite or not > 0;
    /// found by [`BatchChecks::prices`] before any series was computed, nothing was written.
    BadPrice {
        /// Index of the series.
        index: usize,
    },
    /// A worker panicked while computing series `index`; the panic was caught.
    Panic {
        /// Index of the series.
        index: usize,
        /// The panic message.
        message: String,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::CountMismatch { series, outs } => write!(
                f,
                "outs has {outs} entries but series has {series}; they must match"
            ),
            BatchError::Invalid { index, error } | BatchError::Kernel { index, error } => {
                write!(f, "series[{index}]: {error}")
            }
            BatchError::BadPrice { index } => {
                write!(f, "series[{index}]: every price must be finite and > 0")
            }
            BatchError::Panic { index, message } => {
                write!(f, "panic while computing series[{index}]: {message}")
            }
        }
    }
}

impl std::error::Error for BatchError {}

/// Validates a batch without computing it: equal counts, and for every series what
/// [`check_atc_inputs`] checks (`out_lens[i]` = length of output `i`).
pub fn check_atc_batch(
    series: &[&[f64]],
    params: &Params,
    out_lens: &[usize],
) -> Result<(), BatchError> {
    if out_lens.len() != series.len() {
        return Err(BatchError::CountMismatch {
            series: series.len(),
            outs: out_lens.len(),
        });
    }
    for (index, (s, &len)) in series.iter().zip(out_lens).enumerate() {
        check_atc_inputs(s.len(), params, len)
            .map_err(|error| BatchError::Invalid { index, error })?;
    }
    Ok(())
}

/// `compute_atc(series[i], params, outs[i], None, ·)` for every `i`, on `min(threads,
/// series.len())` threads (`threads == 0` counts as 1). `outs[i]` holds `13 × (n_i −
/// cutout)` values. Same bits as one [`compute_atc`] per series.
pub fn compute_atc_batch(
    series: &[&[f64]],
    params: &Params,
    outs: &mut [&mut [f64]],
    threads: usize,
) -> Result<(), BatchError> {
    compute_atc_batch_with(series, params, outs, threads, |prices, p, out, ws| {
        compute_atc(prices, p, out, None, ws)
    })
}

/// [`compute_atc_batch`] with the per-series kernel supplied by the caller (for instance a
/// wrapper that picks an instruction-set twin such as `compute_atc_avx2` after checking the
/// CPU). `kernel(prices, params, out, workspace)` must behave like
/// `compute_atc(prices, params, out, None, workspace)`, its growth-check verdict included.
pub fn compute_atc_batch_with<F>(
    series: &[&[f64]],
    params: &Params,
    outs: &mut [&mut [f64]],
    threads: usize,
    kernel: F,
) -> Result<(), BatchError>
where
    F: Fn(&[f64], &Params, &mut [f64], &mut Workspace) -> KResult<Option<usize>> + Sync,
{
    compute_atc_batch_checks_with(
        series,
        params,
        outs,
        threads,
        kernel,
        BatchChecks::default(),
    )
}

/// [`compute_atc_batch_with`], and per series the growth check core runs after every
/// computation: `first_non_finite[i]` = the verdict the kernel returned for series `i`
/// (`compute_atc`'s; the same as [`first_non_finite_bar`](crate::first_non_finite_bar) of
/// `outs[i]`; `None`: all finite), found in the pipeline's last loop by the thread that
/// computed it. `first_non_finite.len()` must equal `series.len()`
/// ([`BatchError::CountMismatch`]). Entries of series not computed because the batch failed
/// are left as they were.
pub fn compute_atc_batch_checked_with<F>(
    series: &[&[f64]],
    params: &Params,
    outs: &mut [&mut [f64]],
    threads: usize,
    kernel: F,
    first_non_finite: &mut [Option<usize>],
) -> Result<(), BatchError>
where
    F: Fn(&[f64], &Params, &mut [f64], &mut Workspace) -> KResult<Option<usize>> + Sync,
{
    let checks = BatchChecks {
        growth: Some(first_non_finite),
        prices: false,
    };
    compute_atc_batch_checks_with(series, params, outs, threads, kernel, checks)
}

/// What the batch's threads check besides computing ([`compute_atc_batch_checks_with`]).
#[derive(Debug, Default)]
pub struct BatchChecks<'a> {
    /// Per series, the growth check: `growth[i]` = the kernel's verdict (`compute_atc`'s, the
    /// same as [`first_non_finite_bar`](crate::first_non_finite_bar) of `outs[i]`; `None`: all
    /// finite), as in [`compute_atc_batch_checked_with`]. Its length must equal the number of
    /// series ([`BatchError::CountMismatch`]).
    pub growth: Option<&'a mut [Option<usize>]>,
    /// Check every price (finite and > 0) first, on the threads: if any series has a bad price,
    /// nothing is computed and the batch fails with [`BatchError::BadPrice`] naming the lowest
    /// such series. (The kernels compute any finite input; core refuses these prices, and this
    /// check gives its verdict without a scan on the caller's thread.)
    pub prices: bool,
}

/// True when every price is finite and > 0 (branch-free within each block of 64, so the
/// comparison vectorises; NaN fails both comparisons).
fn prices_ok(prices: &[f64]) -> bool {
    prices.chunks(64).all(|block| {
        block
            .iter()
            .fold(true, |ok, &v| ok & (v > 0.0) & (v < f64::INFINITY))
    })
}

/// One series' output and its growth-check report, claimed by the worker that computes it.
type Slot<'a> = (&'a mut [f64], &'a mut Option<usize>);

/// [`compute_atc_batch_with`] plus the checks in `checks`, run by the batch's own threads:
/// validation, then on `threads` threads the price check (when `checks.prices`: every series
/// is checked before any is computed) and the series, each one's growth-check verdict (the
/// kernel's) stored when `checks.growth` is given.
pub fn compute_atc_batch_checks_with<F>(
    series: &[&[f64]],
    params: &Params,
    outs: &mut [&mut [f64]],
    threads: usize,
    kernel: F,
    checks: BatchChecks<'_>,
) -> Result<(), BatchError>
where
    F: Fn(&[f64], &Params, &mut [f64], &mut Workspace) -> KResult<Option<usize>> + Sync,
{
    if let Some(growth) = &checks.growth {
        if growth.len() != series.len() {
            return Err(BatchError::CountMismatch {
                series: series.len(),
                outs: growth.len(),
            });
        }
    }
    let lens: Vec<usize> = outs.iter().map(|o| o.len()).collect();
    check_atc_batch(series, params, &lens)?;
    let count = series.len();
    if count == 0 {
        return Ok(());
    }
    // Longest first: the last series handed out are the short ones, which balances the tail.
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| series[b].len().cmp(&series[a].len()));
    // Each output (with its check slot) is taken exactly once, by the worker that claims its index.
    let check_prices = checks.prices;
    let mut no_checks: Vec<Option<usize>> = Vec::new();
    let check_slots = match checks.growth {
        Some(c) => c,
        None => {
            no_checks.resize(count, None);
            &mut no_checks[..]
        }
    };
    let slots: Vec<Mutex<Option<Slot<'_>>>> = outs
        .iter_mut()
        .zip(check_slots.iter_mut())
        .map(|(o, c)| Mutex::new(Some((&mut **o, c))))
        .collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_error: Mutex<Option<BatchError>> = Mutex::new(None);
    // The price check: series claimed one by one as below; `checked` counts finished checks,
    // and every thread waits for all of them (whoever did them) before computing anything.
    // Waiting on the count, not on a barrier of threads, cannot hang when a thread was not
    // created, and nothing in a check can panic.
    let next_check = AtomicUsize::new(0);
    let checked = AtomicUsize::new(0);
    let bad_price = AtomicUsize::new(usize::MAX);

    let worker = || {
        if check_prices {
            loop {
                let index = next_check.fetch_add(1, Ordering::Relaxed);
                if index >= count {
                    break;
                }
                if !prices_ok(series[index]) {
                    bad_price.fetch_min(index, Ordering::Relaxed);
                }
                checked.fetch_add(1, Ordering::Release);
            }
            while checked.load(Ordering::Acquire) < count {
                // (the last checks are a few µs away; yield in case their thread is descheduled)
                hint::spin_loop();
                thread::yield_now();
            }
            if bad_price.load(Ordering::Relaxed) != usize::MAX {
                return;
            }
        }
        let mut ws = Workspace::new();
        while !stop.load(Ordering::Relaxed) {
            let claim = next.fetch_add(1, Ordering::Relaxed);
            let Some(&index) = order.get(claim) else {
                return;
            };
            let slot = match slots[index].lock() {
                Ok(mut slot) => slot.take(),
                Err(poisoned) => poisoned.into_inner().take(),
            };
            let Some((out, check)) = slot else {
                continue;
            };
            let result = catch_unwind(AssertUnwindSafe(|| {
                *check = kernel(series[index], params, out, &mut ws)?;
                Ok(())
            }));
            let error = match result {
                Ok(Ok(())) => continue,
                Ok(Err(error)) => BatchError::Kernel { index, error },
                Err(payload) => BatchError::Panic {
                    index,
                    message: panic_message(payload.as_ref()),
                },
            };
            stop.store(true, Ordering::Relaxed);
            let mut first = match first_error.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            if first.is_none() {
                *first = Some(error);
            }
            return;
        }
    };

    let threads = threads.clamp(1, count);
    thread::scope(|scope| {
        for _ in 1..threads {
            // A thread that cannot be created is simply not needed: the others (and the
            // calling thread) take its share from the counter.
            if thread::Builder::new().spawn_scoped(scope, worker).is_err() {
                break;
            }
        }
        worker();
    });
    let bad = bad_price.into_inner();
    if bad != usize::MAX {
        return Err(BatchError::BadPrice { index: bad });
    }
    let first = match first_error.into_inner() {
        Ok(e) => e,
        Err(poisoned) => poisoned.into_inner(),
    };
    match first {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}
