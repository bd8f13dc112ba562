//! JavaScript arguments → Rust values, with the binding's error contract: a wrong JS type or
//! typed-array kind is a `TypeError` (code `ERR_ATC_ARG_TYPE`), a bad value or length a
//! `RangeError` (`ERR_ATC_ARG_RANGE`); both name the argument.
//!
//! Every export declares its parameters as `Unknown` and converts them here, because napi-rs's
//! own conversions throw a plain `Error` that names neither the argument nor what it got.
//! Typed arrays are borrowed zero-copy as napi-rs slices (`Float64ArraySlice` & co.: a pointer
//! to the view's first element, byte offset applied, no copy). The fast path is one Node-API
//! call per argument; working out *what* was passed instead happens only when that fails.

use core::fmt;

use atc_kernels::KernelError;
use napi::bindgen_prelude::{
    Array, Env, Float64ArraySlice, Int8ArraySlice, JsObjectValue, TypedArray, TypedArrayType,
    Uint8ArraySlice, Unknown, ValueType,
};
use napi::Status;

/// Why an export refused its arguments (or failed), before it becomes a JS exception.
#[derive(Debug)]
pub enum Failure {
    /// `TypeError`: wrong JS type or typed-array kind.
    Type(String),
    /// `RangeError`: bad length or value (kernel validation errors included).
    Range(String),
    /// A Node-API call failed or JavaScript threw (an array getter): passed on as is.
    Napi(napi::Error),
}

/// The result of converting or computing.
pub type Outcome<T = ()> = Result<T, Failure>;

impl From<napi::Error> for Failure {
    fn from(e: napi::Error) -> Self {
        Failure::Napi(e)
    }
}

/// The kernels validate their inputs; their message is the `RangeError`'s.
impl From<KernelError> for Failure {
    fn from(e: KernelError) -> Self {
        Failure::Range(e.to_string())
    }
}

/// Throws `failure` as the JS error it stands for and returns what napi-rs expects back for
/// an exception that is already pending.
pub fn throw(env: &Env, failure: Failure) -> napi::Error {
    let thrown = match failure {
        Failure::Type(m) => env.throw_type_error(&m, Some("ERR_ATC_ARG_TYPE")),
        Failure::Range(m) => env.throw_range_error(&m, Some("ERR_ATC_ARG_RANGE")),
        Failure::Napi(e) => return e,
    };
    match thrown {
        Ok(()) => napi::Error::new(Status::PendingException, String::new()),
        Err(e) => e,
    }
}

/// How an argument is named in messages: `name` or `name[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label {
    name: &'static str,
    index: Option<u32>,
}

impl Label {
    /// A plain argument.
    pub const fn plain(name: &'static str) -> Label {
        Label { name, index: None }
    }

    /// Element `index` of an array argument.
    pub const fn at(name: &'static str, index: u32) -> Label {
        Label {
            name,
            index: Some(index),
        }
    }
}

impl From<&'static str> for Label {
    fn from(name: &'static str) -> Label {
        Label::plain(name)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            None => f.write_str(self.name),
            Some(i) => write!(f, "{}[{i}]", self.name),
        }
    }
}

/// Largest length or index accepted from JS (2^32 − 1: typed arrays are shorter anyway).
const MAX_INTEGER: f64 = 4_294_967_295.0;

/// A JS number.
pub fn number(v: Unknown<'_>, name: &'static str) -> Outcome<f64> {
    // SAFETY: `v` is a handle of the current call; `f64`'s conversion checks the type itself
    // (napi_get_value_double fails on anything but a number).
    unsafe { v.cast::<f64>() }.map_err(|_| wrong_type(v, name.into(), "a number"))
}

/// A JS boolean.
pub fn boolean(v: Unknown<'_>, name: Label) -> Outcome<bool> {
    if v.get_type()? != ValueType::Boolean {
        return Err(wrong_type(v, name, "a boolean"));
    }
    // SAFETY: `v` is a handle of the current call, and a boolean (checked just above).
    unsafe { v.cast::<bool>() }.map_err(Failure::Napi)
}

/// A JS number that is an integer in `[min, 2^32 − 1]`.
pub fn integer(v: Unknown<'_>, name: &'static str, min: u32) -> Outcome<usize> {
    checked_integer(number(v, name)?, name, min)
}

fn checked_integer(x: f64, name: &str, min: u32) -> Outcome<usize> {
    if x.is_finite() && x.fract() == 0.0 && x >= f64::from(min) && x <= MAX_INTEGER {
        Ok(x as usize)
    } else {
        Err(Failure::Range(format!(
            "{name} must be an integer between {min} and {MAX_INTEGER} (got {x})"
        )))
    }
}

/// A finite JS number.
pub fn finite(v: Unknown<'_>, name: &'static str) -> Outcome<f64> {
    let x = number(v, name)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(Failure::Range(format!("{name} must be finite (got {x})")))
    }
}

macro_rules! typed_array {
    ($(#[$doc:meta])* $fn:ident -> $slice:ident, $js:literal) => {
        $(#[$doc])*
        pub fn $fn<'e>(v: Unknown<'e>, name: impl Into<Label>) -> Outcome<$slice<'e>> {
            // SAFETY: `v` is a handle of the current call; the slice conversion checks the
            // kind itself (napi_get_typedarray_info, then the element type).
            unsafe { v.cast::<$slice<'e>>() }.map_err(|_| wrong_type(v, name.into(), $js))
        }
    };
}

typed_array!(
    /// A `Float64Array`, borrowed zero-copy.
    f64_array -> Float64ArraySlice, "a Float64Array"
);
typed_array!(
    /// An `Int8Array`, borrowed zero-copy.
    i8_array -> Int8ArraySlice, "an Int8Array"
);
typed_array!(
    /// A `Uint8Array`, borrowed zero-copy.
    u8_array -> Uint8ArraySlice, "a Uint8Array"
);

/// `undefined` / `null` → `None`, else `convert(v, name)`.
pub fn optional<'e, T>(
    v: Unknown<'e>,
    name: &'static str,
    convert: fn(Unknown<'e>, Label) -> Outcome<T>,
) -> Outcome<Option<T>> {
    match v.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(None),
        _ => convert(v, name.into()).map(Some),
    }
}

/// Every element of a JS array. Fetching may run getters (JavaScript), so callers fetch all
/// elements before they borrow any typed array's memory.
pub fn elements<'e>(v: Unknown<'e>, name: &'static str) -> Outcome<Vec<Unknown<'e>>> {
    // SAFETY: `v` is a handle of the current call; the conversion fails on a non-array
    // (napi_get_array_length).
    let array = unsafe { v.cast::<Array<'e>>() }
        .map_err(|_| wrong_type(v, name.into(), "an array of Float64Array"))?;
    (0..array.len())
        .map(|i| array.get_element::<Unknown<'e>>(i).map_err(Failure::Napi))
        .collect()
}

/// Converts every element of an array argument, labelling errors `name[i]`.
pub fn labelled<'e, T>(
    values: Vec<Unknown<'e>>,
    name: &'static str,
    convert: fn(Unknown<'e>, Label) -> Outcome<T>,
) -> Outcome<Vec<T>> {
    (0..)
        .zip(values)
        .map(|(i, v)| convert(v, Label::at(name, i)))
        .collect()
}

/// The `TypeError` for `v` not being `wanted`, saying what it is instead.
fn wrong_type(v: Unknown<'_>, name: Label, wanted: &str) -> Failure {
    let got = match v.get_type() {
        // SAFETY: `v` is a handle of the current call; the conversion fails on anything but a
        // typed array.
        Ok(ValueType::Object) => match unsafe { v.cast::<TypedArray<'_>>() } {
            Ok(t) if t.typed_array_type == TypedArrayType::Unknown => "a typed array".to_string(),
            Ok(t) => format!("{}Array", t.typed_array_type.as_ref()),
            Err(_) => "object".to_string(),
        },
        Ok(t) => t.to_string().to_lowercase(),
        Err(_) => "an unknown value".to_string(),
    };
    Failure::Type(format!("{name} must be {wanted} (got {got})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(checked_integer(3.0, "x", 0).unwrap(), 3);
        assert_eq!(checked_integer(MAX_INTEGER, "x", 1).unwrap(), 4_294_967_295);
        for bad in [
            f64::NAN,
            f64::INFINITY,
            -0.5,
            2.5,
            1e300,
            -1.0,
            MAX_INTEGER + 1.0,
        ] {
            assert!(
                matches!(checked_integer(bad, "x", 0), Err(Failure::Range(_))),
                "{bad}"
            );
        }
        assert!(
            matches!(checked_integer(0.0, "length", 1), Err(Failure::Range(m)) if m.starts_with("length must be an integer between 1 and"))
        );
    }

    #[test]
    fn labels() {
        assert_eq!(Label::at("series", 3).to_string(), "series[3]");
        assert_eq!(Label::plain("params").to_string(), "params");
    }
}
