//! # atc-wasm
//!
//! The WebAssembly face of [`atc_kernels`]: plain `#[no_mangle] extern "C"` exports over
//! pointers into linear memory, loaded by `@adaptive-trend/backend-wasm` with
//! `WebAssembly.instantiate` (no wasm-bindgen, no imports, no threads).
//!
//! ## Protocol
//! 1. The host allocates byte buffers with [`alloc_bytes`] (16-byte aligned, zero-filled) and
//!    writes the inputs into them.
//! 2. It calls a kernel export with `(pointer, length)` pairs; lengths count *elements*
//!    (f64, i8 or u8), not bytes. Every kernel returns an `i32` status: `0` = ok, anything
//!    else is one of the `STATUS_*` codes below, whose message is then available as UTF-8 at
//!    [`last_error_ptr`] / [`last_error_len`] (valid until the next call).
//! 3. It reads the outputs back and eventually releases the buffers with [`free_bytes`].
//!
//! Any call may grow the memory (which detaches the host's `ArrayBuffer` views).
//!
//! ## Safety at the boundary
//! `unsafe` appears only where a raw pointer becomes a slice, and only after the region has
//! been checked: non-null, aligned for its element type, its byte size computed without
//! overflow, lying entirely inside one live allocation made by [`alloc_bytes`] (which
//! zero-fills, so the bytes are always initialised), and — for output regions — disjoint from
//! every other region of the call. The kernels themselves validate all lengths and parameters
//! and never panic, so no input can make an export panic; a failed check is an error status.
//! (Running out of memory inside a kernel's scratch allocation traps, like any wasm OOM.)

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::mem::{align_of, size_of};
use std::sync::{Mutex, MutexGuard};

use atc_kernels as k;
use atc_kernels::{
    KernelError, MaKind, Params, Robustness, Workspace, DETAIL_ROWS, FAMILIES, OUT_ROWS,
};

/// Version of this export API; bumped on any incompatible change.
pub const ABI_VERSION: u32 = 1;
/// Number of f64 slots of the packed config read by [`compute_atc`] (core's `packConfig`).
pub const PACKED_CONFIG_LENGTH: usize = 19;
/// Alignment of every [`alloc_bytes`] buffer.
pub const ALLOC_ALIGN: usize = 16;

// --- status codes ---------------------------------------------------------------------------
/// Success.
pub const STATUS_OK: i32 = 0;
/// Kernel: a slice has the wrong length.
pub const STATUS_LENGTH_MISMATCH: i32 = 1;
/// Kernel: an MA length is below 1.
pub const STATUS_LENGTH_TOO_SMALL: i32 = 2;
/// Kernel: the series is shorter than an MA length.
pub const STATUS_SERIES_TOO_SHORT: i32 = 3;
/// Kernel: HMA length below 2.
pub const STATUS_HMA_LENGTH_TOO_SMALL: i32 = 4;
/// Kernel: cutout ≥ n.
pub const STATUS_CUTOUT_TOO_LARGE: i32 = 5;
/// Kernel: an input that must not be empty is.
pub const STATUS_EMPTY: i32 = 6;
/// Kernel: a row-major matrix is not `rows × n`.
pub const STATUS_NOT_ROW_MAJOR: i32 = 7;
/// Kernel: a scalar parameter is out of range.
pub const STATUS_INVALID_PARAMETER: i32 = 8;
/// Kernel: a size computation overflowed.
pub const STATUS_OVERFLOW: i32 = 9;
/// Kernel: an error this crate does not know by name.
pub const STATUS_KERNEL_OTHER: i32 = 19;
/// FFI: a null pointer for a non-empty region.
pub const STATUS_NULL_POINTER: i32 = 20;
/// FFI: a pointer not aligned for its element type.
pub const STATUS_MISALIGNED: i32 = 21;
/// FFI: a region not inside one live `alloc_bytes` allocation.
pub const STATUS_OUT_OF_BOUNDS: i32 = 22;
/// FFI: an output region overlaps another region of the same call.
pub const STATUS_OVERLAP: i32 = 23;
/// FFI: `count × element size` overflows.
pub const STATUS_SIZE_OVERFLOW: i32 = 24;
/// FFI: unknown moving-average kind code.
pub const STATUS_INVALID_KIND: i32 = 25;
/// FFI: a packed-config slot is not a valid value (e.g. a non-integral length).
pub const STATUS_INVALID_CONFIG: i32 = 26;
/// FFI: the detail pointers are neither all null nor all non-null.
pub const STATUS_INVALID_DETAIL: i32 = 27;
/// FFI: `free_bytes` of something `alloc_bytes` did not return.
pub const STATUS_UNKNOWN_ALLOCATION: i32 = 28;

// --- global state -----------------------------------------------------------------------------

/// Everything the exports keep between calls. wasm32-unknown-unknown runs one thread, so the
/// mutex never contends; it just gives safe shared mutable state without `static mut`.
struct State {
    /// Message of the last failed call.
    last_error: Vec<u8>,
    /// Live allocations made by `alloc_bytes`: `(address, size)`.
    allocations: Vec<(usize, usize)>,
    /// Scratch of the fused pipeline, reused across calls (grows only).
    workspace: Option<Workspace>,
    /// Scratch of the single HMA kernel, reused across calls (grows only).
    hma_scratch: Vec<f64>,
}

static STATE: Mutex<State> = Mutex::new(State {
    last_error: Vec::new(),
    allocations: Vec::new(),
    workspace: None,
    hma_scratch: Vec::new(),
});

fn state() -> MutexGuard<'static, State> {
    // No unwinding (panic = abort), so the lock can never be poisoned; recover anyway.
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A failed call: status code plus message.
struct Fail {
    code: i32,
    message: String,
}

impl Fail {
    fn new(code: i32, message: impl Into<String>) -> Self {
        Fail {
            code,
            message: message.into(),
        }
    }
}

impl From<KernelError> for Fail {
    fn from(e: KernelError) -> Self {
        #[allow(unreachable_patterns)]
        let code = match e {
            KernelError::LengthMismatch { .. } => STATUS_LENGTH_MISMATCH,
            KernelError::LengthTooSmall { .. } => STATUS_LENGTH_TOO_SMALL,
            KernelError::SeriesTooShort { .. } => STATUS_SERIES_TOO_SHORT,
            KernelError::HmaLengthTooSmall { .. } => STATUS_HMA_LENGTH_TOO_SMALL,
            KernelError::CutoutTooLarge { .. } => STATUS_CUTOUT_TOO_LARGE,
            KernelError::Empty { .. } => STATUS_EMPTY,
            KernelError::NotRowMajor { .. } => STATUS_NOT_ROW_MAJOR,
            KernelError::InvalidParameter { .. } => STATUS_INVALID_PARAMETER,
            KernelError::Overflow { .. } => STATUS_OVERFLOW,
            _ => STATUS_KERNEL_OTHER,
        };
        Fail {
            code,
            message: e.to_string(),
        }
    }
}

/// Records the outcome of export `name` and turns it into its status code.
fn finish(st: &mut State, name: &str, result: Result<(), Fail>) -> i32 {
    match result {
        Ok(()) => {
            st.last_error.clear();
            STATUS_OK
        }
        Err(fail) => {
            st.last_error.clear();
            st.last_error.extend_from_slice(name.as_bytes());
            st.last_error.extend_from_slice(b": ");
            st.last_error.extend_from_slice(fail.message.as_bytes());
            fail.code
        }
    }
}

// --- regions ------------------------------------------------------------------------------------

/// A checked memory region of one call argument.
#[derive(Clone, Copy)]
struct Region {
    addr: usize,
    bytes: usize,
    count: usize,
    what: &'static str,
}

/// Checks that `count` elements of `T` at `ptr` are a region the host may pass: see the crate
/// docs. Empty regions are always accepted (the pointer is then never used).
fn region<T>(
    allocations: &[(usize, usize)],
    ptr: *const T,
    count: usize,
    what: &'static str,
) -> Result<Region, Fail> {
    let bytes = count.checked_mul(size_of::<T>()).ok_or_else(|| {
        Fail::new(
            STATUS_SIZE_OVERFLOW,
            format!("{what}: {count} elements overflow the address space"),
        )
    })?;
    if bytes == 0 {
        return Ok(Region {
            addr: 0,
            bytes: 0,
            count: 0,
            what,
        });
    }
    let addr = ptr as usize;
    if addr == 0 {
        return Err(Fail::new(
            STATUS_NULL_POINTER,
            format!("{what}: null pointer for {count} elements"),
        ));
    }
    if !addr.is_multiple_of(align_of::<T>()) {
        return Err(Fail::new(
            STATUS_MISALIGNED,
            format!(
                "{what}: pointer {addr:#x} is not aligned to {} bytes",
                align_of::<T>()
            ),
        ));
    }
    let end = addr.checked_add(bytes).ok_or_else(|| {
        Fail::new(
            STATUS_SIZE_OVERFLOW,
            format!("{what}: region end overflows the address space"),
        )
    })?;
    let inside = allocations
        .iter()
        .any(|&(a, size)| addr >= a && end <= a + size);
    if !inside {
        return Err(Fail::new(
            STATUS_OUT_OF_BOUNDS,
            format!(
                "{what}: {bytes} bytes at {addr:#x} are not inside one buffer from alloc_bytes"
            ),
        ));
    }
    Ok(Region {
        addr,
        bytes,
        count,
        what,
    })
}

/// Every region listed (by index) in `outputs` must be disjoint from every other region of
/// `all`; inputs may overlap each other (they are only read).
fn check_disjoint(all: &[Region], outputs: &[usize]) -> Result<(), Fail> {
    for &o in outputs {
        let a = all[o];
        for (j, b) in all.iter().enumerate() {
            if j == o || a.bytes == 0 || b.bytes == 0 {
                continue;
            }
            if a.addr < b.addr + b.bytes && b.addr < a.addr + a.bytes {
                return Err(Fail::new(
                    STATUS_OVERLAP,
                    format!("{} overlaps {}", a.what, b.what),
                ));
            }
        }
    }
    Ok(())
}

/// Marker for the element types that may be viewed in linear memory: every bit pattern is
/// a valid value and the type has no drop glue.
trait Plain: Copy {}
impl Plain for f64 {}
impl Plain for i8 {}
impl Plain for u8 {}

/// # Safety
/// `r` must come from [`region`] for element type `T` during the current call (so it is
/// aligned, initialised — `alloc_bytes` zero-fills — and inside a live allocation), and no
/// `&mut` view of an overlapping region may exist while the returned slice lives.
unsafe fn view<'a, T: Plain>(r: Region) -> &'a [T] {
    if r.bytes == 0 {
        return &[];
    }
    // SAFETY: guaranteed by this function's contract (see above).
    unsafe { core::slice::from_raw_parts(r.addr as *const T, r.count) }
}

/// # Safety
/// As [`view`], and the region must be disjoint from every other view alive at the same time
/// ([`check_disjoint`]).
unsafe fn view_mut<'a, T: Plain>(r: Region) -> &'a mut [T] {
    if r.bytes == 0 {
        return &mut [];
    }
    // SAFETY: guaranteed by this function's contract (see above).
    unsafe { core::slice::from_raw_parts_mut(r.addr as *mut T, r.count) }
}

/// Runs export `name`: locks the state, runs `body`, records its outcome ([`finish`]).
fn export(name: &str, body: impl FnOnce(&mut State) -> Result<(), Fail>) -> i32 {
    let mut st = state();
    let st = &mut *st;
    let result = body(st);
    finish(st, name, result)
}

/// An input argument: pointer, element count, name for messages.
type Arg<T> = (*const T, usize, &'static str);

/// Two input views and one output view.
type Views2<'a, A, B, O> = (&'a [A], &'a [B], &'a mut [O]);

/// Checks one input and one output region (`out` disjoint from the input) and views them.
///
/// # Safety
/// The views must not outlive the export call that made them (the host does not touch linear
/// memory while an export runs, and the next call may free or reuse these regions).
unsafe fn views1<'a, A: Plain, O: Plain>(
    allocations: &[(usize, usize)],
    a: Arg<A>,
    out: (*mut O, usize),
) -> Result<(&'a [A], &'a mut [O]), Fail> {
    let ra = region(allocations, a.0, a.1, a.2)?;
    let ro = region(allocations, out.0.cast_const(), out.1, "out")?;
    check_disjoint(&[ra, ro], &[1])?;
    // SAFETY: both regions were checked by `region` in this call, `out` is disjoint from the
    // input, and the caller keeps the views within the call.
    Ok(unsafe { (view::<A>(ra), view_mut::<O>(ro)) })
}

/// [`views1`] for two inputs (which may overlap each other: they are only read).
///
/// # Safety
/// As [`views1`].
unsafe fn views2<'a, A: Plain, B: Plain, O: Plain>(
    allocations: &[(usize, usize)],
    a: Arg<A>,
    b: Arg<B>,
    out: (*mut O, usize),
) -> Result<Views2<'a, A, B, O>, Fail> {
    let ra = region(allocations, a.0, a.1, a.2)?;
    let rb = region(allocations, b.0, b.1, b.2)?;
    let ro = region(allocations, out.0.cast_const(), out.1, "out")?;
    check_disjoint(&[ra, rb, ro], &[2])?;
    // SAFETY: all three regions were checked by `region` in this call, `out` is disjoint from
    // both inputs, and the caller keeps the views within the call.
    Ok(unsafe { (view::<A>(ra), view::<B>(rb), view_mut::<O>(ro)) })
}

// --- allocation -----------------------------------------------------------------------------------

/// Allocates `size` zero-filled bytes aligned to 16. Returns null when `size` is 0 or the
/// memory cannot grow.
#[no_mangle]
pub extern "C" fn alloc_bytes(size: usize) -> *mut u8 {
    if size == 0 {
        return core::ptr::null_mut();
    }
    let Ok(layout) = Layout::from_size_align(size, ALLOC_ALIGN) else {
        return core::ptr::null_mut();
    };
    let mut st = state();
    if st.allocations.try_reserve(1).is_err() {
        return core::ptr::null_mut();
    }
    // SAFETY: `layout` has a non-zero size (checked above).
    let ptr = unsafe { alloc_zeroed(layout) };
    if !ptr.is_null() {
        st.allocations.push((ptr as usize, size));
    }
    ptr
}

/// Releases a buffer returned by [`alloc_bytes`] with the same `size`. Returns 0, or
/// `STATUS_UNKNOWN_ALLOCATION` (nothing is freed) when `(ptr, size)` is not a live allocation.
/// Freeing null is a no-op.
// `ptr` is only dereferenced (by `dealloc`) after it was found in the live-allocation list,
// so this safe function cannot be misused: an unknown pointer is an error status.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn free_bytes(ptr: *mut u8, size: usize) -> i32 {
    if ptr.is_null() {
        return STATUS_OK;
    }
    let mut st = state();
    let addr = ptr as usize;
    let Some(index) = st
        .allocations
        .iter()
        .position(|&(a, s)| a == addr && s == size)
    else {
        let message = format!("{size} bytes at {addr:#x} were not allocated by alloc_bytes");
        return finish(
            &mut st,
            "free_bytes",
            Err(Fail::new(STATUS_UNKNOWN_ALLOCATION, message)),
        );
    };
    st.allocations.swap_remove(index);
    // The layout is the one `alloc_bytes` built for this size (it succeeded then).
    if let Ok(layout) = Layout::from_size_align(size, ALLOC_ALIGN) {
        // SAFETY: `(ptr, size)` was returned by `alloc_bytes` with exactly this layout and
        // has not been freed since (it was still in the live list, and is now removed).
        unsafe { dealloc(ptr, layout) };
    }
    STATUS_OK
}

/// Address of the UTF-8 message of the last failed call (empty after a success).
#[no_mangle]
pub extern "C" fn last_error_ptr() -> *const u8 {
    state().last_error.as_ptr()
}

/// Byte length of the message at [`last_error_ptr`].
#[no_mangle]
pub extern "C" fn last_error_len() -> usize {
    state().last_error.len()
}

/// [`ABI_VERSION`].
#[no_mangle]
pub extern "C" fn abi_version() -> u32 {
    ABI_VERSION
}

/// 1 when this build was compiled with the `simd128` target feature, else 0.
#[no_mangle]
pub extern "C" fn simd_enabled() -> u32 {
    u32::from(cfg!(target_feature = "simd128"))
}

// --- kernels ------------------------------------------------------------------------------------

/// Shared body of the moving-average exports: `out[0..n] = MA(x[0..n], length)`.
fn run_ma(
    name: &str,
    kind: MaKind,
    x_ptr: *const f64,
    n: usize,
    length: u32,
    out_ptr: *mut f64,
) -> i32 {
    export(name, |st| {
        // SAFETY: the views live only within this call.
        let (x, out) = unsafe { views1(&st.allocations, (x_ptr, n, "source"), (out_ptr, n)) }?;
        let length = length as usize;
        match kind {
            MaKind::Hma => k::hma_with_scratch(x, length, out, &mut st.hma_scratch)?,
            _ => k::moving_average(kind, x, length, out)?,
        }
        Ok(())
    })
}

/// Any moving average by kind code (0 SMA, 1 EMA, 2 WMA, 3 HMA, 4 DEMA, 5 LSMA, 6 KAMA; core's
/// `MA_KIND_CODE`): `out[0..n] = MA(x[0..n], length)`, warm-up slots NaN.
#[no_mangle]
pub extern "C" fn moving_average(
    kind: u32,
    x_ptr: *const f64,
    n: usize,
    length: u32,
    out_ptr: *mut f64,
) -> i32 {
    match MaKind::from_index(kind) {
        Some(kind) => run_ma("moving_average", kind, x_ptr, n, length, out_ptr),
        None => {
            let mut st = state();
            let message = format!("unknown moving-average kind {kind} (0..=6)");
            finish(
                &mut st,
                "moving_average",
                Err(Fail::new(STATUS_INVALID_KIND, message)),
            )
        }
    }
}

/// `out[0] = NaN`, `out[i] = p[i]/p[i−1] − 1` for `n` prices.
#[no_mangle]
pub extern "C" fn rate_of_change(p_ptr: *const f64, n: usize, out_ptr: *mut f64) -> i32 {
    export("rate_of_change", |st| {
        // SAFETY: the views live only within this call.
        let (p, out) = unsafe { views1(&st.allocations, (p_ptr, n, "prices"), (out_ptr, n)) }?;
        Ok(k::rate_of_change(p, out)?)
    })
}

/// Scaled returns `R[i]·exp(λ·max(i,1))` for `n` prices; `lambda` = La/1000.
#[no_mangle]
pub extern "C" fn scaled_returns(
    p_ptr: *const f64,
    n: usize,
    lambda: f64,
    out_ptr: *mut f64,
) -> i32 {
    export("scaled_returns", |st| {
        // SAFETY: the views live only within this call.
        let (p, out) = unsafe { views1(&st.allocations, (p_ptr, n, "prices"), (out_ptr, n)) }?;
        Ok(k::scaled_returns(p, lambda, out)?)
    })
}

/// Persistent crossover state (i8 per bar) of `n` prices against an MA.
#[no_mangle]
pub extern "C" fn crossover_signal(
    p_ptr: *const f64,
    ma_ptr: *const f64,
    n: usize,
    out_ptr: *mut i8,
) -> i32 {
    export("crossover_signal", |st| {
        let (p, ma) = ((p_ptr, n, "prices"), (ma_ptr, n, "ma"));
        // SAFETY: the views live only within this call.
        let (p, ma, out) = unsafe { views2(&st.allocations, p, ma, (out_ptr, n)) }?;
        Ok(k::crossover_signal(p, ma, out)?)
    })
}

/// Held state from `n` up/down flags (u8, non-zero = set; up wins).
#[no_mangle]
pub extern "C" fn persist_signal(
    up_ptr: *const u8,
    down_ptr: *const u8,
    n: usize,
    out_ptr: *mut i8,
) -> i32 {
    export("persist_signal", |st| {
        let (up, down) = ((up_ptr, n, "up"), (down_ptr, n, "down"));
        // SAFETY: the views live only within this call.
        let (up, down, out) = unsafe { views2(&st.allocations, up, down, (out_ptr, n)) }?;
        Ok(k::persist_signal(up, down, out)?)
    })
}

/// Equity curve over `n` bars of the unshifted `signal` on `returns`.
#[no_mangle]
pub extern "C" fn equity_curve(
    returns_ptr: *const f64,
    signal_ptr: *const f64,
    n: usize,
    starting_equity: f64,
    decay_multiplier: f64,
    cutout: usize,
    out_ptr: *mut f64,
) -> i32 {
    export("equity_curve", |st| {
        let (r, s) = ((returns_ptr, n, "returns"), (signal_ptr, n, "signal"));
        // SAFETY: the views live only within this call.
        let (r, s, out) = unsafe { views2(&st.allocations, r, s, (out_ptr, n)) }?;
        Ok(k::equity_curve(
            r,
            s,
            starting_equity,
            decay_multiplier,
            cutout,
            out,
        )?)
    })
}

/// Layer-1 signal of `n` bars from `len = rows × n` signals (i8) and equities (f64),
/// row-major.
#[no_mangle]
pub extern "C" fn layer1_signal(
    signals_ptr: *const i8,
    equities_ptr: *const f64,
    len: usize,
    out_ptr: *mut f64,
    n: usize,
) -> i32 {
    export("layer1_signal", |st| {
        let (s, e) = (
            (signals_ptr, len, "signals"),
            (equities_ptr, len, "equities"),
        );
        // SAFETY: the views live only within this call.
        let (s, e, out) = unsafe { views2(&st.allocations, s, e, (out_ptr, n)) }?;
        Ok(k::layer1_signal(s, e, out)?)
    })
}

/// A packed-config slot that must be a non-negative integer.
fn config_index(packed: &[f64], slot: usize, what: &str) -> Result<usize, Fail> {
    let v = packed[slot];
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(v as usize)
    } else {
        Err(Fail::new(
            STATUS_INVALID_CONFIG,
            format!("config slot {slot} ({what}) must be an integer in [0, 2^32), got {v}"),
        ))
    }
}

/// Decodes core's `packConfig` layout into kernel [`Params`].
fn decode_params(packed: &[f64]) -> Result<Params, Fail> {
    const LENGTH_NAMES: [&str; FAMILIES] = [
        "emaLength",
        "hmaLength",
        "wmaLength",
        "demaLength",
        "lsmaLength",
        "kamaLength",
    ];
    if packed.len() != PACKED_CONFIG_LENGTH {
        return Err(Fail::new(
            STATUS_INVALID_CONFIG,
            "packed config must have 19 slots",
        ));
    }
    let mut lengths = [0usize; FAMILIES];
    let mut weights = [0f64; FAMILIES];
    for f in 0..FAMILIES {
        lengths[f] = config_index(packed, f, LENGTH_NAMES[f])?;
        weights[f] = packed[6 + f];
    }
    let code = config_index(packed, 12, "robustness")?;
    let robustness = u32::try_from(code)
        .ok()
        .and_then(Robustness::from_index)
        .ok_or_else(|| {
            Fail::new(
                STATUS_INVALID_CONFIG,
                format!("config slot 12 (robustness) must be 0, 1 or 2, got {code}"),
            )
        })?;
    let strategy = packed[18];
    if strategy != 0.0 && strategy != 1.0 {
        return Err(Fail::new(
            STATUS_INVALID_CONFIG,
            format!("config slot 18 (strategyMode) must be 0 or 1, got {strategy}"),
        ));
    }
    Ok(Params {
        lengths,
        weights,
        robustness,
        la: packed[13],
        de: packed[14],
        cutout: config_index(packed, 15, "cutout")?,
        long_threshold: packed[16],
        short_threshold: packed[17],
        strategy_mode: strategy == 1.0,
    })
}

/// The fused ATC pipeline on `n` prices with core's 19-slot packed config at `params_ptr`.
/// With `m = n − cutout`: `out_ptr` receives 13 × m f64 (Layer-1 ×6, Layer-2 ×6, Average);
/// `mas_ptr` (f64), `sigs_ptr` (i8) and `eqs_ptr` (f64) receive 54 × m values each, or are
/// all null for no details. Scratch memory is kept between calls and only grows.
#[no_mangle]
pub extern "C" fn compute_atc(
    prices_ptr: *const f64,
    n: usize,
    params_ptr: *const f64,
    out_ptr: *mut f64,
    mas_ptr: *mut f64,
    sigs_ptr: *mut i8,
    eqs_ptr: *mut f64,
) -> i32 {
    export("compute_atc", |st| {
        let pr = region(&st.allocations, params_ptr, PACKED_CONFIG_LENGTH, "params")?;
        // SAFETY: checked region; only read, and no mutable view exists yet.
        let params = decode_params(unsafe { view::<f64>(pr) })?;
        // An invalid cutout gives m = 0 here; the kernel then reports the precise error.
        let m = n.saturating_sub(params.cutout);
        let out_len = OUT_ROWS.saturating_mul(m);
        let det_len = DETAIL_ROWS.saturating_mul(m);
        let prices = region(&st.allocations, prices_ptr, n, "prices")?;
        let out = region(&st.allocations, out_ptr.cast_const(), out_len, "out")?;
        let nulls = [mas_ptr.is_null(), sigs_ptr.is_null(), eqs_ptr.is_null()];
        let details = if nulls == [true; 3] {
            None
        } else if nulls == [false; 3] {
            Some((
                region(&st.allocations, mas_ptr.cast_const(), det_len, "mas")?,
                region(&st.allocations, sigs_ptr.cast_const(), det_len, "sigs")?,
                region(&st.allocations, eqs_ptr.cast_const(), det_len, "eqs")?,
            ))
        } else {
            return Err(Fail::new(
                STATUS_INVALID_DETAIL,
                "detail pointers must be all null or all non-null",
            ));
        };
        match details {
            None => check_disjoint(&[pr, prices, out], &[2])?,
            Some((a, b, c)) => check_disjoint(&[pr, prices, out, a, b, c], &[2, 3, 4, 5])?,
        }
        // SAFETY: every region was checked in this call and each output region is disjoint
        // from all other regions (inputs and outputs).
        let prices = unsafe { view::<f64>(prices) };
        // SAFETY: as above.
        let out = unsafe { view_mut::<f64>(out) };
        // SAFETY: as above.
        let detail = details.map(|(a, b, c)| unsafe {
            (view_mut::<f64>(a), view_mut::<i8>(b), view_mut::<f64>(c))
        });
        let ws = st.workspace.get_or_insert_with(Workspace::new);
        k::compute_atc(prices, &params, out, detail, ws)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests share the global state (last error); run them one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn buf(len: usize) -> *mut u8 {
        alloc_bytes(len)
    }

    fn message() -> String {
        let st = state();
        String::from_utf8(st.last_error.clone()).unwrap()
    }

    #[test]
    fn ema_through_the_boundary_matches_the_kernel() {
        let _serial = serial();
        let x: Vec<f64> = (0..100).map(|i| 100.0 + (i as f64 * 0.3).sin()).collect();
        let xp = buf(800) as *mut f64;
        let op = buf(800) as *mut f64;
        // SAFETY: test-only, 800-byte buffers from alloc_bytes.
        unsafe { core::ptr::copy_nonoverlapping(x.as_ptr(), xp, 100) };
        assert_eq!(moving_average(1, xp, 100, 10, op), 0);
        let mut expected = vec![0.0; 100];
        k::ema(&x, 10, &mut expected).unwrap();
        // SAFETY: as above.
        let got = unsafe { core::slice::from_raw_parts(op, 100) };
        for (a, b) in got.iter().zip(&expected) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert_eq!(free_bytes(xp.cast(), 800), 0);
        assert_eq!(free_bytes(op.cast(), 800), 0);
    }

    #[test]
    fn rejects_bad_regions() {
        let _serial = serial();
        let a = buf(64) as *mut f64;
        assert_eq!(
            moving_average(1, core::ptr::null(), 4, 2, a),
            STATUS_NULL_POINTER
        );
        assert_eq!(moving_average(1, a, 4, 2, a), STATUS_OVERLAP);
        assert!(message().contains("overlaps"));
        assert_eq!(
            moving_average(1, a, 16, 2, a.wrapping_add(4)),
            STATUS_OUT_OF_BOUNDS
        );
        // SAFETY: not dereferenced (the check fails first).
        let odd = unsafe { (a as *mut u8).add(1) } as *const f64;
        assert_eq!(
            moving_average(1, odd, 2, 1, a.wrapping_add(4)),
            STATUS_MISALIGNED
        );
        assert_eq!(moving_average(1, a, usize::MAX, 2, a), STATUS_SIZE_OVERFLOW);
        assert_eq!(moving_average(9, a, 1, 1, a), STATUS_INVALID_KIND);
        assert_eq!(
            moving_average(1, a, 2, 3, a.wrapping_add(4)),
            STATUS_SERIES_TOO_SHORT
        );
        assert_eq!(
            moving_average(1, a, 2, 0, a.wrapping_add(4)),
            STATUS_LENGTH_TOO_SMALL
        );
        assert_eq!(free_bytes(a.cast(), 63), STATUS_UNKNOWN_ALLOCATION);
        assert_eq!(free_bytes(a.cast(), 64), STATUS_OK);
        assert_eq!(
            moving_average(1, a, 2, 1, a.wrapping_add(4)),
            STATUS_OUT_OF_BOUNDS
        );
    }

    #[test]
    fn compute_atc_rejects_bad_configs_without_panicking() {
        let _serial = serial();
        let n = 200;
        let prices = buf(8 * n) as *mut f64;
        let params = buf(8 * 19) as *mut f64;
        let out = buf(8 * 13 * n) as *mut f64;
        let p: Vec<f64> = (0..n).map(|i| 50.0 + (i as f64 * 0.1).cos()).collect();
        let mut cfg = [
            28.0, 28.0, 28.0, 28.0, 28.0, 28.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.02, 0.03, 0.0,
            0.1, -0.1, 0.0,
        ];
        let write = |c: &[f64; 19]| {
            // SAFETY: test-only, buffers from alloc_bytes of the right sizes.
            unsafe {
                core::ptr::copy_nonoverlapping(p.as_ptr(), prices, n);
                core::ptr::copy_nonoverlapping(c.as_ptr(), params, 19);
            }
        };
        write(&cfg);
        let null = core::ptr::null_mut();
        assert_eq!(
            compute_atc(prices, n, params, out, null, null.cast(), null),
            0
        );
        for (slot, bad) in [
            (0, 28.5),
            (0, -1.0),
            (12, 3.0),
            (18, 0.5),
            (15, f64::NAN),
            (13, f64::INFINITY),
            (6, 0.0),
            (1, 3.0),
        ] {
            let saved = cfg[slot];
            cfg[slot] = bad;
            write(&cfg);
            let status = compute_atc(prices, n, params, out, null, null.cast(), null);
            assert_ne!(status, 0, "slot {slot} = {bad}");
            cfg[slot] = saved;
        }
        cfg[15] = n as f64;
        write(&cfg);
        assert_eq!(
            compute_atc(prices, n, params, out, null, null.cast(), null),
            STATUS_CUTOUT_TOO_LARGE
        );
        cfg[15] = 0.0;
        write(&cfg);
        assert_eq!(
            compute_atc(prices, 10, params, out, null, null.cast(), null),
            STATUS_SERIES_TOO_SHORT
        );
        assert_eq!(
            compute_atc(prices, n, params, out, out, null.cast(), null),
            STATUS_INVALID_DETAIL
        );
    }
}
