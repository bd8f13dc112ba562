// The js backend's own API checks. Core validates every input before it calls a backend, but
// the backend object is public (`backendFactory.load()`, batch workers, third parties): handed
// a buffer of the wrong length or an output sharing memory with an input, the kernels would
// silently drop out-of-bounds writes or read values they already overwrote. Refuse with a
// RangeError instead, as the native and wasm bindings do (conformance tier d). O(1) per call.
import { type Backend, MA_COUNT, OUTPUT_ROWS, outputBars, sharesMemory } from '@adaptive-trend/core';

function requireLength(method: string, name: string, actual: number, expected: number): void {
  if (actual !== expected) throw new RangeError(`${method}: ${name} has length ${actual}, expected ${expected}`);
}

/** `outputs` must share no memory with `inputs` nor with each other. */
function requireSeparate(method: string, outputs: Record<string, ArrayBufferView>, inputs: Record<string, ArrayBufferView>): void {
  const outs = Object.entries(outputs);
  outs.forEach(([outName, out], k) => {
    for (const [name, other] of [...Object.entries(inputs), ...outs.slice(k + 1)]) {
      if (sharesMemory(out, other)) throw new RangeError(`${method}: ${outName} must not share memory with ${name}`);
    }
  });
}

/** `backend` with every method checking its buffers first. */
export function withBoundaryChecks(backend: Backend): Backend {
  return {
    ...backend,
    movingAverage: (kind, source, length, out) => {
      requireLength('movingAverage', 'out', out.length, source.length);
      requireSeparate('movingAverage', { out }, { source });
      backend.movingAverage(kind, source, length, out);
    },
    rateOfChange: (prices, out) => {
      requireLength('rateOfChange', 'out', out.length, prices.length);
      requireSeparate('rateOfChange', { out }, { prices });
      backend.rateOfChange(prices, out);
    },
    scaledReturns: (prices, lambdaScaled, out) => {
      requireLength('scaledReturns', 'out', out.length, prices.length);
      requireSeparate('scaledReturns', { out }, { prices });
      backend.scaledReturns(prices, lambdaScaled, out);
    },
    crossoverSignal: (prices, ma, out) => {
      requireLength('crossoverSignal', 'ma', ma.length, prices.length);
      requireLength('crossoverSignal', 'out', out.length, prices.length);
      requireSeparate('crossoverSignal', { out }, { prices, ma });
      backend.crossoverSignal(prices, ma, out);
    },
    persistSignal: (up, down, out) => {
      requireLength('persistSignal', 'down', down.length, up.length);
      requireLength('persistSignal', 'out', out.length, up.length);
      requireSeparate('persistSignal', { out }, { up, down });
      backend.persistSignal(up, down, out);
    },
    equityCurve: (returns, signal, startingEquity, decayMultiplier, cutout, out) => {
      requireLength('equityCurve', 'signal', signal.length, returns.length);
      requireLength('equityCurve', 'out', out.length, returns.length);
      requireSeparate('equityCurve', { out }, { returns, signal });
      backend.equityCurve(returns, signal, startingEquity, decayMultiplier, cutout, out);
    },
    layer1Signal: (signals, equities, out) => {
      if (out.length === 0 || signals.length % out.length !== 0) {
        throw new RangeError(`layer1Signal: signals has length ${signals.length}, not a positive multiple of out's ${out.length}`);
      }
      requireLength('layer1Signal', 'equities', equities.length, signals.length);
      requireSeparate('layer1Signal', { out }, { signals, equities });
      backend.layer1Signal(signals, equities, out);
    },
    computeAtc: (prices, config, buffers) => {
      const m = outputBars(config, prices.length);
      const { outputs, movingAverages, maSignals, maEquities } = buffers;
      requireLength('computeAtc', 'outputs', outputs.length, OUTPUT_ROWS * m);
      const details = { ...(movingAverages && { movingAverages }), ...(maSignals && { maSignals }), ...(maEquities && { maEquities }) };
      for (const [name, buffer] of Object.entries(details)) requireLength('computeAtc', name, buffer.length, MA_COUNT * m);
      requireSeparate('computeAtc', { outputs, ...details }, { prices });
      return backend.computeAtc(prices, config, buffers);
    },
  };
}
