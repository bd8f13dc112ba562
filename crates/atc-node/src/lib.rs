//! Node-API binding of `atc-kernels`, written against the raw C ABI (no `napi` crate: crates.io
//! is unreachable here). Every export:
//!
//! * validates each argument (wrong JS type / typed-array kind → `TypeError` naming the
//!   argument; bad lengths or values → `RangeError`);
//! * reads typed arrays zero-copy through `napi_get_typedarray_info` (subarray byte offsets
//!   respected), rejects outputs that share memory with another argument;
//! * runs inside `std::panic::catch_unwind`, so a Rust panic becomes a JS `Error` and the
//!   process never aborts;
//! * returns `undefined` and writes into the caller's `out` arrays (JS owns allocation).
//!
//! `computeAtc` and `computeAtcBatch` run the AVX2 twin of the pipeline
//! (`atc_kernels::compute_atc_avx2`, same bits) when the CPU has AVX2, the baseline build
//! otherwise; `ATC_NATIVE_ISA=baseline` in the environment forces the baseline.
//! `computeAtcBatch` spreads many series over Rust threads (`std::thread::scope`).
//!
//! Scratch memory lives in a thread-local, so repeated calls allocate nothing and the addon can
//! be loaded in several `worker_threads` (no mutable state is shared between threads).
//!
//! Caveat: a typed array backed by a `SharedArrayBuffer` that another thread writes *during*
//! a call is a data race this binding cannot prevent (Node-API gives no way to lock it); pass
//! ordinary (or quiescent) buffers.

mod ffi;

use core::ffi::{c_char, c_void, CStr};
use std::cell::RefCell;
use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use atc_kernels as k;
use ffi::*;

// =============================================================================================
// Errors
// =============================================================================================

/// What to throw back to JavaScript.
#[derive(Debug)]
enum JsError {
    /// `TypeError` (wrong JS type / typed-array kind).
    Type(String),
    /// `RangeError` (bad length or value).
    Range(String),
    /// Plain `Error` (internal failure).
    Error(String),
    /// Plain `Error` for a Rust panic caught off the JS thread (code `ERR_ATC_PANIC`).
    Panic(String),
    /// A JS exception is already pending (a Node-API call threw); throw nothing more.
    Pending,
}

type JsResult<T> = Result<T, JsError>;

fn type_err<T>(msg: impl Into<String>) -> JsResult<T> {
    Err(JsError::Type(msg.into()))
}

fn range_err<T>(msg: impl Into<String>) -> JsResult<T> {
    Err(JsError::Range(msg.into()))
}

/// Kernel validation failures are range errors ("bad lengths/values").
fn kernel(fname: &str, r: Result<(), k::KernelError>) -> JsResult<()> {
    r.map_err(|e| JsError::Range(format!("{fname}: {e}")))
}

fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

// =============================================================================================
// Env: safe wrappers around the FFI calls
// =============================================================================================

#[derive(Clone, Copy)]
struct Env(napi_env);

/// How an argument is named in error messages: `name` or `name[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Label {
    name: &'static str,
    index: Option<usize>,
}

impl Label {
    const fn plain(name: &'static str) -> Label {
        Label { name, index: None }
    }

    const fn at(name: &'static str, index: usize) -> Label {
        Label {
            name,
            index: Some(index),
        }
    }
}

impl core::fmt::Display for Label {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.index {
            None => f.write_str(self.name),
            Some(i) => write!(f, "{}[{i}]", self.name),
        }
    }
}

/// A typed array argument, as reported by `napi_get_typedarray_info`.
#[derive(Clone, Copy)]
struct TypedArray {
    name: Label,
    kind: napi_typedarray_type,
    /// Element count.
    len: usize,
    /// First element (already includes the view's byte offset); may be null when `len == 0`.
    data: *mut u8,
}

impl TypedArray {
    fn byte_len(&self) -> usize {
        self.len.saturating_mul(elem_size(self.kind))
    }

    fn byte_range(&self) -> (usize, usize) {
        let start = self.data as usize;
        (start, start.saturating_add(self.byte_len()))
    }
}

fn elem_size(kind: napi_typedarray_type) -> usize {
    match kind {
        NAPI_INT8_ARRAY | NAPI_UINT8_ARRAY | NAPI_UINT8_CLAMPED_ARRAY => 1,
        NAPI_INT16_ARRAY | NAPI_UINT16_ARRAY => 2,
        NAPI_INT32_ARRAY | NAPI_UINT32_ARRAY | NAPI_FLOAT32_ARRAY => 4,
        _ => 8,
    }
}

fn kind_name(kind: napi_typedarray_type) -> &'static str {
    match kind {
        NAPI_INT8_ARRAY => "Int8Array",
        NAPI_UINT8_ARRAY => "Uint8Array",
        NAPI_UINT8_CLAMPED_ARRAY => "Uint8ClampedArray",
        NAPI_INT16_ARRAY => "Int16Array",
        NAPI_UINT16_ARRAY => "Uint16Array",
        NAPI_INT32_ARRAY => "Int32Array",
        NAPI_UINT32_ARRAY => "Uint32Array",
        NAPI_FLOAT32_ARRAY => "Float32Array",
        NAPI_FLOAT64_ARRAY => "Float64Array",
        NAPI_BIGINT64_ARRAY => "BigInt64Array",
        NAPI_BIGUINT64_ARRAY => "BigUint64Array",
        _ => "typed array",
    }
}

fn value_type_name(t: napi_valuetype) -> &'static str {
    match t {
        NAPI_UNDEFINED => "undefined",
        NAPI_NULL => "null",
        NAPI_BOOLEAN => "boolean",
        NAPI_NUMBER => "number",
        NAPI_STRING => "string",
        NAPI_SYMBOL => "symbol",
        NAPI_OBJECT => "object",
        NAPI_FUNCTION => "function",
        NAPI_EXTERNAL => "external",
        NAPI_BIGINT => "bigint",
        _ => "unknown",
    }
}

impl Env {
    /// Turn a non-OK status into an error (`Pending` when Node already threw).
    fn check(self, status: napi_status, what: &str) -> JsResult<()> {
        if status == NAPI_OK {
            return Ok(());
        }
        let mut pending = false;
        // SAFETY: `self.0` is the env of the current callback; `pending` is a valid out pointer.
        let st = unsafe { napi_is_exception_pending(self.0, &mut pending) };
        if st == NAPI_OK && pending {
            Err(JsError::Pending)
        } else {
            Err(JsError::Error(format!(
                "Node-API call {what} failed (status {status})"
            )))
        }
    }

    fn undefined(self) -> JsResult<napi_value> {
        let mut v = ptr::null_mut();
        // SAFETY: valid env and out pointer.
        let st = unsafe { napi_get_undefined(self.0, &mut v) };
        self.check(st, "napi_get_undefined")?;
        Ok(v)
    }

    fn string(self, s: &str) -> JsResult<napi_value> {
        let mut v = ptr::null_mut();
        // SAFETY: `s` points to `s.len()` bytes of UTF-8 that outlive the call; valid env and
        // out pointer.
        let st = unsafe { napi_create_string_utf8(self.0, s.as_ptr().cast(), s.len(), &mut v) };
        self.check(st, "napi_create_string_utf8")?;
        Ok(v)
    }

    fn type_of(self, v: napi_value) -> JsResult<napi_valuetype> {
        let mut t: napi_valuetype = NAPI_UNDEFINED;
        // SAFETY: `v` is a handle of the current callback scope; valid out pointer.
        let st = unsafe { napi_typeof(self.0, v, &mut t) };
        self.check(st, "napi_typeof")?;
        Ok(t)
    }

    /// The callback's arguments (missing ones are `undefined`).
    fn args<const N: usize>(self, info: napi_callback_info) -> JsResult<[napi_value; N]> {
        let mut argv = [ptr::null_mut(); N];
        let mut argc = N;
        // SAFETY: `argv` has room for `argc` handles; `this`/`data` outputs are not requested
        // (null is allowed by Node-API).
        let st = unsafe {
            napi_get_cb_info(
                self.0,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        self.check(st, "napi_get_cb_info")?;
        Ok(argv)
    }

    /// A JS number (TypeError otherwise).
    fn number(self, v: napi_value, name: &str) -> JsResult<f64> {
        let t = self.type_of(v)?;
        if t != NAPI_NUMBER {
            return type_err(format!(
                "{name} must be a number (got {})",
                value_type_name(t)
            ));
        }
        let mut x = 0.0;
        // SAFETY: `v` is a number handle of the current scope; valid out pointer.
        let st = unsafe { napi_get_value_double(self.0, v, &mut x) };
        self.check(st, "napi_get_value_double")?;
        Ok(x)
    }

    /// A JS number that is an integer in `[min, max]` (RangeError otherwise).
    fn integer(self, v: napi_value, name: &str, min: f64, max: f64) -> JsResult<usize> {
        let x = self.number(v, name)?;
        as_integer(x, name, min, max)
    }

    /// A typed array of the given kind (TypeError otherwise).
    fn typed_array(
        self,
        v: napi_value,
        name: &'static str,
        want: napi_typedarray_type,
    ) -> JsResult<TypedArray> {
        self.typed_array_labeled(v, Label::plain(name), want)
    }

    /// [`Env::typed_array`] with a full label (e.g. `series[3]`).
    fn typed_array_labeled(
        self,
        v: napi_value,
        name: Label,
        want: napi_typedarray_type,
    ) -> JsResult<TypedArray> {
        let mut is_ta = false;
        // SAFETY: valid env, handle and out pointer.
        let st = unsafe { napi_is_typedarray(self.0, v, &mut is_ta) };
        self.check(st, "napi_is_typedarray")?;
        if !is_ta {
            let t = self.type_of(v)?;
            return type_err(format!(
                "{name} must be a {} (got {})",
                kind_name(want),
                value_type_name(t)
            ));
        }
        let mut kind: napi_typedarray_type = -1;
        let mut len = 0usize;
        let mut data: *mut c_void = ptr::null_mut();
        let mut offset = 0usize;
        // SAFETY: `v` is a typed array (checked above); all out pointers are valid; the
        // arraybuffer output is not requested (null allowed).
        let st = unsafe {
            napi_get_typedarray_info(
                self.0,
                v,
                &mut kind,
                &mut len,
                &mut data,
                ptr::null_mut(),
                &mut offset,
            )
        };
        self.check(st, "napi_get_typedarray_info")?;
        if kind != want {
            return type_err(format!(
                "{name} must be a {} (got {})",
                kind_name(want),
                kind_name(kind)
            ));
        }
        // Node-API's `data` already points at the view's first element (byte offset applied).
        let data = data.cast::<u8>();
        if len > 0 {
            if data.is_null() {
                return range_err(format!("{name}: its ArrayBuffer is detached"));
            }
            if !(data as usize).is_multiple_of(elem_size(kind)) {
                return range_err(format!(
                    "{name}: data is not aligned to {} bytes",
                    elem_size(kind)
                ));
            }
            if len
                .checked_mul(elem_size(kind))
                .is_none_or(|b| b > isize::MAX as usize)
            {
                return range_err(format!("{name}: too large"));
            }
        }
        Ok(TypedArray {
            name,
            kind,
            len,
            data,
        })
    }

    /// The length of a JS array (TypeError if `v` is not an array).
    fn array_length(self, v: napi_value, name: &str) -> JsResult<u32> {
        let mut is_array = false;
        // SAFETY: valid env, handle and out pointer.
        let st = unsafe { napi_is_array(self.0, v, &mut is_array) };
        self.check(st, "napi_is_array")?;
        if !is_array {
            let t = self.type_of(v)?;
            return type_err(format!(
                "{name} must be an array of Float64Array (got {})",
                value_type_name(t)
            ));
        }
        let mut len = 0u32;
        // SAFETY: `v` is an array (checked above); valid out pointer.
        let st = unsafe { napi_get_array_length(self.0, v, &mut len) };
        self.check(st, "napi_get_array_length")?;
        Ok(len)
    }

    /// `array[index]` (may run a getter, hence may throw).
    fn element(self, array: napi_value, index: u32) -> JsResult<napi_value> {
        let mut v = ptr::null_mut();
        // SAFETY: valid env; `array` is an object handle of this callback; valid out pointer.
        let st = unsafe { napi_get_element(self.0, array, index, &mut v) };
        self.check(st, "napi_get_element")?;
        Ok(v)
    }

    /// `undefined`, `null` or a missing argument → None; otherwise a typed array of `want`.
    fn optional_typed_array(
        self,
        v: napi_value,
        name: &'static str,
        want: napi_typedarray_type,
    ) -> JsResult<Option<TypedArray>> {
        if v.is_null() {
            return Ok(None);
        }
        match self.type_of(v)? {
            NAPI_UNDEFINED | NAPI_NULL => Ok(None),
            _ => self.typed_array(v, name, want).map(Some),
        }
    }

    fn throw(self, e: JsError) {
        let (f, code, msg): (
            unsafe extern "C" fn(napi_env, *const c_char, *const c_char) -> napi_status,
            &CStr,
            String,
        ) = match e {
            JsError::Pending => return,
            JsError::Type(m) => (napi_throw_type_error, c"ERR_ATC_ARG_TYPE", m),
            JsError::Range(m) => (napi_throw_range_error, c"ERR_ATC_ARG_RANGE", m),
            JsError::Error(m) => (napi_throw_error, c"ERR_ATC_INTERNAL", m),
            JsError::Panic(m) => return self.throw_panic(&m),
        };
        let msg = cstring(&msg);
        // SAFETY: valid env; `code` and `msg` are NUL-terminated and live across the call.
        // Nothing useful can be done if throwing itself fails.
        let _ = unsafe { f(self.0, code.as_ptr(), msg.as_ptr()) };
    }

    fn throw_panic(self, msg: &str) {
        let msg = cstring(&format!("atc-node: internal panic: {msg}"));
        // SAFETY: as in `throw`.
        let _ = unsafe { napi_throw_error(self.0, c"ERR_ATC_PANIC".as_ptr(), msg.as_ptr()) };
    }
}

fn as_integer(x: f64, name: &str, min: f64, max: f64) -> JsResult<usize> {
    if !(x.is_finite() && x.fract() == 0.0 && x >= min && x <= max) {
        return range_err(format!(
            "{name} must be an integer between {min} and {max} (got {x})"
        ));
    }
    Ok(x as usize)
}

/// Largest length / index accepted from JS (2^32 − 1: typed arrays are smaller anyway).
const MAX_INDEX: f64 = 4294967295.0;

// =============================================================================================
// Borrowing typed arrays as slices
// =============================================================================================

/// Rejects any output whose bytes overlap another argument's bytes (an input or another
/// output): writing through a `&mut` slice that aliases another slice would be undefined
/// behaviour, and the kernels are not in-place safe anyway.
fn check_no_overlap(outputs: &[&TypedArray], all: &[&TypedArray]) -> JsResult<()> {
    for o in outputs {
        let (os, oe) = o.byte_range();
        if os == oe {
            continue;
        }
        for a in all {
            if ptr::eq(*o, *a) {
                continue;
            }
            let (s, e) = a.byte_range();
            if s < oe && os < e {
                return range_err(format!("{} must not share memory with {}", o.name, a.name));
            }
        }
    }
    Ok(())
}

/// [`check_no_overlap`] for many arrays in O(k log k): sort the byte ranges by start and sweep,
/// remembering the furthest end seen so far among all ranges and among outputs. A range that
/// starts before such an end overlaps the range that reached it; that is a conflict when one
/// of the two is an output (inputs may share memory with each other).
fn check_no_overlap_many(outputs: &[TypedArray], inputs: &[TypedArray]) -> JsResult<()> {
    let mut ranges: Vec<(usize, usize, bool, &TypedArray)> = outputs
        .iter()
        .map(|t| (t, true))
        .chain(inputs.iter().map(|t| (t, false)))
        .filter_map(|(t, out)| {
            let (a, b) = t.byte_range();
            (a < b).then_some((a, b, out, t))
        })
        .collect();
    ranges.sort_unstable_by_key(|r| r.0);
    let mut far_any: Option<(usize, &TypedArray)> = None;
    let mut far_out: Option<(usize, &TypedArray)> = None;
    for &(start, end, is_out, t) in &ranges {
        let hit = if is_out { far_any } else { far_out };
        if let Some((e, other)) = hit {
            if e > start {
                let (o, a) = if is_out { (t, other) } else { (other, t) };
                return range_err(format!("{} must not share memory with {}", o.name, a.name));
            }
        }
        if far_any.is_none_or(|(e, _)| end > e) {
            far_any = Some((end, t));
        }
        if is_out && far_out.is_none_or(|(e, _)| end > e) {
            far_out = Some((end, t));
        }
    }
    Ok(())
}

/// # Safety
/// `ta` must describe a live `Float64Array` of the current callback (validated by
/// `Env::typed_array`), the returned slice must not outlive the callback, and no `&mut` slice
/// may overlap it (`check_no_overlap`).
unsafe fn f64_in<'a>(ta: &TypedArray) -> &'a [f64] {
    debug_assert_eq!(ta.kind, NAPI_FLOAT64_ARRAY);
    if ta.len == 0 {
        return &[];
    }
    // SAFETY: non-null, 8-byte aligned (checked), `len` elements inside the typed array's
    // backing store, which V8 keeps alive for the duration of the callback (the handle is on the
    // callback's scope); no overlapping `&mut` exists (caller's contract).
    unsafe { std::slice::from_raw_parts(ta.data.cast::<f64>(), ta.len) }
}

/// # Safety
/// As [`f64_in`], and the array must not overlap any other slice created for this call.
unsafe fn f64_out<'a>(ta: &TypedArray) -> &'a mut [f64] {
    debug_assert_eq!(ta.kind, NAPI_FLOAT64_ARRAY);
    if ta.len == 0 {
        return &mut [];
    }
    // SAFETY: as in `f64_in`; exclusivity guaranteed by `check_no_overlap` (caller's contract).
    unsafe { std::slice::from_raw_parts_mut(ta.data.cast::<f64>(), ta.len) }
}

/// # Safety
/// As [`f64_out`], for an `Int8Array`.
unsafe fn i8_out<'a>(ta: &TypedArray) -> &'a mut [i8] {
    debug_assert_eq!(ta.kind, NAPI_INT8_ARRAY);
    if ta.len == 0 {
        return &mut [];
    }
    // SAFETY: as in `f64_out` (1-byte elements need no alignment).
    unsafe { std::slice::from_raw_parts_mut(ta.data.cast::<i8>(), ta.len) }
}

/// # Safety
/// As [`f64_in`], for an `Int8Array`.
unsafe fn i8_in<'a>(ta: &TypedArray) -> &'a [i8] {
    debug_assert_eq!(ta.kind, NAPI_INT8_ARRAY);
    if ta.len == 0 {
        return &[];
    }
    // SAFETY: as in `f64_in`.
    unsafe { std::slice::from_raw_parts(ta.data.cast::<i8>(), ta.len) }
}

/// # Safety
/// As [`f64_in`], for a `Uint8Array`.
unsafe fn u8_in<'a>(ta: &TypedArray) -> &'a [u8] {
    debug_assert_eq!(ta.kind, NAPI_UINT8_ARRAY);
    if ta.len == 0 {
        return &[];
    }
    // SAFETY: as in `f64_in`.
    unsafe { std::slice::from_raw_parts(ta.data, ta.len) }
}

// =============================================================================================
// Per-thread scratch
// =============================================================================================

#[derive(Default)]
struct Scratch {
    ws: k::Workspace,
    hma: Vec<f64>,
    det_mas: Vec<f64>,
    det_sig: Vec<i8>,
    det_eq: Vec<f64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Run `f` with this thread's scratch (a fresh one if it is somehow already borrowed).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let mut f = Some(f);
    let r = SCRATCH.try_with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f.take().map(|f| f(&mut s)),
        Err(_) => None,
    });
    match (r, f) {
        (Ok(Some(v)), _) => v,
        (_, Some(f)) => f(&mut Scratch::default()),
        // unreachable: `f` is only taken when it ran and produced a value
        (_, None) => unreachable_scratch(),
    }
}

#[cold]
fn unreachable_scratch() -> ! {
    panic!("scratch closure consumed without a result")
}

// =============================================================================================
// Callback plumbing
// =============================================================================================

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Runs an export body under `catch_unwind`; errors and panics become JS exceptions.
fn guard(
    env: napi_env,
    info: napi_callback_info,
    body: fn(Env, napi_callback_info) -> JsResult<napi_value>,
) -> napi_value {
    let env = Env(env);
    match catch_unwind(AssertUnwindSafe(|| body(env, info))) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            env.throw(e);
            ptr::null_mut()
        }
        Err(p) => {
            env.throw_panic(&panic_message(p.as_ref()));
            ptr::null_mut()
        }
    }
}

macro_rules! export {
    ($cb:ident => $body:path) => {
        unsafe extern "C" fn $cb(env: napi_env, info: napi_callback_info) -> napi_value {
            guard(env, info, $body)
        }
    };
}

export!(cb_moving_average => moving_average);
export!(cb_rate_of_change => rate_of_change);
export!(cb_scaled_returns => scaled_returns);
export!(cb_crossover_signal => crossover_signal);
export!(cb_persist_signal => persist_signal);
export!(cb_equity_curve => equity_curve);
export!(cb_layer1_signal => layer1_signal);
export!(cb_compute_atc => compute_atc);
export!(cb_compute_atc_batch => compute_atc_batch);
export!(cb_version => version);
export!(cb_panic_for_test => panic_for_test);

// =============================================================================================
// Exports
// =============================================================================================

/// `movingAverage(kind, source: Float64Array, length, out: Float64Array)`;
/// kind 0 SMA, 1 EMA, 2 WMA, 3 HMA, 4 DEMA, 5 LSMA, 6 KAMA.
fn moving_average(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_kind, a_src, a_len, a_out] = env.args::<4>(info)?;
    let kind_i = env.integer(a_kind, "kind", 0.0, 6.0)?;
    let src = env.typed_array(a_src, "source", NAPI_FLOAT64_ARRAY)?;
    let length = env.integer(a_len, "length", 1.0, MAX_INDEX)?;
    let out = env.typed_array(a_out, "out", NAPI_FLOAT64_ARRAY)?;
    check_no_overlap(&[&out], &[&src, &out])?;
    let kind = match k::MaKind::from_index(kind_i as u32) {
        Some(kd) => kd,
        None => {
            return range_err(format!(
                "kind must be an integer between 0 and 6 (got {kind_i})"
            ))
        }
    };
    // SAFETY: validated Float64Arrays of this callback; `out` overlaps nothing.
    let (x, o) = unsafe { (f64_in(&src), f64_out(&out)) };
    let r = if kind == k::MaKind::Hma {
        with_scratch(|s| k::hma_with_scratch(x, length, o, &mut s.hma))
    } else {
        k::moving_average(kind, x, length, o)
    };
    kernel("movingAverage", r)?;
    env.undefined()
}

/// `rateOfChange(prices: Float64Array, out: Float64Array)`.
fn rate_of_change(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_p, a_out] = env.args::<2>(info)?;
    let p = env.typed_array(a_p, "prices", NAPI_FLOAT64_ARRAY)?;
    let out = env.typed_array(a_out, "out", NAPI_FLOAT64_ARRAY)?;
    check_no_overlap(&[&out], &[&p, &out])?;
    // SAFETY: validated Float64Arrays of this callback; `out` overlaps nothing.
    let (x, o) = unsafe { (f64_in(&p), f64_out(&out)) };
    kernel("rateOfChange", k::rate_of_change(x, o))?;
    env.undefined()
}

/// `scaledReturns(prices: Float64Array, lambdaScaled: number, out: Float64Array)`.
fn scaled_returns(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_p, a_l, a_out] = env.args::<3>(info)?;
    let p = env.typed_array(a_p, "prices", NAPI_FLOAT64_ARRAY)?;
    let lambda = env.number(a_l, "lambdaScaled")?;
    let out = env.typed_array(a_out, "out", NAPI_FLOAT64_ARRAY)?;
    if !lambda.is_finite() {
        return range_err(format!("lambdaScaled must be finite (got {lambda})"));
    }
    check_no_overlap(&[&out], &[&p, &out])?;
    // SAFETY: validated Float64Arrays of this callback; `out` overlaps nothing.
    let (x, o) = unsafe { (f64_in(&p), f64_out(&out)) };
    kernel("scaledReturns", k::scaled_returns(x, lambda, o))?;
    env.undefined()
}

/// `crossoverSignal(prices: Float64Array, ma: Float64Array, out: Int8Array)`.
fn crossover_signal(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_p, a_m, a_out] = env.args::<3>(info)?;
    let p = env.typed_array(a_p, "prices", NAPI_FLOAT64_ARRAY)?;
    let m = env.typed_array(a_m, "ma", NAPI_FLOAT64_ARRAY)?;
    let out = env.typed_array(a_out, "out", NAPI_INT8_ARRAY)?;
    check_no_overlap(&[&out], &[&p, &m, &out])?;
    // SAFETY: validated typed arrays of this callback; `out` overlaps nothing.
    let (x, ma, o) = unsafe { (f64_in(&p), f64_in(&m), i8_out(&out)) };
    kernel("crossoverSignal", k::crossover_signal(x, ma, o))?;
    env.undefined()
}

/// `persistSignal(up: Uint8Array, down: Uint8Array, out: Int8Array)`.
fn persist_signal(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_u, a_d, a_out] = env.args::<3>(info)?;
    let up = env.typed_array(a_u, "up", NAPI_UINT8_ARRAY)?;
    let down = env.typed_array(a_d, "down", NAPI_UINT8_ARRAY)?;
    let out = env.typed_array(a_out, "out", NAPI_INT8_ARRAY)?;
    check_no_overlap(&[&out], &[&up, &down, &out])?;
    // SAFETY: validated typed arrays of this callback; `out` overlaps nothing.
    let (u, d, o) = unsafe { (u8_in(&up), u8_in(&down), i8_out(&out)) };
    kernel("persistSignal", k::persist_signal(u, d, o))?;
    env.undefined()
}

/// `equityCurve(returns, signal, startingEquity, decayMultiplier, cutout, out)`.
fn equity_curve(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_r, a_s, a_se, a_d, a_c, a_out] = env.args::<6>(info)?;
    let r = env.typed_array(a_r, "returns", NAPI_FLOAT64_ARRAY)?;
    let s = env.typed_array(a_s, "signal", NAPI_FLOAT64_ARRAY)?;
    let start = env.number(a_se, "startingEquity")?;
    let d = env.number(a_d, "decayMultiplier")?;
    let cutout = env.integer(a_c, "cutout", 0.0, MAX_INDEX)?;
    let out = env.typed_array(a_out, "out", NAPI_FLOAT64_ARRAY)?;
    check_no_overlap(&[&out], &[&r, &s, &out])?;
    // SAFETY: validated Float64Arrays of this callback; `out` overlaps nothing.
    let (rr, ss, o) = unsafe { (f64_in(&r), f64_in(&s), f64_out(&out)) };
    kernel("equityCurve", k::equity_curve(rr, ss, start, d, cutout, o))?;
    env.undefined()
}

/// `layer1Signal(signals: Int8Array, equities: Float64Array, out: Float64Array)`; rows =
/// signals.length / out.length.
fn layer1_signal(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_s, a_e, a_out] = env.args::<3>(info)?;
    let s = env.typed_array(a_s, "signals", NAPI_INT8_ARRAY)?;
    let e = env.typed_array(a_e, "equities", NAPI_FLOAT64_ARRAY)?;
    let out = env.typed_array(a_out, "out", NAPI_FLOAT64_ARRAY)?;
    if e.len != s.len {
        return range_err(format!(
            "equities.length ({}) must equal signals.length ({})",
            e.len, s.len
        ));
    }
    if out.len == 0 {
        if s.len != 0 {
            return range_err("out must not be empty when signals is not");
        }
    } else if s.len == 0 || s.len % out.len != 0 {
        return range_err(format!(
            "signals.length ({}) must be a positive multiple of out.length ({})",
            s.len, out.len
        ));
    }
    check_no_overlap(&[&out], &[&s, &e, &out])?;
    // SAFETY: validated typed arrays of this callback; `out` overlaps nothing.
    let (ss, ee, o) = unsafe { (i8_in(&s), f64_in(&e), f64_out(&out)) };
    kernel("layer1Signal", k::layer1_signal(ss, ee, o))?;
    env.undefined()
}

/// Unpack the 19-value parameter vector of `computeAtc`.
fn unpack_params(v: &[f64]) -> JsResult<k::Params> {
    const NAMES: [&str; 19] = [
        "params[0] (EMA length)",
        "params[1] (HMA length)",
        "params[2] (WMA length)",
        "params[3] (DEMA length)",
        "params[4] (LSMA length)",
        "params[5] (KAMA length)",
        "params[6] (EMA weight)",
        "params[7] (HMA weight)",
        "params[8] (WMA weight)",
        "params[9] (DEMA weight)",
        "params[10] (LSMA weight)",
        "params[11] (KAMA weight)",
        "params[12] (robustness)",
        "params[13] (La)",
        "params[14] (De)",
        "params[15] (cutout)",
        "params[16] (longThreshold)",
        "params[17] (shortThreshold)",
        "params[18] (strategyMode)",
    ];
    if v.len() != 19 {
        return range_err(format!("params must have length 19 (got {})", v.len()));
    }
    let mut p = k::Params::default();
    for f in 0..6 {
        p.lengths[f] = as_integer(v[f], NAMES[f], 1.0, MAX_INDEX)?;
        p.weights[f] = v[6 + f];
        if !(v[6 + f].is_finite() && v[6 + f] > 0.0) {
            return range_err(format!(
                "{} must be finite and > 0 (got {})",
                NAMES[6 + f],
                v[6 + f]
            ));
        }
    }
    p.robustness = match k::Robustness::from_index(as_integer(v[12], NAMES[12], 0.0, 2.0)? as u32) {
        Some(r) => r,
        None => {
            return range_err("params[12] (robustness) must be 0 (Narrow), 1 (Medium) or 2 (Wide)")
        }
    };
    p.la = v[13];
    p.de = v[14];
    p.cutout = as_integer(v[15], NAMES[15], 0.0, MAX_INDEX)?;
    p.long_threshold = v[16];
    p.short_threshold = v[17];
    p.strategy_mode = if v[18] == 0.0 {
        false
    } else if v[18] == 1.0 {
        true
    } else {
        return range_err(format!(
            "params[18] (strategyMode) must be 0 or 1 (got {})",
            v[18]
        ));
    };
    Ok(p)
}

/// `computeAtc(prices, params: Float64Array(19), out, mas?, signals?, equities?)`.
fn compute_atc(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_p, a_par, a_out, a_m, a_s, a_e] = env.args::<6>(info)?;
    let prices = env.typed_array(a_p, "prices", NAPI_FLOAT64_ARRAY)?;
    let par = env.typed_array(a_par, "params", NAPI_FLOAT64_ARRAY)?;
    let out = env.typed_array(a_out, "out", NAPI_FLOAT64_ARRAY)?;
    let mas = env.optional_typed_array(a_m, "mas", NAPI_FLOAT64_ARRAY)?;
    let sig = env.optional_typed_array(a_s, "signals", NAPI_INT8_ARRAY)?;
    let eqs = env.optional_typed_array(a_e, "equities", NAPI_FLOAT64_ARRAY)?;

    // SAFETY: validated Float64Array; read-only, and it is copied out before any output slice
    // is created.
    let params = unpack_params(unsafe { f64_in(&par) })?;
    let n = prices.len;
    if n == 0 {
        return range_err("computeAtc: prices must not be empty");
    }
    if params.cutout >= n {
        return range_err(format!(
            "computeAtc: cutout ({}) must be smaller than prices.length ({n})",
            params.cutout
        ));
    }
    let m = n - params.cutout;
    let want_out = 13usize.saturating_mul(m);
    if out.len != want_out {
        return range_err(format!(
            "out.length must be 13·(n − cutout) = {want_out} (got {})",
            out.len
        ));
    }
    let want_det = 54usize.saturating_mul(m);
    for d in [&mas, &sig, &eqs].into_iter().flatten() {
        if d.len != want_det {
            return range_err(format!(
                "{}.length must be 54·(n − cutout) = {want_det} (got {})",
                d.name, d.len
            ));
        }
    }
    let outputs: Vec<&TypedArray> = [Some(&out), mas.as_ref(), sig.as_ref(), eqs.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    let mut all = outputs.clone();
    all.push(&prices);
    all.push(&par);
    check_no_overlap(&outputs, &all)?;

    // SAFETY: validated typed arrays of this callback; no output overlaps any other argument.
    let (x, o) = unsafe { (f64_in(&prices), f64_out(&out)) };
    // SAFETY: as above.
    let (dm, ds, de) = unsafe {
        (
            mas.as_ref().map(|t| f64_out(t)),
            sig.as_ref().map(|t| i8_out(t)),
            eqs.as_ref().map(|t| f64_out(t)),
        )
    };
    let r = with_scratch(|s| {
        let Scratch {
            ws,
            det_mas,
            det_sig,
            det_eq,
            ..
        } = s;
        let any = dm.is_some() || ds.is_some() || de.is_some();
        if !any {
            return atc_kernel(x, &params, o, None, ws);
        }
        // Detail outputs the caller did not pass go to thread-local scratch.
        let dm = match dm {
            Some(v) => v,
            None => grow(det_mas, want_det, 0.0),
        };
        let ds = match ds {
            Some(v) => v,
            None => grow(det_sig, want_det, 0),
        };
        let de = match de {
            Some(v) => v,
            None => grow(det_eq, want_det, 0.0),
        };
        atc_kernel(x, &params, o, Some((dm, ds, de)), ws)
    });
    kernel("computeAtc", r)?;
    env.undefined()
}

/// `true` when the AVX2 twin of the pipeline may run: the CPU has AVX2 and the environment
/// does not set `ATC_NATIVE_ISA=baseline`. Decided once per process.
fn use_avx2() -> bool {
    static USE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *USE.get_or_init(|| {
        let forced_baseline = std::env::var("ATC_NATIVE_ISA")
            .map(|v| v.eq_ignore_ascii_case("baseline"))
            .unwrap_or(false);
        #[cfg(target_arch = "x86_64")]
        let has = std::is_x86_feature_detected!("avx2");
        #[cfg(not(target_arch = "x86_64"))]
        let has = false;
        has && !forced_baseline
    })
}

/// `compute_atc` through the fastest twin this CPU runs (same bits either way).
fn atc_kernel(
    x: &[f64],
    params: &k::Params,
    out: &mut [f64],
    detail: Option<k::Detail<'_>>,
    ws: &mut k::Workspace,
) -> Result<(), k::KernelError> {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: `use_avx2()` is true only when the CPU supports AVX2.
        return unsafe { k::compute_atc_avx2(x, params, out, detail, ws) };
    }
    k::compute_atc(x, params, out, detail, ws)
}

/// `computeAtcBatch(series: Float64Array[], params: Float64Array(19), outs: Float64Array[],
/// threads)`: `computeAtc(series[i], params, outs[i])` for every `i` on `min(threads,
/// series.length)` Rust threads. Everything is validated (and every typed array read,
/// zero-copy) on the JS thread before any work starts; the call returns when all series are
/// done.
fn compute_atc_batch(env: Env, info: napi_callback_info) -> JsResult<napi_value> {
    let [a_series, a_par, a_outs, a_threads] = env.args::<4>(info)?;
    // 1. shapes and scalars (no JS code runs here)
    let count = env.array_length(a_series, "series")?;
    let out_count = env.array_length(a_outs, "outs")?;
    let threads = env.integer(a_threads, "threads", 1.0, MAX_INDEX)?;
    // 2. the elements: a getter may run here (and could even detach a buffer), so every
    //    element is fetched before any typed array is inspected
    let series_v: Vec<napi_value> = (0..count)
        .map(|i| env.element(a_series, i))
        .collect::<JsResult<_>>()?;
    let outs_v: Vec<napi_value> = (0..out_count)
        .map(|i| env.element(a_outs, i))
        .collect::<JsResult<_>>()?;
    // 3. typed arrays (no JS code runs from here on, so the data pointers stay valid)
    let par = env.typed_array(a_par, "params", NAPI_FLOAT64_ARRAY)?;
    let series: Vec<TypedArray> = series_v
        .iter()
        .enumerate()
        .map(|(i, &v)| env.typed_array_labeled(v, Label::at("series", i), NAPI_FLOAT64_ARRAY))
        .collect::<JsResult<_>>()?;
    let outs: Vec<TypedArray> = outs_v
        .iter()
        .enumerate()
        .map(|(i, &v)| env.typed_array_labeled(v, Label::at("outs", i), NAPI_FLOAT64_ARRAY))
        .collect::<JsResult<_>>()?;
    // 4. values and lengths
    // SAFETY: validated Float64Array; read-only, copied out before any output slice exists.
    let params = unpack_params(unsafe { f64_in(&par) })?;
    kernel("computeAtcBatch", params.validate().map(|_| ()))?;
    if out_count != count {
        return range_err(format!(
            "computeAtcBatch: outs.length ({out_count}) must equal series.length ({count})"
        ));
    }
    for (s, o) in series.iter().zip(&outs) {
        let n = s.len;
        if n == 0 {
            return range_err(format!("computeAtcBatch: {} must not be empty", s.name));
        }
        if params.cutout >= n {
            return range_err(format!(
                "computeAtcBatch: cutout ({}) must be smaller than {}.length ({n})",
                params.cutout, s.name
            ));
        }
        let want = 13usize.saturating_mul(n - params.cutout);
        if o.len != want {
            return range_err(format!(
                "{}.length must be 13·({}.length − cutout) = {want} (got {})",
                o.name, s.name, o.len
            ));
        }
        if let Err(e) = k::check_atc_inputs(n, &params, o.len) {
            return range_err(format!("computeAtcBatch: {}: {e}", s.name));
        }
    }
    let mut inputs = series.clone();
    inputs.push(par);
    check_no_overlap_many(&outs, &inputs)?;
    if count == 0 {
        return env.undefined();
    }
    // 5. the work
    // SAFETY: validated Float64Arrays of this callback, alive until it returns (the JS thread
    // waits here, and no JS code runs until then); no output overlaps any other argument.
    let xs: Vec<&[f64]> = series.iter().map(|t| unsafe { f64_in(t) }).collect();
    // SAFETY: as above.
    let mut os: Vec<&mut [f64]> = outs.iter().map(|t| unsafe { f64_out(t) }).collect();
    let r = k::compute_atc_batch_with(&xs, &params, &mut os, threads, |x, p, o, ws| {
        atc_kernel(x, p, o, None, ws)
    });
    match r {
        Ok(()) => env.undefined(),
        Err(k::BatchError::Panic { index, message }) => Err(JsError::Panic(format!(
            "computeAtcBatch: series[{index}]: {message}"
        ))),
        Err(e) => range_err(format!("computeAtcBatch: {e}")),
    }
}

fn grow<T: Copy>(v: &mut Vec<T>, len: usize, fill: T) -> &mut [T] {
    if v.len() < len {
        v.resize(len, fill);
    }
    &mut v[..len]
}

/// `version(): string` — the crate version.
fn version(env: Env, _info: napi_callback_info) -> JsResult<napi_value> {
    env.string(env!("CARGO_PKG_VERSION"))
}

/// `__panicForTest(): never` — panics inside the guard (tests prove it becomes a JS Error).
fn panic_for_test(_env: Env, _info: napi_callback_info) -> JsResult<napi_value> {
    panic!("deliberate panic from __panicForTest");
}

// =============================================================================================
// Module registration
// =============================================================================================

const EXPORTS: [(
    &CStr,
    unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value,
); 11] = [
    (c"movingAverage", cb_moving_average),
    (c"rateOfChange", cb_rate_of_change),
    (c"scaledReturns", cb_scaled_returns),
    (c"crossoverSignal", cb_crossover_signal),
    (c"persistSignal", cb_persist_signal),
    (c"equityCurve", cb_equity_curve),
    (c"layer1Signal", cb_layer1_signal),
    (c"computeAtc", cb_compute_atc),
    (c"computeAtcBatch", cb_compute_atc_batch),
    (c"version", cb_version),
    (c"__panicForTest", cb_panic_for_test),
];

fn register(env: Env, exports: napi_value) -> JsResult<napi_value> {
    for (name, cb) in EXPORTS {
        let mut f = ptr::null_mut();
        // SAFETY: valid env; `name` is NUL-terminated (NAPI_AUTO_LENGTH = usize::MAX); `cb` is
        // an `extern "C"` callback with the napi_callback signature; no data pointer.
        let st = unsafe {
            napi_create_function(
                env.0,
                name.as_ptr(),
                usize::MAX,
                Some(cb),
                ptr::null_mut(),
                &mut f,
            )
        };
        env.check(st, "napi_create_function")?;
        // SAFETY: valid env; `exports` is the module's exports object; `f` was just created.
        let st = unsafe { napi_set_named_property(env.0, exports, name.as_ptr(), f) };
        env.check(st, "napi_set_named_property")?;
    }
    Ok(exports)
}

/// Module entry point, called by Node once per environment (main thread and each worker).
///
/// # Safety
/// Called by Node with a valid `env` and `exports` object.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    let e = Env(env);
    match catch_unwind(AssertUnwindSafe(|| register(e, exports))) {
        Ok(Ok(v)) => v,
        Ok(Err(err)) => {
            e.throw(err);
            ptr::null_mut()
        }
        Err(p) => {
            e.throw_panic(&panic_message(p.as_ref()));
            ptr::null_mut()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_unpack() {
        let mut v = [
            28.0, 28.0, 28.0, 28.0, 28.0, 28.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.02, 0.03, 0.0,
            0.1, -0.1, 0.0,
        ];
        let p = unpack_params(&v).unwrap();
        assert_eq!(p, k::Params::default());
        v[18] = 1.0;
        assert!(unpack_params(&v).unwrap().strategy_mode);
        v[18] = 0.5;
        assert!(matches!(unpack_params(&v), Err(JsError::Range(_))));
        v[18] = 0.0;
        v[12] = 3.0;
        assert!(matches!(unpack_params(&v), Err(JsError::Range(_))));
        v[12] = 2.0;
        assert_eq!(unpack_params(&v).unwrap().robustness, k::Robustness::Wide);
        v[0] = 28.5;
        assert!(matches!(unpack_params(&v), Err(JsError::Range(_))));
        v[0] = 28.0;
        v[7] = 0.0;
        assert!(matches!(unpack_params(&v), Err(JsError::Range(_))));
        assert!(matches!(unpack_params(&v[..18]), Err(JsError::Range(_))));
    }

    #[test]
    fn integers() {
        assert_eq!(as_integer(3.0, "x", 0.0, 6.0).unwrap(), 3);
        assert!(as_integer(f64::NAN, "x", 0.0, 6.0).is_err());
        assert!(as_integer(7.0, "x", 0.0, 6.0).is_err());
        assert!(as_integer(-0.5, "x", 0.0, 6.0).is_err());
        assert!(as_integer(1e300, "x", 0.0, MAX_INDEX).is_err());
    }

    #[test]
    fn overlap_detection() {
        let mut buf = [0.0f64; 8];
        let base = buf.as_mut_ptr().cast::<u8>();
        let a = TypedArray {
            name: Label::plain("a"),
            kind: NAPI_FLOAT64_ARRAY,
            len: 4,
            data: base,
        };
        // SAFETY (test): pointer arithmetic inside `buf`.
        let b = TypedArray {
            name: Label::plain("b"),
            kind: NAPI_FLOAT64_ARRAY,
            len: 4,
            data: unsafe { base.add(32) },
        };
        // SAFETY (test): pointer arithmetic inside `buf`.
        let c = TypedArray {
            name: Label::plain("c"),
            kind: NAPI_INT8_ARRAY,
            len: 1,
            data: unsafe { base.add(31) },
        };
        assert!(check_no_overlap(&[&b], &[&a, &b]).is_ok());
        assert!(check_no_overlap(&[&c], &[&a, &b, &c]).is_err());
        let empty = TypedArray {
            name: Label::plain("e"),
            kind: NAPI_FLOAT64_ARRAY,
            len: 0,
            data: base,
        };
        assert!(check_no_overlap(&[&empty], &[&a, &empty]).is_ok());
    }

    #[test]
    fn overlap_sweep_matches_pairwise() {
        let mut buf = [0.0f64; 64];
        let base = buf.as_mut_ptr().cast::<u8>();
        let ta = |name: &'static str, i: usize, off: usize, len: usize| TypedArray {
            name: Label::at(name, i),
            kind: NAPI_FLOAT64_ARRAY,
            len,
            // SAFETY (test): pointer arithmetic inside `buf` (off + 8·len ≤ 512).
            data: unsafe { base.add(off) },
        };
        // disjoint outputs, inputs sharing memory with each other: fine
        let outs = [ta("outs", 0, 0, 4), ta("outs", 1, 32, 4)];
        let ins = [
            ta("series", 0, 64, 8),
            ta("series", 1, 64, 8),
            ta("series", 2, 96, 2),
        ];
        assert!(check_no_overlap_many(&outs, &ins).is_ok());
        // an output overlapping an input (input starts first)
        let outs2 = [ta("outs", 0, 72, 2)];
        let err = check_no_overlap_many(&outs2, &ins).unwrap_err();
        assert!(
            matches!(&err, JsError::Range(m) if m.starts_with("outs[0] must not share memory with series[")),
            "{err:?}"
        );
        // an input overlapping an output (output starts first)
        let outs3 = [ta("outs", 0, 56, 4)];
        assert!(check_no_overlap_many(&outs3, &ins).is_err());
        // two outputs sharing memory (the same array twice)
        let outs4 = [ta("outs", 0, 0, 4), ta("outs", 1, 0, 4)];
        assert!(check_no_overlap_many(&outs4, &[]).is_err());
        // a long early input covering a later output
        let ins5 = [ta("series", 0, 0, 60)];
        let outs5 = [ta("outs", 0, 400, 2)];
        assert!(check_no_overlap_many(&outs5, &ins5).is_err());
        // touching ranges and empty arrays do not overlap
        let outs6 = [
            ta("outs", 0, 0, 4),
            ta("outs", 1, 32, 0),
            ta("outs", 2, 32, 1),
        ];
        assert!(check_no_overlap_many(&outs6, &[ta("series", 0, 40, 1)]).is_ok());
        // exhaustive agreement with the pairwise check on small layouts
        for a in 0..6usize {
            for b in 0..6usize {
                for c in 0..6usize {
                    let outs = [ta("outs", 0, 8 * a, 2), ta("outs", 1, 8 * b, 1)];
                    let ins = [ta("series", 0, 8 * c, 2), ta("series", 1, 8 * a, 1)];
                    let all: Vec<&TypedArray> = outs.iter().chain(ins.iter()).collect();
                    let pair = check_no_overlap(&[&outs[0], &outs[1]], &all).is_ok();
                    assert_eq!(
                        check_no_overlap_many(&outs, &ins).is_ok(),
                        pair,
                        "{a} {b} {c}"
                    );
                }
            }
        }
        assert_eq!(Label::at("series", 3).to_string(), "series[3]");
        assert_eq!(Label::plain("params").to_string(), "params");
    }
}
