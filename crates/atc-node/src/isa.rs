//! Which build of the pipeline runs: the AVX2 twin (`atc_kernels::compute_atc_avx2`, same
//! IEEE operations in the same order, so the same bits) when the CPU has AVX2, the baseline
//! build otherwise. Detected at run time so one binary stays portable (no `target-cpu` flag);
//! `ATC_NATIVE_ISA=baseline` forces the baseline (e.g. to compare speed).

use atc_kernels as k;

/// `true` when the AVX2 twin may run. Decided once per process.
#[cfg(target_arch = "x86_64")]
fn use_avx2() -> bool {
    static USE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *USE.get_or_init(|| {
        let forced_baseline =
            std::env::var("ATC_NATIVE_ISA").is_ok_and(|v| v.eq_ignore_ascii_case("baseline"));
        std::is_x86_feature_detected!("avx2") && !forced_baseline
    })
}

/// `compute_atc` through the fastest build this CPU runs (its growth-check verdict included).
pub fn compute_atc(
    prices: &[f64],
    params: &k::Params,
    out: &mut [f64],
    detail: Option<k::Detail<'_>>,
    ws: &mut k::Workspace,
) -> k::KResult<Option<usize>> {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: `use_avx2()` is true only when the CPU supports AVX2.
        return unsafe { k::compute_atc_avx2(prices, params, out, detail, ws) };
    }
    k::compute_atc(prices, params, out, detail, ws)
}

/// A stream's `push_many` through the fastest build this CPU runs (its lane runs compiled for
/// AVX2 there; same bits).
pub fn stream_push_many(
    stream: &mut k::AtcStream,
    closes: &[f64],
    out: &mut [f64],
) -> k::KResult<Option<usize>> {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: `use_avx2()` is true only when the CPU supports AVX2.
        return unsafe { stream.push_many_avx2(closes, out) };
    }
    stream.push_many(closes, out)
}

/// `persist_signal` through the fastest build this CPU runs (AVX2: 32-bar blocks as 256-bit
/// vectors; same outputs).
pub fn persist_signal(up: &[u8], down: &[u8], out: &mut [i8]) -> k::KResult {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: `use_avx2()` is true only when the CPU supports AVX2.
        return unsafe { k::persist_signal_avx2(up, down, out) };
    }
    k::persist_signal(up, down, out)
}
