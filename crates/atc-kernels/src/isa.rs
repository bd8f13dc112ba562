//! Instruction-set twins of the hot code.
//!
//! The files in `src/isa/` are not modules: they are bodies `include!`d twice, once into each
//! twin below —
//! * `isa/family_mas.rs`: the nine MAs of one family advanced in lock-step as SIMD lanes;
//! * `isa/pipeline_body.rs`: the fused pipeline after validation (signals, equities, Layer 1,
//!   Layer 2, Average);
//! * `isa/stream_run.rs`: a stream's nine MAs of one family over a run of warm bars
//!   (`AtcStream::push_many`);
//! * `isa/pine_body.rs`: the Pine-semantics pipeline after validation (its MAs bar-major through
//!   the same family functions where the arithmetic is the reference's, its nine equities per
//!   family in one loop).
//!
//! [`base`] compiles them for the target's baseline instruction set and, on x86-64, [`avx2`]
//! with `#[target_feature(enable = "avx2")]` on every function (the `hot!` macro adds it), so
//! that every hot loop gets 256-bit vectors and three-operand instructions. The twins perform
//! the same IEEE operations in the same order — AVX2 changes the packing, not the arithmetic;
//! no FMA is enabled and Rust never contracts `a·b + c` — so they produce the same bits. Small
//! `#[inline(always)]` helpers shared by both are inlined into each twin and compiled with the
//! twin's features.
#![allow(clippy::needless_range_loop)] // index loops over lanes are deliberate (vectorisation, same op order)

/// Baseline twin (plain `fn`s).
pub(crate) mod base {
    macro_rules! hot {
        ($($item:item)*) => { $($item)* };
    }
    use crate::family_lanes::*;
    include!("isa/family_mas.rs");
    include!("isa/pipeline_body.rs");
    include!("isa/pine_body.rs");
    include!("isa/stream_run.rs");
}

/// AVX2 twin (x86-64): every `hot!` item gets `#[target_feature(enable = "avx2")]`. Its
/// functions are safe to call from other AVX2 functions only; the public entry points that
/// reach it (`compute_atc_avx2`) are `#[target_feature]` functions themselves.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    macro_rules! hot {
        ($(#[$m:meta])* $v:vis fn $($rest:tt)*) => {
            $(#[$m])*
            #[target_feature(enable = "avx2")]
            $v fn $($rest)*
        };
    }
    use crate::family_lanes::*;
    include!("isa/family_mas.rs");
    include!("isa/pipeline_body.rs");
    include!("isa/pine_body.rs");
    include!("isa/stream_run.rs");
}
