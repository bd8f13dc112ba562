//! Node-API binding of `atc-kernels` on napi-rs. Each export converts its arguments
//! ([`args`]: `TypeError` / `RangeError` naming the argument), checks that no output shares
//! memory with another argument ([`overlap`]), and calls one kernel; everything numeric lives
//! in the kernel crate.
//!
//! * Typed arrays are read and written zero-copy; outputs are the caller's arrays (JS owns
//!   allocation; `batchOutputs` lends it reused memory for batches, [`outputs`]), and the
//!   function exports return `undefined` (`computeAtcBatch`: −1 or a refused series' index).
//! * The streaming classes `NativeStream` / `NativeStreamSet` ([`stream`]) keep a stream's
//!   state in the Rust object napi-rs wraps into the JS instance (freed with it).
//! * Every export is `catch_unwind`: a Rust panic becomes a JS `Error`, never an abort.
//! * Scratch memory is thread-local ([`with_scratch`]): repeated calls allocate nothing and the
//!   addon loads in several `worker_threads` (no mutable state is shared between threads).
//! * `computeAtc` / `computeAtcBatch` run the AVX2 twin of the pipeline when the CPU has it
//!   ([`isa`]); `computeAtcBatch` spreads series over Rust threads (`std::thread::scope`).
//!
//! Caveat: a typed array backed by a `SharedArrayBuffer` that another thread writes *during* a
//! call is a data race this binding cannot prevent (Node-API cannot lock it); pass ordinary
//! (or quiescent) buffers.
//!
//! Memory validity, the invariant behind every `as_mut` below: a typed array's data pointer
//! stays valid while the export runs (its handle lives in the call's scope, and no JavaScript
//! runs between the conversion and the return, so nothing can detach or resize the buffer),
//! and `overlap::check_exclusive` has proved that no output overlaps another argument. V8
//! places every typed array at a multiple of its element size, which the slices rely on.

mod args;
mod batch;
mod isa;
mod outputs;
mod overlap;
mod stream;

use std::cell::RefCell;

use atc_kernels as k;
use napi::bindgen_prelude::{Env, Unknown};
use napi_derive::napi;

use args::{
    boolean, elements, f64_array, finite, i8_array, integer, labelled, number, optional, throw,
    u8_array, Failure, Label, Outcome,
};
use overlap::{check_exclusive, writable, writable_all, Region};

/// Runs an export's body and throws its failure as the JS error it names.
fn run<T>(env: &Env, body: impl FnOnce() -> Outcome<T>) -> napi::Result<T> {
    body().map_err(|f| throw(env, f))
}

/// Per-thread scratch: the pipeline's workspace, HMA's intermediate series, and the detail
/// outputs `computeAtc` needs when the caller asked for only some of them.
#[derive(Default)]
struct Scratch {
    ws: k::Workspace,
    hma: Vec<f64>,
    mas: Vec<f64>,
    signals: Vec<i8>,
    equities: Vec<f64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch. (No export re-enters another, so it is never borrowed
/// twice; if it were, the `RefCell` panic would surface as a JS `Error`.)
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with_borrow_mut(f)
}

fn grow<T: Copy + Default>(v: &mut Vec<T>, len: usize) -> &mut [T] {
    if v.len() < len {
        v.resize(len, T::default());
    }
    &mut v[..len]
}

/// `movingAverage(kind, source, length, out)`: kind 0 SMA, 1 EMA, 2 WMA, 3 HMA, 4 DEMA,
/// 5 LSMA, 6 KAMA.
#[napi(js_name = "movingAverage", catch_unwind)]
pub fn moving_average(
    env: &Env,
    #[napi(ts_arg_type = "number")] kind: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] source: Unknown<'_>,
    #[napi(ts_arg_type = "number")] length: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
) -> napi::Result<()> {
    run(env, || {
        let code = integer(kind, "kind", 0)?;
        let kind = u32::try_from(code)
            .ok()
            .and_then(k::MaKind::from_index)
            .ok_or_else(|| {
                Failure::Range(format!(
                    "kind must be an integer between 0 and 6 (got {code})"
                ))
            })?;
        let source = f64_array(source, "source")?;
        let length = integer(length, "length", 1)?;
        let mut out = f64_array(out, "out")?;
        let o = writable(&mut out, "out", [Region::input("source", &source)])?;
        if kind == k::MaKind::Hma {
            with_scratch(|s| k::hma_with_scratch(&source, length, o, &mut s.hma))?;
        } else {
            k::moving_average(kind, &source, length, o)?;
        }
        Ok(())
    })
}

/// `rateOfChange(prices, out)`.
#[napi(js_name = "rateOfChange", catch_unwind)]
pub fn rate_of_change(
    env: &Env,
    #[napi(ts_arg_type = "Float64Array")] prices: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
) -> napi::Result<()> {
    run(env, || {
        let prices = f64_array(prices, "prices")?;
        let mut out = f64_array(out, "out")?;
        let o = writable(&mut out, "out", [Region::input("prices", &prices)])?;
        Ok(k::rate_of_change(&prices, o)?)
    })
}

/// `scaledReturns(prices, lambdaScaled, out)`.
#[napi(js_name = "scaledReturns", catch_unwind)]
pub fn scaled_returns(
    env: &Env,
    #[napi(ts_arg_type = "Float64Array")] prices: Unknown<'_>,
    #[napi(ts_arg_type = "number")] lambda_scaled: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
) -> napi::Result<()> {
    run(env, || {
        let prices = f64_array(prices, "prices")?;
        let lambda = finite(lambda_scaled, "lambdaScaled")?;
        let mut out = f64_array(out, "out")?;
        let o = writable(&mut out, "out", [Region::input("prices", &prices)])?;
        Ok(k::scaled_returns(&prices, lambda, o)?)
    })
}

/// `crossoverSignal(prices, ma, out)`.
#[napi(js_name = "crossoverSignal", catch_unwind)]
pub fn crossover_signal(
    env: &Env,
    #[napi(ts_arg_type = "Float64Array")] prices: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] ma: Unknown<'_>,
    #[napi(ts_arg_type = "Int8Array")] out: Unknown<'_>,
) -> napi::Result<()> {
    run(env, || {
        let prices = f64_array(prices, "prices")?;
        let ma = f64_array(ma, "ma")?;
        let mut out = i8_array(out, "out")?;
        let o = writable(
            &mut out,
            "out",
            [Region::input("prices", &prices), Region::input("ma", &ma)],
        )?;
        Ok(k::crossover_signal(&prices, &ma, o)?)
    })
}

/// `persistSignal(up, down, out)`.
#[napi(js_name = "persistSignal", catch_unwind)]
pub fn persist_signal(
    env: &Env,
    #[napi(ts_arg_type = "Uint8Array")] up: Unknown<'_>,
    #[napi(ts_arg_type = "Uint8Array")] down: Unknown<'_>,
    #[napi(ts_arg_type = "Int8Array")] out: Unknown<'_>,
) -> napi::Result<()> {
    run(env, || {
        let up = u8_array(up, "up")?;
        let down = u8_array(down, "down")?;
        let mut out = i8_array(out, "out")?;
        let o = writable(
            &mut out,
            "out",
            [Region::input("up", &up), Region::input("down", &down)],
        )?;
        Ok(isa::persist_signal(&up, &down, o)?)
    })
}

/// `equityCurve(returns, signal, startingEquity, decayMultiplier, cutout, out)`; `signal` is
/// unshifted (the kernel applies the one-bar lag).
#[napi(js_name = "equityCurve", catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn equity_curve(
    env: &Env,
    #[napi(ts_arg_type = "Float64Array")] returns: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] signal: Unknown<'_>,
    #[napi(ts_arg_type = "number")] starting_equity: Unknown<'_>,
    #[napi(ts_arg_type = "number")] decay_multiplier: Unknown<'_>,
    #[napi(ts_arg_type = "number")] cutout: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
) -> napi::Result<()> {
    run(env, || {
        let returns = f64_array(returns, "returns")?;
        let signal = f64_array(signal, "signal")?;
        let start = number(starting_equity, "startingEquity")?;
        let decay = number(decay_multiplier, "decayMultiplier")?;
        let cutout = integer(cutout, "cutout", 0)?;
        let mut out = f64_array(out, "out")?;
        let o = writable(
            &mut out,
            "out",
            [
                Region::input("returns", &returns),
                Region::input("signal", &signal),
            ],
        )?;
        Ok(k::equity_curve(&returns, &signal, start, decay, cutout, o)?)
    })
}

/// `layer1Signal(signals, equities, out)`: rows × n row-major inputs, n = `out.length`.
#[napi(js_name = "layer1Signal", catch_unwind)]
pub fn layer1_signal(
    env: &Env,
    #[napi(ts_arg_type = "Int8Array")] signals: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] equities: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
) -> napi::Result<()> {
    run(env, || {
        let signals = i8_array(signals, "signals")?;
        let equities = f64_array(equities, "equities")?;
        let mut out = f64_array(out, "out")?;
        let o = writable(
            &mut out,
            "out",
            [
                Region::input("signals", &signals),
                Region::input("equities", &equities),
            ],
        )?;
        Ok(k::layer1_signal(&signals, &equities, o)?)
    })
}

/// `computeAtc(prices, params, out, mas?, signals?, equities?)`: the whole pipeline for one
/// series. `params` is core's packed config (`atc_kernels::PACKED_LEN` doubles); `out` holds
/// 13·m values and each detail array 54·m (m = n − cutout, or n for Pine semantics:
/// `Params::output_bars`). Detail arrays not passed go to
/// per-thread scratch when another one is. Returns core's growth check on `out`, found in the
/// pipeline's last loop: the first output bar whose Layer-1 signals or Layer-2 sum is not
/// finite, −1 if none (`atc_kernels::compute_atc`).
#[napi(js_name = "computeAtc", catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn compute_atc(
    env: &Env,
    #[napi(ts_arg_type = "Float64Array")] prices: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] params: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | null | undefined")] mas: Unknown<'_>,
    #[napi(ts_arg_type = "Int8Array | null | undefined")] signals: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | null | undefined")] equities: Unknown<'_>,
) -> napi::Result<f64> {
    run(env, || {
        let prices = f64_array(prices, "prices")?;
        let params = k::Params::from_packed(&f64_array(params, "params")?)?;
        let mut out = f64_array(out, "out")?;
        let mut mas = optional(mas, "mas", f64_array)?;
        let mut signals = optional(signals, "signals", i8_array)?;
        let mut equities = optional(equities, "equities", f64_array)?;
        // (an absent detail array is an empty region, which overlaps nothing)
        check_exclusive(&mut [
            Region::input("prices", &prices),
            Region::output("out", &out),
            Region::output("mas", mas.as_deref().unwrap_or_default()),
            Region::output("signals", signals.as_deref().unwrap_or_default()),
            Region::output("equities", equities.as_deref().unwrap_or_default()),
        ])?;
        // SAFETY (all four): see the crate docs (valid for the call, exclusive).
        let out = unsafe { out.as_mut() };
        let mas = mas.as_mut().map(|a| unsafe { a.as_mut() });
        let signals = signals.as_mut().map(|a| unsafe { a.as_mut() });
        let equities = equities.as_mut().map(|a| unsafe { a.as_mut() });
        let verdict = with_scratch(|s| {
            if mas.is_none() && signals.is_none() && equities.is_none() {
                return isa::compute_atc(&prices, &params, out, None, &mut s.ws);
            }
            let len = k::DETAIL_ROWS * params.output_bars(prices.len());
            let detail = (
                mas.unwrap_or_else(|| grow(&mut s.mas, len)),
                signals.unwrap_or_else(|| grow(&mut s.signals, len)),
                equities.unwrap_or_else(|| grow(&mut s.equities, len)),
            );
            isa::compute_atc(&prices, &params, out, Some(detail), &mut s.ws)
        })?;
        Ok(verdict.map_or(-1.0, |bar| bar as f64))
    })
}

/// `computeAtcBatch(series, params, outs, threads, nonFinite?, checkPrices?)`: `computeAtc(series[i],
/// params, outs[i])` for every `i` on `min(threads, series.length)` Rust threads, same bits as
/// one call each. With `nonFinite` (a Float64Array of `series.length`), each thread also runs
/// core's growth check on the outputs it just wrote: `nonFinite[i]` = the first output bar whose
/// Layer-1 signals or Layer-2 sum is not finite, −1 if none (the verdict `compute_atc` returns,
/// the same as `atc_kernels::first_non_finite_bar` scanning the outputs).
/// With `checkPrices: true`, the threads first check every price (finite, > 0; core's rule)
/// and compute nothing if one is bad. Returns −1, or the lowest index of a series with a bad
/// price (only with `checkPrices`; then nothing is written). Every argument is converted and
/// checked on the JS thread before any work starts; the call returns when every series is
/// done. A panic in a worker thread becomes an `Error` naming the series.
#[napi(js_name = "computeAtcBatch", catch_unwind)]
pub fn compute_atc_batch(
    env: &Env,
    #[napi(ts_arg_type = "readonly Float64Array[]")] series: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] params: Unknown<'_>,
    #[napi(ts_arg_type = "readonly Float64Array[]")] outs: Unknown<'_>,
    #[napi(ts_arg_type = "number")] threads: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | null | undefined")] non_finite: Unknown<'_>,
    #[napi(ts_arg_type = "boolean | null | undefined")] check_prices: Unknown<'_>,
) -> napi::Result<f64> {
    run(env, || {
        // Array getters may run JavaScript: fetch every element before borrowing any memory.
        let series = elements(series, "series")?;
        let outs = elements(outs, "outs")?;
        let params = k::Params::from_packed(&f64_array(params, "params")?)?;
        let threads = integer(threads, "threads", 1)?;
        let series = labelled(series, "series", f64_array)?;
        let mut outs = labelled(outs, "outs", f64_array)?;
        let mut non_finite = optional(non_finite, "nonFinite", f64_array)?;
        let check_prices = optional(check_prices, "checkPrices", boolean)?.unwrap_or(false);
        if let Some(nf) = &non_finite {
            if nf.len() != series.len() {
                return Err(Failure::Range(format!(
                    "nonFinite has {} entries but series has {}; they must match",
                    nf.len(),
                    series.len()
                )));
            }
        }
        let mut regions: Vec<Region> = (0..)
            .zip(&series)
            .map(|(i, s)| Region::input(Label::at("series", i), s))
            .collect();
        // (an absent report is an empty region, which overlaps nothing)
        regions.push(Region::output(
            "nonFinite",
            non_finite.as_deref().unwrap_or_default(),
        ));
        // (the worker threads use these slices only while this call blocks the JS thread)
        let mut os = writable_all(&mut outs, "outs", regions)?;
        let xs: Vec<&[f64]> = series.iter().map(|s| &**s).collect();
        let kernel = |x: &[f64], p: &k::Params, o: &mut [f64], ws: &mut k::Workspace| {
            isa::compute_atc(x, p, o, None, ws)
        };
        // SAFETY: see the crate docs (valid for the call; exclusive: checked above).
        let nf = non_finite.as_mut().map(|nf| unsafe { nf.as_mut() });
        let mut bars = vec![None; nf.as_ref().map_or(0, |nf| nf.len())];
        let checks = k::BatchChecks {
            growth: nf.is_some().then_some(&mut bars[..]),
            prices: check_prices,
        };
        let result =
            k::compute_atc_batch_checks_with(&xs, &params, &mut os, threads, kernel, checks);
        if let (Some(nf), Ok(())) = (nf, &result) {
            for (slot, bar) in nf.iter_mut().zip(bars) {
                *slot = bar.map_or(-1.0, |b| b as f64);
            }
        }
        batch::outcome(result)
    })
}

/// `version()`: the crate version.
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// `__panicForTest()`: panics inside the binding (tests prove it surfaces as a JS `Error`).
#[napi(js_name = "__panicForTest", catch_unwind)]
pub fn panic_for_test() {
    panic!("deliberate panic from __panicForTest");
}
