//! The streaming classes (docs/streaming.md): `WasmStream` steps one series bar by bar,
//! `WasmStreamSet` steps many series of one config with one call per bar. Each instance's state
//! lives in linear memory until the JS object's `free()` (or wasm-bindgen's finalizer) drops
//! it. Inputs arrive as copies (slices); each step's outputs are written into scratch and
//! copied out once, like every other export.
//!
//! Statuses are numbers: `push` / `replaceLast` return core's `STEP_OK` (0) or
//! `STEP_NOT_FINITE` (1); `pushMany` and the set's steps return −1 or the offset of the first
//! bar (stream) whose outputs are not finite, with nothing committed.

use atc_kernels::{AtcStream, KResult, Params, StepStatus, StreamSet, OUT_ROWS};
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

use crate::errors::{kernel_error, range_error};
use crate::scratch::with_scratch;

/// `StepStatus` as core's `STEP_OK` / `STEP_NOT_FINITE`.
fn status(s: StepStatus) -> u32 {
    match s {
        StepStatus::Ok => 0,
        StepStatus::NotFinite => 1,
    }
}

/// `None` (every bar or stream committed) as −1, else the offending offset.
fn first_not_finite(at: Option<usize>) -> f64 {
    at.map_or(-1.0, |i| i as f64)
}

/// Runs a one-bar `step` into 13 values on the stack, then copies them into `out[0..13]` (also
/// when the step reports outputs that are not finite: they are written, only the state is
/// unchanged). A longer `out` keeps its other values, as with the native binding's in-place
/// write; a shorter one reaches the kernel's length check.
fn stepped_bar(
    export: &'static str,
    out: &Float64Array,
    step: impl FnOnce(&mut [f64]) -> KResult<StepStatus>,
) -> Result<u32, JsValue> {
    let mut values = [0.0; OUT_ROWS];
    let len = out.length();
    let outcome =
        step(&mut values[..(len as usize).min(OUT_ROWS)]).map_err(kernel_error(export))?;
    if len as usize == OUT_ROWS {
        out.copy_from(&values);
    } else {
        out.subarray(0, OUT_ROWS as u32).copy_from(&values);
    }
    Ok(status(outcome))
}

/// Runs `step` with scratch the size of `out`, then copies the outputs into `out` (also when the
/// step reports outputs that are not finite: they are written, only the state is unchanged).
fn stepped<T>(
    export: &'static str,
    out: &Float64Array,
    step: impl FnOnce(&mut [f64]) -> KResult<T>,
) -> Result<T, JsValue> {
    with_scratch(|s| {
        let o = s.f64_out(out)?;
        let result = step(o).map_err(kernel_error(export))?;
        out.copy_from(o);
        Ok(result)
    })
}

/// A count or index from JS: an integer in `[min, 2^32 − 1]`, refused otherwise (wasm-bindgen's
/// own `u32` conversion would wrap −1 and truncate 2.5 silently).
fn whole(export: &str, name: &str, value: f64, min: u32) -> Result<u32, JsValue> {
    if value >= f64::from(min) && value.fract() == 0.0 && value <= f64::from(u32::MAX) {
        Ok(value as u32)
    } else {
        Err(range_error(
            export,
            format_args!(
                "{name} must be an integer between {min} and {} (got {value})",
                u32::MAX
            ),
        ))
    }
}

/// A new array of `len` values the kernel fills (wasm-bindgen copies it out as a `Float64Array`).
fn exported(
    export: &'static str,
    len: usize,
    fill: impl FnOnce(&mut [f64]) -> KResult,
) -> Result<Vec<f64>, JsValue> {
    let mut state = vec![0.0; len];
    fill(&mut state).map_err(kernel_error(export))?;
    Ok(state)
}

/// One ATC stream: `new WasmStream(packedConfig)` or `WasmStream.restore(packedConfig, bars, state)`.
#[wasm_bindgen]
pub struct WasmStream {
    inner: AtcStream,
    state_len: usize,
}

#[wasm_bindgen]
impl WasmStream {
    /// A stream at bar 0 for core's packed config.
    #[wasm_bindgen(constructor)]
    pub fn new(packed_config: &[f64]) -> Result<WasmStream, JsValue> {
        let fail = kernel_error("WasmStream");
        let params = Params::from_packed(packed_config).map_err(&fail)?;
        Ok(WasmStream {
            inner: AtcStream::new(&params).map_err(&fail)?,
            state_len: AtcStream::state_len(&params).map_err(&fail)?,
        })
    }

    /// A stream that has seen `bars` bars, from its canonical state vector (`exportState()` of
    /// any backend).
    pub fn restore(packed_config: &[f64], bars: f64, state: &[f64]) -> Result<WasmStream, JsValue> {
        const NAME: &str = "WasmStream.restore";
        let fail = kernel_error(NAME);
        let params = Params::from_packed(packed_config).map_err(&fail)?;
        let bars = whole(NAME, "bars", bars, 0)?;
        Ok(WasmStream {
            inner: AtcStream::from_state(&params, u64::from(bars), state).map_err(&fail)?,
            state_len: AtcStream::state_len(&params).map_err(&fail)?,
        })
    }

    /// Bars stepped so far.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> f64 {
        self.inner.len() as f64
    }

    /// Steps the next bar, its 13 outputs into `out`; 0 (committed) or 1 (an output not
    /// finite: written, state unchanged).
    pub fn push(&mut self, close: f64, out: &Float64Array) -> Result<u32, JsValue> {
        stepped_bar("WasmStream.push", out, |o| self.inner.push(close, o))
    }

    /// Steps the last bar again with `close`; same as `push`.
    #[wasm_bindgen(js_name = replaceLast)]
    pub fn replace_last(&mut self, close: f64, out: &Float64Array) -> Result<u32, JsValue> {
        stepped_bar("WasmStream.replaceLast", out, |o| {
            self.inner.replace_last(close, o)
        })
    }

    /// Steps `closes.length` bars, `out` 13 rows × k row-major; −1, or the offset of the first
    /// bar whose outputs are not finite (nothing committed).
    #[wasm_bindgen(js_name = pushMany)]
    pub fn push_many(&mut self, closes: &[f64], out: &Float64Array) -> Result<f64, JsValue> {
        stepped("WasmStream.pushMany", out, |o| {
            self.inner.push_many(closes, o)
        })
        .map(first_not_finite)
    }

    /// The canonical state vector (docs/streaming.md).
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> Result<Vec<f64>, JsValue> {
        exported("WasmStream.exportState", self.state_len, |s| {
            self.inner.export_state(s)
        })
    }
}

/// `count` streams of one config stepped together: `new WasmStreamSet(packedConfig, count)`.
#[wasm_bindgen]
pub struct WasmStreamSet {
    inner: StreamSet,
    state_len: usize,
}

#[wasm_bindgen]
impl WasmStreamSet {
    /// `count` streams at bar 0.
    #[wasm_bindgen(constructor)]
    pub fn new(packed_config: &[f64], count: f64) -> Result<WasmStreamSet, JsValue> {
        const NAME: &str = "WasmStreamSet";
        let fail = kernel_error(NAME);
        let params = Params::from_packed(packed_config).map_err(&fail)?;
        let count = whole(NAME, "count", count, 1)?;
        Ok(WasmStreamSet {
            inner: StreamSet::new(&params, count as usize).map_err(&fail)?,
            state_len: AtcStream::state_len(&params).map_err(&fail)?,
        })
    }

    /// Streams in the set.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> u32 {
        // (at most 2^32 − 1: `whole` bounds it at construction)
        self.inner.count() as u32
    }

    /// Bars stepped so far (the same for every stream).
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> f64 {
        self.inner.len() as f64
    }

    /// One close per stream, `out` 13 rows × count row-major; −1, or the index of the first
    /// stream whose outputs are not finite (no stream committed).
    pub fn push(&mut self, closes: &[f64], out: &Float64Array) -> Result<f64, JsValue> {
        stepped("WasmStreamSet.push", out, |o| self.inner.push(closes, o)).map(first_not_finite)
    }

    /// The last bar of every stream again; same as `push`.
    #[wasm_bindgen(js_name = replaceLast)]
    pub fn replace_last(&mut self, closes: &[f64], out: &Float64Array) -> Result<f64, JsValue> {
        stepped("WasmStreamSet.replaceLast", out, |o| {
            self.inner.replace_last(closes, o)
        })
        .map(first_not_finite)
    }

    /// Stream `index`'s canonical state vector.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self, index: f64) -> Result<Vec<f64>, JsValue> {
        const NAME: &str = "WasmStreamSet.exportState";
        let index = whole(NAME, "index", index, 0)?;
        exported(NAME, self.state_len, |s| {
            self.inner.export_state(index as usize, s)
        })
    }
}
