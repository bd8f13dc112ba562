//! Memory the module keeps between calls: the kernels write into these buffers (linear memory),
//! then one copy moves the result into the caller's JS array. Buffers only grow, so repeated
//! calls of one size never grow the memory, and linear memory stays at about what the largest
//! call needed.

use std::cell::RefCell;

use atc_kernels::Workspace;
use js_sys::{Float64Array, Int8Array};
use wasm_bindgen::JsValue;

use crate::errors;

#[derive(Default)]
pub(crate) struct Scratch {
    /// The f64 output of a single kernel, or the pipeline's 13 output rows.
    pub out_f64: Vec<f64>,
    /// The i8 output of a single kernel.
    pub out_i8: Vec<i8>,
    /// HMA's intermediate series.
    pub hma: Vec<f64>,
    /// The fused pipeline's own scratch.
    pub workspace: Workspace,
    /// The pipeline's detail rows: moving averages, signals, equities.
    pub mas: Vec<f64>,
    pub sigs: Vec<i8>,
    pub eqs: Vec<f64>,
}

thread_local! {
    // wasm32-unknown-unknown runs one thread: this is the instance's single scratch.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with the instance's scratch. (Never re-entered: no kernel calls back into JS code
/// that could call the module.)
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|s| f(&mut s.borrow_mut()))
}

/// The first `len` elements of `v`, growing it (never shrinking, never refilling) as needed.
/// An output too large for linear memory is a `RangeError`, not an allocation failure (which
/// would abort the instance).
pub(crate) fn grown<T: Copy + Default>(v: &mut Vec<T>, len: usize) -> Result<&mut [T], JsValue> {
    if v.len() < len {
        if v.try_reserve_exact(len - v.len()).is_err() {
            let message = format!("an output of {len} values does not fit in linear memory");
            return Err(errors::range_error("out of memory", message));
        }
        v.resize(len, T::default());
    }
    Ok(&mut v[..len])
}

impl Scratch {
    /// Scratch the size of the caller's f64 output.
    pub fn f64_out(&mut self, out: &Float64Array) -> Result<&mut [f64], JsValue> {
        grown(&mut self.out_f64, out.length() as usize)
    }

    /// [`Scratch::f64_out`] plus HMA's intermediate series.
    pub fn f64_out_and_hma(
        &mut self,
        out: &Float64Array,
    ) -> Result<(&mut [f64], &mut Vec<f64>), JsValue> {
        Ok((grown(&mut self.out_f64, out.length() as usize)?, &mut self.hma))
    }

    /// Scratch the size of the caller's i8 output.
    pub fn i8_out(&mut self, out: &Int8Array) -> Result<&mut [i8], JsValue> {
        grown(&mut self.out_i8, out.length() as usize)
    }
}
