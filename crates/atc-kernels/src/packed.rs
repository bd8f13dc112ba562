//! The packed configuration: core's `packConfig` (packages/core/src/config.ts) writes a
//! resolved config into `PACKED_LEN` doubles so a binding receives it as one typed array;
//! [`Params::from_packed`] is the one decoder of that layout, used by both bindings.
//!
//! Layout: `[0..6)` base lengths (EMA, HMA, WMA, DEMA, LSMA, KAMA), `[6..12)` Layer-2 starting
//! equities, `[12]` robustness (0 Narrow, 1 Medium, 2 Wide), `[13]` La, `[14]` De, `[15]`
//! cutout, `[16]` long threshold, `[17]` short threshold, `[18]` strategy mode (0 or 1),
//! `[19]` semantics (0 reference, 1 Pine).
//! The shared test vector `tests/data/packed_config.json` is checked by this crate and by core.

use crate::error::{KResult, KernelError};
use crate::pipeline::{Params, Robustness, Semantics, FAMILY_COUNT};

/// Number of doubles in a packed configuration.
pub const PACKED_LEN: usize = 20;

/// Names of the slots, for error messages (core's camelCase config keys).
const SLOT_NAMES: [&str; PACKED_LEN] = [
    "emaLength",
    "hmaLength",
    "wmaLength",
    "demaLength",
    "lsmaLength",
    "kamaLength",
    "emaWeight",
    "hmaWeight",
    "wmaWeight",
    "demaWeight",
    "lsmaWeight",
    "kamaWeight",
    "robustness",
    "lambda",
    "decay",
    "cutout",
    "longThreshold",
    "shortThreshold",
    "strategyMode",
    "semantics",
];

/// Largest integer slot value accepted (lengths and cutout index typed arrays, < 2^32).
const MAX_INTEGER: f64 = 4_294_967_295.0;

fn integer(packed: &[f64], slot: usize, min: f64) -> KResult<usize> {
    let v = packed[slot];
    // (no_std has no `fract`; NaN fails the range checks, the cast round trip finds fractions)
    if v >= min && v <= MAX_INTEGER && (v as u64) as f64 == v {
        Ok(v as usize)
    } else {
        Err(KernelError::InvalidParameter {
            what: SLOT_NAMES[slot],
            requirement: if min >= 1.0 {
                "must be an integer in [1, 2^32)"
            } else {
                "must be an integer in [0, 2^32)"
            },
        })
    }
}

impl Params {
    /// Decodes core's packed layout (see the module docs). Checks the slots' types and ranges
    /// (integers, robustness code, weights > 0, strategy mode 0/1); series-dependent checks
    /// (cutout < n, lengths ≤ n) stay with [`crate::check_atc_inputs`].
    pub fn from_packed(packed: &[f64]) -> KResult<Params> {
        if packed.len() != PACKED_LEN {
            return Err(KernelError::LengthMismatch {
                what: "packed config",
                expected: PACKED_LEN,
                actual: packed.len(),
            });
        }
        let mut lengths = [0usize; FAMILY_COUNT];
        let mut weights = [0f64; FAMILY_COUNT];
        for f in 0..FAMILY_COUNT {
            lengths[f] = integer(packed, f, 1.0)?;
            weights[f] = packed[6 + f];
            if !(weights[f].is_finite() && weights[f] > 0.0) {
                return Err(KernelError::InvalidParameter {
                    what: SLOT_NAMES[6 + f],
                    requirement: "must be finite and > 0",
                });
            }
        }
        let robustness = u32::try_from(integer(packed, 12, 0.0)?)
            .ok()
            .and_then(Robustness::from_index)
            .ok_or(KernelError::InvalidParameter {
                what: "robustness",
                requirement: "must be 0 (Narrow), 1 (Medium) or 2 (Wide)",
            })?;
        let strategy = packed[18];
        if strategy != 0.0 && strategy != 1.0 {
            return Err(KernelError::InvalidParameter {
                what: "strategyMode",
                requirement: "must be 0 or 1",
            });
        }
        // (an `if` chain: matching float literals needs guards, which clippy flags)
        let semantics = if packed[19] == 0.0 {
            Semantics::Reference
        } else if packed[19] == 1.0 {
            Semantics::Pine
        } else {
            return Err(KernelError::InvalidParameter {
                what: "semantics",
                requirement: "must be 0 (reference) or 1 (pine)",
            });
        };
        Ok(Params {
            lengths,
            weights,
            robustness,
            la: packed[13],
            de: packed[14],
            cutout: integer(packed, 15, 0.0)?,
            long_threshold: packed[16],
            short_threshold: packed[17],
            strategy_mode: strategy == 1.0,
            semantics,
        })
    }
}
