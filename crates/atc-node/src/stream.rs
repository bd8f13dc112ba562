//! The streaming classes (docs/streaming.md): `NativeStream` steps one series bar by bar,
//! `NativeStreamSet` steps many series of one config with one call per bar. The state lives in
//! the Rust object that napi-rs wraps into the JS instance (dropped when the instance is
//! collected); each step writes its outputs into the caller's `out`.
//!
//! A step is a per-bar call, so a method does the least it can: one Node-API call per argument,
//! the exclusive-memory check, the kernel step. Statuses are numbers: `push` / `replaceLast`
//! return core's `STEP_OK` (0) or `STEP_NOT_FINITE` (1); `pushMany` and the set's steps return
//! −1 or the offset of the first bar (stream) whose outputs are not finite, with nothing
//! committed.

use atc_kernels as k;
use napi::bindgen_prelude::{Env, Float64Array, Unknown};
use napi_derive::napi;

use crate::args::{f64_array, integer, number, Outcome};
use crate::overlap::{writable, Region};
use crate::run;

/// `StepStatus` as core's `STEP_OK` / `STEP_NOT_FINITE`.
fn status(s: k::StepStatus) -> u32 {
    match s {
        k::StepStatus::Ok => 0,
        k::StepStatus::NotFinite => 1,
    }
}

/// `None` (every bar or stream committed) as −1, else the offending offset.
fn first_not_finite(at: Option<usize>) -> f64 {
    at.map_or(-1.0, |i| i as f64)
}

/// The body of `push` / `replaceLast`: reads `close` and `out`, runs the kernel's step.
fn step_bar(
    close: Unknown<'_>,
    out: Unknown<'_>,
    step: impl FnOnce(f64, &mut [f64]) -> k::KResult<k::StepStatus>,
) -> Outcome<u32> {
    let close = number(close, "close")?;
    let mut out = f64_array(out, "out")?;
    let o = writable(&mut out, "out", [])?;
    Ok(status(step(close, o)?))
}

/// The body of the steps that take `closes` (a stream's `pushMany`, a set's `push` /
/// `replaceLast`): `out` must not overlap `closes`; −1 or the first offending offset.
fn step_closes(
    closes: Unknown<'_>,
    out: Unknown<'_>,
    step: impl FnOnce(&[f64], &mut [f64]) -> k::KResult<Option<usize>>,
) -> Outcome<f64> {
    let closes = f64_array(closes, "closes")?;
    let mut out = f64_array(out, "out")?;
    let o = writable(&mut out, "out", [Region::input("closes", &closes)])?;
    Ok(first_not_finite(step(&closes, o)?))
}

/// Threads for one bar of a set of `count` streams: every core from 2,048 streams on (a
/// thread costs tens of µs to start; one bar of 2,048 streams is ≈ 3 ms), else the caller's.
fn set_threads(count: usize) -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if count < 2048 {
        return 1;
    }
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Decodes the `params` argument (core's `packConfig`).
fn params(packed: Unknown<'_>) -> Outcome<k::Params> {
    Ok(k::Params::from_packed(&f64_array(packed, "params")?)?)
}

/// A new `Vec` of `len` zeros the kernel fills, returned as a JS `Float64Array` (no copy:
/// napi-rs hands the allocation to the array buffer).
fn exported(len: usize, fill: impl FnOnce(&mut [f64]) -> k::KResult) -> Outcome<Float64Array> {
    let mut state = vec![0.0; len];
    fill(&mut state)?;
    Ok(Float64Array::new(state))
}

/// One ATC stream: `new NativeStream(params)` or `NativeStream.restore(params, bars, state)`.
#[napi]
pub struct NativeStream {
    inner: k::AtcStream,
    state_len: usize,
}

#[napi]
impl NativeStream {
    /// `new NativeStream(params)`: a stream at bar 0 for core's packed config.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: &Env,
        #[napi(ts_arg_type = "Float64Array")] params: Unknown<'_>,
    ) -> napi::Result<Self> {
        run(env, || {
            let p = self::params(params)?;
            Ok(NativeStream {
                inner: k::AtcStream::new(&p)?,
                state_len: k::AtcStream::state_len(&p)?,
            })
        })
    }

    /// `NativeStream.restore(params, bars, state)`: a stream that has seen `bars` bars, from
    /// its canonical state vector (`exportState()` of any backend).
    #[napi(factory, catch_unwind)]
    pub fn restore(
        env: &Env,
        #[napi(ts_arg_type = "Float64Array")] params: Unknown<'_>,
        #[napi(ts_arg_type = "number")] bars: Unknown<'_>,
        #[napi(ts_arg_type = "Float64Array")] state: Unknown<'_>,
    ) -> napi::Result<Self> {
        run(env, || {
            let p = self::params(params)?;
            let bars = integer(bars, "bars", 0)? as u64;
            let state = f64_array(state, "state")?;
            Ok(NativeStream {
                inner: k::AtcStream::from_state(&p, bars, &state)?,
                state_len: k::AtcStream::state_len(&p)?,
            })
        })
    }

    /// Bars stepped so far.
    #[napi(getter)]
    pub fn length(&self) -> f64 {
        self.inner.len() as f64
    }

    /// `push(close, out)`: steps the next bar, its 13 outputs into `out`; 0 (committed) or 1
    /// (an output not finite: written, state unchanged).
    #[napi(catch_unwind)]
    pub fn push(
        &mut self,
        env: &Env,
        #[napi(ts_arg_type = "number")] close: Unknown<'_>,
        #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
    ) -> napi::Result<u32> {
        run(env, || step_bar(close, out, |c, o| self.inner.push(c, o)))
    }

    /// `replaceLast(close, out)`: steps the last bar again with `close`; same as `push`.
    #[napi(js_name = "replaceLast", catch_unwind)]
    pub fn replace_last(
        &mut self,
        env: &Env,
        #[napi(ts_arg_type = "number")] close: Unknown<'_>,
        #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
    ) -> napi::Result<u32> {
        run(env, || {
            step_bar(close, out, |c, o| self.inner.replace_last(c, o))
        })
    }

    /// `pushMany(closes, out)`: steps `closes.length` bars, `out` 13 rows × k row-major;
    /// −1, or the offset of the first bar whose outputs are not finite (nothing committed).
    #[napi(js_name = "pushMany", catch_unwind)]
    pub fn push_many(
        &mut self,
        env: &Env,
        #[napi(ts_arg_type = "Float64Array")] closes: Unknown<'_>,
        #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
    ) -> napi::Result<f64> {
        run(env, || {
            step_closes(closes, out, |c, o| {
                crate::isa::stream_push_many(&mut self.inner, c, o)
            })
        })
    }

    /// `exportState()`: the canonical state vector (docs/streaming.md), a new array.
    #[napi(js_name = "exportState", catch_unwind)]
    pub fn export_state(&self, env: &Env) -> napi::Result<Float64Array> {
        run(env, || {
            exported(self.state_len, |s| self.inner.export_state(s))
        })
    }
}

/// `computeLongSeries(prices, params, out)`: `computeAtc` without details on the long-series
/// path (docs/architecture.md "Long series"), the chunk loop in Rust (`compute_long`): a stream
/// over `prices`, its output bars written straight into `out` (13·m values, as `computeAtc`).
/// −1, or the input bar whose outputs are not finite (its column and the earlier ones written).
#[napi(js_name = "computeLongSeries", catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // reached through the napi registration, absent in unit tests
pub fn compute_long_series(
    env: &Env,
    #[napi(ts_arg_type = "Float64Array")] prices: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] params: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
) -> napi::Result<f64> {
    run(env, || {
        let prices = f64_array(prices, "prices")?;
        let p = self::params(params)?;
        let mut out = f64_array(out, "out")?;
        let o = writable(&mut out, "out", [Region::input("prices", &prices)])?;
        prefault(o);
        let bad = k::compute_long(&p, &prices, o, &mut |s, c, o| {
            crate::isa::stream_push_many(s, c, o)
        })?;
        Ok(first_not_finite(bad))
    })
}

/// Faults the pages of a large output in with one system call before the stream writes them
/// (`MADV_POPULATE_WRITE`, Linux ≥ 5.14): a fresh 10⁷-bar output is ~1 GB of untouched pages,
/// and taking their faults one write at a time cost ~6 ns per bar more (issue 17, item 5).
/// Elsewhere, or when the kernel refuses (an older kernel: `EINVAL`), nothing happens and the
/// writes fault the pages in as before.
#[cfg(target_os = "linux")]
#[cfg_attr(test, allow(dead_code))]
fn prefault(out: &mut [f64]) {
    use std::ffi::{c_int, c_void};
    const MADV_POPULATE_WRITE: c_int = 23;
    const PAGE: usize = 4096;
    extern "C" {
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
    let first = out.as_mut_ptr() as usize;
    let (start, end) = (
        first.next_multiple_of(PAGE),
        (first + std::mem::size_of_val(out)) & !(PAGE - 1),
    );
    if end >= start + (64 << 20) {
        // SAFETY: `[start, end)` lies inside `out`, which this call borrows exclusively
        // (`writable`); MADV_POPULATE_WRITE only makes its pages present and writable, as a write
        // to each would, and changes no byte; its result is ignored (a refusal changes nothing).
        unsafe {
            madvise(start as *mut c_void, end - start, MADV_POPULATE_WRITE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
#[cfg_attr(test, allow(dead_code))]
fn prefault(_out: &mut [f64]) {}

/// `count` streams of one config stepped together: `new NativeStreamSet(params, count)`; a
/// bar of a large set is stepped on every core (`StreamSet::push_threads`, same bits).
#[napi]
pub struct NativeStreamSet {
    inner: k::StreamSet,
    state_len: usize,
}

#[napi]
impl NativeStreamSet {
    /// `new NativeStreamSet(params, count)`: `count` streams at bar 0.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: &Env,
        #[napi(ts_arg_type = "Float64Array")] params: Unknown<'_>,
        #[napi(ts_arg_type = "number")] count: Unknown<'_>,
    ) -> napi::Result<Self> {
        run(env, || {
            let p = self::params(params)?;
            let count = integer(count, "count", 1)?;
            Ok(NativeStreamSet {
                inner: k::StreamSet::new(&p, count)?,
                state_len: k::AtcStream::state_len(&p)?,
            })
        })
    }

    /// Streams in the set.
    #[napi(getter)]
    pub fn count(&self) -> u32 {
        // (at most 2^32 − 1: `integer` bounds it at construction)
        self.inner.count() as u32
    }

    /// Bars stepped so far (the same for every stream).
    #[napi(getter)]
    pub fn length(&self) -> f64 {
        self.inner.len() as f64
    }

    /// `push(closes, out)`: one close per stream, `out` 13 rows × count row-major; −1, or the
    /// index of the first stream whose outputs are not finite (no stream committed).
    #[napi(catch_unwind)]
    pub fn push(
        &mut self,
        env: &Env,
        #[napi(ts_arg_type = "Float64Array")] closes: Unknown<'_>,
        #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
    ) -> napi::Result<f64> {
        run(env, || {
            step_closes(closes, out, |c, o| {
                self.inner.push_threads(c, o, set_threads(c.len()))
            })
        })
    }

    /// `replaceLast(closes, out)`: the last bar of every stream again; same as `push`.
    #[napi(js_name = "replaceLast", catch_unwind)]
    pub fn replace_last(
        &mut self,
        env: &Env,
        #[napi(ts_arg_type = "Float64Array")] closes: Unknown<'_>,
        #[napi(ts_arg_type = "Float64Array")] out: Unknown<'_>,
    ) -> napi::Result<f64> {
        run(env, || {
            step_closes(closes, out, |c, o| self.inner.replace_last(c, o))
        })
    }

    /// `exportState(index)`: stream `index`'s canonical state vector, a new array.
    #[napi(js_name = "exportState", catch_unwind)]
    pub fn export_state(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "number")] index: Unknown<'_>,
    ) -> napi::Result<Float64Array> {
        run(env, || {
            let index = integer(index, "index", 0)?;
            exported(self.state_len, |s| self.inner.export_state(index, s))
        })
    }
}
