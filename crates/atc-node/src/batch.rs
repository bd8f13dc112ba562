//! `computeAtcBatch`'s result: what the kernel crate's batch outcome becomes at the JS boundary.

use crate::args::{Failure, Outcome};
use atc_kernels::BatchError;

/// What `computeAtcBatch` returns for a batch's outcome: −1 when every series was computed,
/// the index of the first series with a bad price when the price check refused the batch
/// (nothing computed: core then builds its own error for that series), or the error to throw.
pub fn outcome(result: Result<(), BatchError>) -> Outcome<f64> {
    match result {
        Ok(()) => Ok(-1.0),
        // (an index of a JS array: exact as a double)
        Err(BatchError::BadPrice { index }) => Ok(index as f64),
        // thrown like a panic at the boundary (napi-rs's `catch_unwind`): a plain `Error`
        Err(e @ BatchError::Panic { .. }) => {
            Err(Failure::Napi(napi::Error::from_reason(e.to_string())))
        }
        Err(e) => Err(Failure::Range(e.to_string())),
    }
}
