// Tier d: what reaches a backend through its own API. Core validates every input before it
// dispatches (packages/core/test/bad-input.test.ts proves it), but a backend is also a public
// object (`backendFactory.load()`), called by core's batch workers and by third parties: handed
// a buffer of the wrong length or an output sharing memory with an input, it must throw a
// RangeError — never write out of bounds, never compute wrong values in place.
import { type AtcBuffers, type Backend, resolveConfig } from '@adaptive-trend/core';
import { expect, it } from 'vitest';
import type { BackendSource } from '../engine-source.js';

const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 5) * 3 + i * 0.01);
const config = resolveConfig({});
const N = 100; // bars of the pipeline cases (≥ the default config's 34)

/** Pipeline buffers for N bars with details, with one of them replaced. */
const buffers = (patch: Partial<AtcBuffers> = {}): AtcBuffers => ({
  outputs: new Float64Array(13 * N),
  movingAverages: new Float64Array(54 * N),
  maSignals: new Int8Array(54 * N),
  maEquities: new Float64Array(54 * N),
  ...patch,
});

interface BoundaryCase {
  readonly label: string;
  readonly call: (backend: Backend) => void;
}

const BACKEND_BOUNDARY_CASES: readonly BoundaryCase[] = [
  {
    label: 'computeAtc: outputs overlapping the prices',
    call: (b) => {
      const memory = new Float64Array(N + 13 * N);
      memory.set(ramp(N));
      b.computeAtc(memory.subarray(0, N), config, buffers({ outputs: memory.subarray(N - 1, N - 1 + 13 * N) }));
    },
  },
  { label: 'computeAtc: outputs one value short', call: (b) => b.computeAtc(ramp(N), config, buffers({ outputs: new Float64Array(13 * N - 1) })) },
  { label: 'computeAtc: outputs one value long', call: (b) => b.computeAtc(ramp(N), config, buffers({ outputs: new Float64Array(13 * N + 1) })) },
  { label: 'computeAtc: detail MAs of the wrong length', call: (b) => b.computeAtc(ramp(N), config, buffers({ movingAverages: new Float64Array(10) })) },
  {
    label: 'computeAtc: detail signals sharing memory with detail equities',
    call: (b) => {
      const maEquities = new Float64Array(54 * N);
      b.computeAtc(ramp(N), config, buffers({ maEquities, maSignals: new Int8Array(maEquities.buffer, 0, 54 * N) }));
    },
  },
  { label: 'movingAverage: output is the source', call: (b) => { const x = ramp(10); b.movingAverage('ema', x, 3, x); } },
  { label: 'movingAverage: output one value short', call: (b) => b.movingAverage('ema', ramp(10), 3, new Float64Array(9)) },
  { label: 'movingAverage: output one value long', call: (b) => b.movingAverage('ema', ramp(10), 3, new Float64Array(11)) },
  { label: 'rateOfChange: output one value short', call: (b) => b.rateOfChange(ramp(10), new Float64Array(9)) },
  { label: 'scaledReturns: output is the prices', call: (b) => { const p = ramp(10); b.scaledReturns(p, 0.00002, p); } },
  { label: 'crossoverSignal: output overlapping the prices partly', call: (b) => { const p = ramp(10); b.crossoverSignal(p, ramp(10), new Int8Array(p.buffer, 8, 10)); } },
  { label: 'crossoverSignal: MA one value short', call: (b) => b.crossoverSignal(ramp(10), ramp(9), new Int8Array(10)) },
  { label: 'persistSignal: down flags one value short', call: (b) => b.persistSignal(new Uint8Array(5), new Uint8Array(4), new Int8Array(5)) },
  { label: 'persistSignal: output sharing memory with the up flags', call: (b) => { const up = new Uint8Array(5); b.persistSignal(up, new Uint8Array(5), new Int8Array(up.buffer)); } },
  { label: 'equityCurve: output one value short', call: (b) => b.equityCurve(ramp(10), ramp(10), 1, 0.9997, 0, new Float64Array(9)) },
  { label: 'equityCurve: output is the returns', call: (b) => { const r = ramp(10); b.equityCurve(r, ramp(10), 1, 0.9997, 0, r); } },
  { label: 'layer1Signal: signals not a whole number of rows', call: (b) => b.layer1Signal(new Int8Array(10), new Float64Array(10), new Float64Array(3)) },
  { label: 'layer1Signal: equities one value short of the signals', call: (b) => b.layer1Signal(new Int8Array(18), new Float64Array(17), new Float64Array(2)) },
];

export function defineBackendBoundaryTests(backend: BackendSource): void {
  for (const bad of BACKEND_BOUNDARY_CASES) {
    it(`${bad.label} → RangeError`, () => {
      expect(() => bad.call(backend())).toThrow(RangeError);
    });
  }
}
