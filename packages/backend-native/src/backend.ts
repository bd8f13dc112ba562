import { type Backend, MA_KIND_CODE, PACKED_CONFIG_LENGTH, packConfig } from '@adaptive-trend/core';
import type { NativeBinding } from './binding.js';

/** The native backend over a loaded addon: one FFI call per kernel or per whole series. */
export function createNativeBackend(binding: NativeBinding): Backend {
  const params = new Float64Array(PACKED_CONFIG_LENGTH);
  return {
    name: 'native',
    movingAverage: (kind, source, length, out) => binding.movingAverage(MA_KIND_CODE[kind], source, length, out),
    rateOfChange: (prices, out) => binding.rateOfChange(prices, out),
    scaledReturns: (prices, lambdaScaled, out) => binding.scaledReturns(prices, lambdaScaled, out),
    crossoverSignal: (prices, ma, out) => binding.crossoverSignal(prices, ma, out),
    persistSignal: (up, down, out) => binding.persistSignal(up, down, out),
    equityCurve: (r, s, start, d, cutout, out) => binding.equityCurve(r, s, start, d, cutout, out),
    layer1Signal: (signals, equities, out) => binding.layer1Signal(signals, equities, out),
    computeAtc: (prices, config, buffers) =>
      binding.computeAtc(
        prices,
        packConfig(config, params),
        buffers.outputs,
        buffers.movingAverages ?? null,
        buffers.maSignals ?? null,
        buffers.maEquities ?? null,
      ),
    // Rust threads for many series; without it (an older binary) core falls back to workers.
    computeAtcBatch:
      typeof binding.computeAtcBatch === 'function'
        ? (series, config, buffers, threads) => binding.computeAtcBatch(series, packConfig(config, params), buffers.map((b) => b.outputs), threads)
        : undefined,
    workerModule: new URL('./index.js', import.meta.url).href,
  };
}

/**
 * Checks that the addon really computes before the backend is declared usable: an EMA of a
 * tiny series against its known value (reference-notes §12.2).
 */
export function smokeTest(binding: NativeBinding): void {
  const out = new Float64Array(5);
  binding.movingAverage(MA_KIND_CODE.ema, Float64Array.from([10, 11, 12, 11, 10]), 3, out);
  if (out[2] !== 11 || out[4] !== 10.5) throw new Error(`native smoke test failed: EMA gave ${[...out].join(', ')}`);
}
