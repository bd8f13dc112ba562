import { type Backend, MA_KIND_CODE, PACKED_CONFIG_LENGTH, packConfig, uninitializedArray } from '@adaptive-trend/core';
import type { NativeBinding } from './binding.js';

/**
 * The native backend over a loaded addon: one call per kernel or per whole series; the addon
 * checks its arguments itself; `computeAtc` returns the growth check's verdict from the Rust
 * pipeline's last loop (−1: all finite), so core does not scan the outputs again. Many series
 * go to Rust threads (`computeAtcBatch`), so core never needs worker_threads for this backend.
 * Streams are the addon's `NativeStream` / `NativeStreamSet` instances themselves (no wrapper
 * between core and the per-bar call); their state is Rust memory freed when the garbage
 * collector collects the instance.
 */
export function createNativeBackend(binding: NativeBinding): Backend {
  const params = new Float64Array(PACKED_CONFIG_LENGTH);
  return {
    name: 'native',
    semantics: ['reference', 'pine'], // both in crates/atc-kernels (Params.semantics, packed slot 19)
    movingAverage: (kind, source, length, out) => binding.movingAverage(MA_KIND_CODE[kind], source, length, out),
    rateOfChange: (prices, out) => binding.rateOfChange(prices, out),
    scaledReturns: (prices, lambdaScaled, out) => binding.scaledReturns(prices, lambdaScaled, out),
    crossoverSignal: (prices, ma, out) => binding.crossoverSignal(prices, ma, out),
    persistSignal: (up, down, out) => binding.persistSignal(up, down, out),
    equityCurve: (r, s, start, d, cutout, out) => binding.equityCurve(r, s, start, d, cutout, out),
    layer1Signal: (signals, equities, out) => binding.layer1Signal(signals, equities, out),
    // every kernel above, computeAtc and computeLongSeries write each element of their outputs
    allocateOutput: uninitializedArray,
    computeAtc: (prices, config, buffers) =>
      binding.computeAtc(prices, packConfig(config, params), buffers.outputs, buffers.movingAverages, buffers.maSignals, buffers.maEquities),
    // The Rust threads also run core's growth check on what they wrote (`nonFinite`), and with
    // `checkPrices` the price check before anything, so core scans neither the inputs nor every
    // output on its one thread.
    computeAtcBatch: (series, config, buffers, threads, checkPrices) => {
      const nonFinite = new Float64Array(series.length);
      const refused = binding.computeAtcBatch(series, packConfig(config, params), buffers.map((b) => b.outputs), threads, nonFinite, checkPrices === true);
      return refused >= 0 ? refused : nonFinite;
    },
    batchChecksPrices: true,
    // (a pool of blocks the Rust side reuses once the GC freed a batch's buffer: crates/atc-node/src/outputs.rs)
    batchOutputs: (bytes) => binding.batchOutputs(bytes),
    // (the constructors copy the packed config into the Rust object: `params` is free again after)
    createStream: (config, restore) =>
      restore === undefined
        ? new binding.NativeStream(packConfig(config, params))
        : binding.NativeStream.restore(packConfig(config, params), restore.bars, restore.state),
    createStreamSet: (count, config) => new binding.NativeStreamSet(packConfig(config, params), count),
    // compute's long-series path: the chunk loop in Rust (atc_kernels::compute_long)
    computeLongSeries: (prices, config, outputs) => binding.computeLongSeries(prices, packConfig(config, params), outputs),
  };
}
