//! Typed validation errors returned by every public kernel.

use core::fmt;

/// Why a kernel refused its input. Kernels validate everything up front and never panic.
///
/// `Display` renders a human readable message (used verbatim by the Node-API binding as the
/// text of a `RangeError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelError {
    /// Two slices that must have a given length do not.
    LengthMismatch {
        /// Name of the offending argument.
        what: &'static str,
        /// Length the kernel needs.
        expected: usize,
        /// Length it got.
        actual: usize,
    },
    /// A moving-average length (or derived length) is below 1.
    LengthTooSmall {
        /// Which length.
        what: &'static str,
        /// Offending value (0 or a value that would be ≤ 0 after subtracting an offset).
        length: i64,
    },
    /// The series is shorter than the MA length, so the MA is undefined (reference raises).
    SeriesTooShort {
        /// Which MA / argument.
        what: &'static str,
        /// MA length.
        length: usize,
        /// Series length.
        n: usize,
    },
    /// HMA needs `⌊L/2⌋ ≥ 1`, i.e. `L ≥ 2`.
    HmaLengthTooSmall {
        /// Offending HMA length.
        length: usize,
    },
    /// `cutout` must satisfy `cutout < n`.
    CutoutTooLarge {
        /// Requested cutout.
        cutout: usize,
        /// Series length.
        n: usize,
    },
    /// An empty input where at least one value is required.
    Empty {
        /// Which argument.
        what: &'static str,
    },
    /// A row-major matrix argument whose length is not `rows × n`.
    NotRowMajor {
        /// Which argument.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The row length it must be a multiple of.
        n: usize,
    },
    /// A scalar parameter outside its allowed range (non-finite, negative, …).
    InvalidParameter {
        /// Which parameter.
        what: &'static str,
        /// What is required of it.
        requirement: &'static str,
    },
    /// A length computation overflowed `usize`.
    Overflow {
        /// Which quantity.
        what: &'static str,
    },
    /// A close given to a stream is not a finite number > 0.
    InvalidClose {
        /// Index of the offending close in its argument (0 for a single close).
        index: usize,
    },
    /// `replace_last` on a stream that has no bar yet.
    EmptyStream,
    /// A stream state vector that cannot be imported (docs/streaming.md).
    InvalidState {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A stream index outside `0..count`.
    StreamIndex {
        /// Requested index.
        index: usize,
        /// Streams in the set.
        count: usize,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            KernelError::LengthMismatch {
                what,
                expected,
                actual,
            } => {
                write!(f, "{what} has length {actual}, expected {expected}")
            }
            KernelError::LengthTooSmall { what, length } => {
                write!(f, "{what} must be >= 1 (got {length})")
            }
            KernelError::SeriesTooShort { what, length, n } => write!(
                f,
                "series of length {n} is shorter than {what} length {length}"
            ),
            KernelError::HmaLengthTooSmall { length } => {
                write!(
                    f,
                    "HMA length must be >= 2 (got {length}); floor(L/2) would be 0"
                )
            }
            KernelError::CutoutTooLarge { cutout, n } => {
                write!(
                    f,
                    "cutout ({cutout}) must be smaller than the series length ({n})"
                )
            }
            KernelError::Empty { what } => write!(f, "{what} must not be empty"),
            KernelError::NotRowMajor { what, len, n } => write!(
                f,
                "{what} has length {len}, which is not a positive multiple of the row length {n}"
            ),
            KernelError::InvalidParameter { what, requirement } => {
                write!(f, "{what} {requirement}")
            }
            KernelError::Overflow { what } => write!(f, "{what} overflows"),
            KernelError::InvalidClose { index } => {
                write!(f, "close {index} must be a finite number > 0")
            }
            KernelError::EmptyStream => {
                write!(f, "replace_last needs a bar: the stream is empty")
            }
            KernelError::InvalidState { reason } => write!(f, "invalid stream state: {reason}"),
            KernelError::StreamIndex { index, count } => {
                write!(
                    f,
                    "stream index {index} is out of range (the set has {count} streams)"
                )
            }
        }
    }
}

/// Shorthand used by the kernels.
pub type KResult<T = ()> = Result<T, KernelError>;

#[inline]
pub(crate) fn check_len(what: &'static str, expected: usize, actual: usize) -> KResult {
    if expected == actual {
        Ok(())
    } else {
        Err(KernelError::LengthMismatch {
            what,
            expected,
            actual,
        })
    }
}
