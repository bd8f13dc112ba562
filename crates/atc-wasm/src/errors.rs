//! How failures reach JavaScript: a kernel's refusal becomes a `RangeError` with
//! [`KernelError`]'s message; a panic (none is expected: the kernels validate instead) traps,
//! and its message is kept for the host to read before it replaces the instance.

use std::cell::RefCell;
use std::fmt;

use atc_kernels::KernelError;
use js_sys::RangeError;
use wasm_bindgen::JsValue;

/// What every export returns: `Err` is thrown in JavaScript by the glue.
pub(crate) type Fallible = Result<(), JsValue>;

/// `RangeError("[adaptive-trend wasm] <export>: <message>")`.
pub(crate) fn range_error(export: &str, message: impl fmt::Display) -> JsValue {
    RangeError::new(&format!("[adaptive-trend wasm] {export}: {message}")).into()
}

/// `map_err` adapter: a kernel error of `export` as a `RangeError`.
pub(crate) fn kernel_error(export: &'static str) -> impl Fn(KernelError) -> JsValue {
    move |e| range_error(export, e)
}

thread_local! {
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records every panic's message (then `panic = "abort"` traps).
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(message));
    }));
}

pub(crate) fn take_panic_message() -> Option<String> {
    PANIC_MESSAGE.with(|m| m.borrow_mut().take())
}
