import { type Backend, type MaKind, uninitializedArray } from '@adaptive-trend/core';
import { withBoundaryChecks } from './boundary.js';
import { equityCurve, rateOfChange, scaledReturns } from './kernels/equity.js';
import { layer1Signal } from './kernels/layer1.js';
import { dema, ema, hma, kama, lsma, sma, wma } from './kernels/moving-averages.js';
import { crossoverSignal, persistSignal } from './kernels/signals.js';
import { createFusedPipeline } from './pipeline.js';
import { computePineAtc } from './pine/atc.js';
import { computeJsLongSeries } from './stream/long-series.js';
import { createJsStreamSet } from './stream/set.js';
import { createJsStream } from './stream/stream.js';

type MaKernel = (x: Float64Array, length: number, out: Float64Array, scratch: Float64Array) => void;
const MOVING_AVERAGES: { [K in MaKind]: MaKernel } = { sma, ema, wma, hma, dema, lsma, kama };

/** The pure-TypeScript backend: kernels over typed arrays, no dependencies, runs anywhere. */
/** This package's entry, relative to this file. */
const WORKER_ENTRY = './index.js';

export function createJsBackend(): Backend {
  // HMA and DEMA need one intermediate series; reuse it across calls instead of allocating.
  let scratch = new Float64Array(0);
  const reference = createFusedPipeline();
  return withBoundaryChecks({
    name: 'js',
    movingAverage: (kind, source, length, out) => {
      if (scratch.length < source.length) scratch = new Float64Array(source.length);
      MOVING_AVERAGES[kind](source, length, out, scratch);
    },
    rateOfChange,
    scaledReturns,
    crossoverSignal,
    persistSignal,
    equityCurve,
    layer1Signal,
    semantics: ['reference', 'pine'],
    // the reference's fused pipeline, or the Pine script's (src/pine) for semantics 'pine'
    computeAtc: (prices, config, buffers) => (config.semantics === 'pine' ? computePineAtc(prices, config, buffers) : reference(prices, config, buffers)),
    // one bar at a time, both semantics (docs/streaming.md); each stream checks its own buffers
    createStream: createJsStream,
    createStreamSet: (count, config) => createJsStreamSet(count, config),
    // compute's long-series path: the stream's runs written straight into the output rows
    computeLongSeries: computeJsLongSeries,
    // results core allocates need no zeroing: every kernel above writes each element it is given
    // (tests/output-writes.test.ts hands them sentinel-filled arrays)
    allocateOutput: uninitializedArray,
    // computeBatch's worker threads import this module to get the same backend. The path is
    // not a literal in `new URL(…, import.meta.url)`: bundlers would inline the entry into
    // browser builds as a data: URL (core's browser stub never opens workers).
    workerModule: new URL(WORKER_ENTRY, import.meta.url).href,
  });
}
