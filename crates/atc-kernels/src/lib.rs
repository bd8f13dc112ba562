//! # atc-kernels
//!
//! Adaptive Trend Classification kernels with **pinned IEEE-754 arithmetic**: every function
//! performs the same double operations in the same order as `docs/kernels.md` prescribes, so
//! the native (Node-API), wasm and TypeScript backends agree bit for bit.
//!
//! * `#![no_std]` + `alloc`, no dependencies, no `unsafe`, no FMA, no OS calls.
//! * Kernels write into caller-provided slices and return `Result<(), KernelError>`; they
//!   validate every length up front and never panic.
//! * [`compute_atc`] is the fused pipeline; it uses a reusable [`Workspace`] so that repeated
//!   calls allocate nothing once the workspace is warm. On x86-64, `compute_atc_avx2` is the
//!   same code compiled for AVX2 (same bits; the caller checks the CPU), see `isa.rs`.
//! * Cargo feature `std` (off by default, so the crate stays `no_std` for wasm) adds
//!   `compute_atc_batch`: many series on `std::thread::scope` threads.
//!
//! Inputs are expected to be finite (prices > 0): the TypeScript `core` package validates them
//! before any backend runs. Non-finite inputs never panic; they just produce NaNs.
//!
//! ## Where things are
//!
//! | file | what it holds |
//! |---|---|
//! | `math.rs` | pinned scalar helpers: fdlibm `exp`, numpy pairwise sum, round-half-even, `isqrt` |
//! | `ma.rs` | the seven moving averages, each written once as a scalar stepper, and their single-series kernels |
//! | `signal.rs` | crossover and persistence signals |
//! | `equity.rs` | returns, growth, equity curves, Layer 1, Average signal (single kernels + shared steps) |
//! | `pine.rs` | the Pine-semantics steps (`Semantics::Pine`): where the TradingView script's arithmetic differs, reusing `ma.rs`'s steppers |
//! | `pipeline.rs` | [`Params`], [`Workspace`], the family constants, validation, the [`compute_atc`] entry point |
//! | `packed.rs` | [`Params::from_packed`]: the one decoder of core's packed config |
//! | `family_lanes.rs` | `Lanes9`: one `f64` per MA of a family as SIMD lanes (portable, or explicit wasm `f64x2`) |
//! | `isa.rs` + `isa/*.rs` | the hot code, compiled twice (baseline and AVX2): `isa/family_mas.rs` advances a family's nine MAs in lock-step, `isa/pipeline_body.rs` and `isa/pine_body.rs` are the reference and Pine pipelines after validation |
//! | `stream.rs` | [`AtcStream`], [`StreamSet`]: ATC one bar at a time (docs/streaming.md), equal to [`compute_atc`] bit for bit |
//! | `batch.rs` | (feature `std`) many series on threads |
//! | `error.rs` | [`KernelError`], the typed refusal every kernel returns |
//!
//! The fused pipeline never changes an operation, only where and when it runs; the integration
//! tests (`tests/pipeline.rs`, `tests/vectors.rs`, `tests/golden.rs`) prove it bit for bit
//! against the single kernels and the reference fixtures.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// (defined before the modules: `macro_rules!` is textually scoped)
/// A public kernel entry point and its AVX2 twin from one body: `$isa` names the instruction-set
/// module the body runs (`isa::base`, or `isa::avx2` in the `#[target_feature(enable = "avx2")]`
/// twin), so both validate identically and differ only in the compiled hot code.
macro_rules! twins {
    ($(#[$doc:meta])* pub fn $name:ident / $avx2:ident ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty, $isa:ident => $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) -> $ret {
            use crate::isa::base as $isa;
            $body
        }

        #[doc = concat!("[`", stringify!($name), "`] compiled for AVX2 (x86-64; same bits).")]
        ///
        /// # Safety
        /// The CPU must support AVX2 (check with `std::is_x86_feature_detected!("avx2")`);
        /// calling it from code without that target feature requires `unsafe`.
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        pub fn $avx2($($arg: $ty),*) -> $ret {
            use crate::isa::avx2 as $isa;
            $body
        }
    };
}

#[cfg(feature = "std")]
mod batch;
mod equity;
mod error;
mod family_lanes;
mod isa;
mod ma;
mod math;
mod packed;
mod pine;
mod pipeline;
mod signal;
mod stream;

#[cfg(feature = "std")]
pub use batch::{
    check_atc_batch, compute_atc_batch, compute_atc_batch_checked_with,
    compute_atc_batch_checks_with, compute_atc_batch_with, BatchChecks, BatchError,
};
pub use equity::{
    average_signal, equity_curve, growth, growth_at, layer1_signal, rate_of_change, scaled_returns,
    EQUITY_FLOOR,
};
pub use error::{KResult, KernelError};
pub use ma::{dema, ema, hma, hma_with_scratch, kama, lsma, moving_average, sma, wma, MaKind};
pub use math::{exp, isqrt, pairwise_sum, round2, round_ties_even};
pub use packed::PACKED_LEN;
#[cfg(target_arch = "x86_64")]
pub use pipeline::compute_atc_avx2;
pub use pipeline::{
    check_atc_inputs, compute_atc, family_lengths, first_non_finite_bar, Detail, Params,
    Robustness, Semantics, Workspace, DETAIL_ROWS, FAMILY_COUNT, FAMILY_KINDS, LENGTHS_PER_FAMILY,
    OUT_ROWS,
};
#[cfg(target_arch = "x86_64")]
pub use signal::persist_signal_avx2;
pub use signal::{crossover_signal, persist_signal};
pub use stream::{compute_long, AtcStream, StepStatus, StreamSet};
