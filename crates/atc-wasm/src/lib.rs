//! # atc-wasm
//!
//! The WebAssembly binding of [`atc_kernels`]: one `#[wasm_bindgen]` function per kernel, the
//! fused pipeline and the streaming classes ([`stream`]), loaded through the JS glue
//! wasm-bindgen generates (`packages/backend-wasm/wasm/atc.js`), which copies typed arrays in
//! and out of linear memory.
//!
//! Each function takes its inputs as slices (wasm-bindgen copies a JS typed array in once) and
//! its output as the caller's JS typed array: the kernel writes into scratch kept inside the
//! module ([`scratch`]), then one copy moves the result out. The kernel validates every length
//! and parameter, so a bad call is a `RangeError` carrying [`KernelError`]'s message, never a
//! trap. The binding has no `unsafe` of its own.
//!
//! [`KernelError`]: atc_kernels::KernelError

mod errors;
mod scratch;
mod stream;

use atc_kernels as k;
use atc_kernels::{MaKind, Params, DETAIL_ROWS};
use js_sys::{Float64Array, Int8Array};
use wasm_bindgen::prelude::*;

use errors::{kernel_error, Fallible};
use scratch::{grown, with_scratch, Scratch};

/// Installs the panic hook once per instance (wasm-bindgen runs `start` at instantiation).
#[wasm_bindgen(start)]
fn start() {
    errors::install_panic_hook();
}

/// Whether this build was compiled with the `simd128` target feature.
#[wasm_bindgen(js_name = simdEnabled)]
pub fn simd_enabled() -> bool {
    cfg!(target_feature = "simd128")
}

/// JS numbers as lengths: saturating (negative and NaN → 0, beyond `usize` → `usize::MAX`), so
/// an absurd length reaches the kernel's own check instead of wrapping modulo 2^32.
fn length(value: f64) -> usize {
    value as usize
}

/// Any moving average by kind code (core's `MA_KIND_CODE`: 0 SMA … 6 KAMA) into `out`.
#[wasm_bindgen(js_name = movingAverage)]
pub fn moving_average(kind: u32, source: &[f64], len: f64, out: &Float64Array) -> Fallible {
    const NAME: &str = "movingAverage";
    let Some(kind) = MaKind::from_index(kind) else {
        return Err(errors::range_error(
            NAME,
            format_args!("unknown moving-average kind {kind} (0..=6)"),
        ));
    };
    with_scratch(|s: &mut Scratch| {
        let (o, hma) = s.f64_out_and_hma(out)?;
        let result = match kind {
            MaKind::Hma => k::hma_with_scratch(source, length(len), o, hma),
            _ => k::moving_average(kind, source, length(len), o),
        };
        result.map_err(kernel_error(NAME))?;
        out.copy_from(o);
        Ok(())
    })
}

/// `out[0] = NaN`, `out[i] = p[i]/p[i−1] − 1`.
#[wasm_bindgen(js_name = rateOfChange)]
pub fn rate_of_change(prices: &[f64], out: &Float64Array) -> Fallible {
    with_scratch(|s| {
        let o = s.f64_out(out)?;
        k::rate_of_change(prices, o).map_err(kernel_error("rateOfChange"))?;
        out.copy_from(o);
        Ok(())
    })
}

/// Scaled returns `R[i]·exp(λ·max(i,1))`; `lambda` = La/1000.
#[wasm_bindgen(js_name = scaledReturns)]
pub fn scaled_returns(prices: &[f64], lambda: f64, out: &Float64Array) -> Fallible {
    with_scratch(|s| {
        let o = s.f64_out(out)?;
        k::scaled_returns(prices, lambda, o).map_err(kernel_error("scaledReturns"))?;
        out.copy_from(o);
        Ok(())
    })
}

/// Persistent crossover state of the prices against an MA.
#[wasm_bindgen(js_name = crossoverSignal)]
pub fn crossover_signal(prices: &[f64], ma: &[f64], out: &Int8Array) -> Fallible {
    with_scratch(|s| {
        let o = s.i8_out(out)?;
        k::crossover_signal(prices, ma, o).map_err(kernel_error("crossoverSignal"))?;
        out.copy_from(o);
        Ok(())
    })
}

/// Held state from up/down flags (non-zero = set; up wins).
#[wasm_bindgen(js_name = persistSignal)]
pub fn persist_signal(up: &[u8], down: &[u8], out: &Int8Array) -> Fallible {
    with_scratch(|s| {
        let o = s.i8_out(out)?;
        k::persist_signal(up, down, o).map_err(kernel_error("persistSignal"))?;
        out.copy_from(o);
        Ok(())
    })
}

/// Equity curve of the unshifted `signal` on `returns`.
#[wasm_bindgen(js_name = equityCurve)]
pub fn equity_curve(
    returns: &[f64],
    signal: &[f64],
    starting_equity: f64,
    decay_multiplier: f64,
    cutout: f64,
    out: &Float64Array,
) -> Fallible {
    with_scratch(|s| {
        let o = s.f64_out(out)?;
        k::equity_curve(returns, signal, starting_equity, decay_multiplier, length(cutout), o)
            .map_err(kernel_error("equityCurve"))?;
        out.copy_from(o);
        Ok(())
    })
}

/// Layer-1 signal from `rows × n` signals and equities (row-major), `n = out.length`.
#[wasm_bindgen(js_name = layer1Signal)]
pub fn layer1_signal(signals: &[i8], equities: &[f64], out: &Float64Array) -> Fallible {
    with_scratch(|s| {
        let o = s.f64_out(out)?;
        k::layer1_signal(signals, equities, o).map_err(kernel_error("layer1Signal"))?;
        out.copy_from(o);
        Ok(())
    })
}

/// The fused pipeline on `prices` with core's packed config (`packConfig`, decoded by
/// [`Params::from_packed`]). `outputs` receives 13 rows of `n − cutout` values (`n` with
/// Pine semantics: `Params::output_bars`); each detail
/// array given (54 rows each: MAs, signals, equities) is filled too. Returns core's growth
/// check on `outputs`, found in the pipeline's last loop: the first output bar whose Layer-1
/// signals or Layer-2 sum is not finite, −1 if none (`atc_kernels::compute_atc`).
#[wasm_bindgen(js_name = computeAtc)]
pub fn compute_atc(
    prices: &[f64],
    packed_config: &[f64],
    outputs: &Float64Array,
    mas: Option<Float64Array>,
    sigs: Option<Int8Array>,
    eqs: Option<Float64Array>,
) -> Result<f64, JsValue> {
    let fail = kernel_error("computeAtc");
    let params = Params::from_packed(packed_config).map_err(&fail)?;
    // The kernel fills all three detail rows or none; a missing one goes to scratch only.
    let rows = DETAIL_ROWS.saturating_mul(params.output_bars(prices.len()));
    let wanted = mas.is_some() || sigs.is_some() || eqs.is_some();
    let sizes = wanted.then(|| {
        (
            mas.as_ref().map_or(rows, |a| a.length() as usize),
            sigs.as_ref().map_or(rows, |a| a.length() as usize),
            eqs.as_ref().map_or(rows, |a| a.length() as usize),
        )
    });
    with_scratch(|s| {
        let out = grown(&mut s.out_f64, outputs.length() as usize)?;
        let detail = match sizes {
            None => None,
            Some((a, b, c)) => Some((
                grown(&mut s.mas, a)?,
                grown(&mut s.sigs, b)?,
                grown(&mut s.eqs, c)?,
            )),
        };
        let verdict =
            k::compute_atc(prices, &params, out, detail, &mut s.workspace).map_err(&fail)?;
        outputs.copy_from(out);
        if let Some((a, b, c)) = sizes {
            if let Some(m) = &mas {
                m.copy_from(&s.mas[..a]);
            }
            if let Some(g) = &sigs {
                g.copy_from(&s.sigs[..b]);
            }
            if let Some(e) = &eqs {
                e.copy_from(&s.eqs[..c]);
            }
        }
        Ok(verdict.map_or(-1.0, |bar| bar as f64))
    })
}

/// The message of the panic that made the module trap, if any (read by the host after a
/// `WebAssembly.RuntimeError`, before it replaces the instance).
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    errors::take_panic_message()
}
