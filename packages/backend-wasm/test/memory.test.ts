// Bounded memory: scratch is reused, so repeated calls of one size never grow linear memory.
import { allocateBuffers, resolveConfig } from '@adaptive-trend/core';
import { smokeSeries } from '@adaptive-trend/conformance';
import { beforeAll, describe, expect, it } from 'vitest';
import { type WasmBackend, loadWasmBackend } from '../src/index.js';

function series(n: number, seed = 1): Float64Array {
  const out = new Float64Array(n);
  let p = 100;
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    p *= 1 + ((s / 2147483648) - 0.5) * 0.02;
    out[i] = p;
  }
  return out;
}

describe('wasm backend memory', () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await loadWasmBackend();
  });

  it('computeAtc 2000 times at one size keeps memory.buffer.byteLength constant after the first call', () => {
    const prices = series(1500);
    const config = resolveConfig({});
    const buffers = allocateBuffers(prices.length, false);
    backend.computeAtc(prices, config, buffers);
    const first = Float64Array.from(buffers.outputs);
    const bytes = backend.memory.buffer.byteLength;
    for (let i = 0; i < 2000; i++) backend.computeAtc(prices, config, buffers);
    expect(backend.memory.buffer.byteLength).toBe(bytes);
    expect(buffers.outputs).toEqual(first);
  });

  it('with details, and after a larger call smaller ones do not grow memory either', () => {
    const config = resolveConfig({ cutout: 10 });
    const big = series(4000, 7);
    const bigBuffers = allocateBuffers(big.length - 10, true);
    backend.computeAtc(big, config, bigBuffers);
    const bytes = backend.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) {
      const n = 100 + ((i * 37) % 3900);
      const p = series(n, i + 3);
      backend.computeAtc(p, config, allocateBuffers(n - 10, i % 2 === 0));
    }
    expect(backend.memory.buffer.byteLength).toBe(bytes);
  });

  it('single kernels reuse the same scratch', () => {
    const x = series(10_000, 3);
    const out = new Float64Array(x.length);
    const sig = new Int8Array(x.length);
    const equity = new Float64Array(x.length); // a separate output: every backend refuses one that is an input
    const kinds = ['sma', 'ema', 'wma', 'hma', 'dema', 'lsma', 'kama'] as const;
    const once = () => {
      for (const kind of kinds) backend.movingAverage(kind, x, 50, out);
      backend.rateOfChange(x, out);
      backend.scaledReturns(x, 0.00002, out);
      backend.crossoverSignal(x, out, sig);
      backend.equityCurve(out, x, 1, 0.9997, 0, equity);
    };
    once();
    const bytes = backend.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) once();
    expect(backend.memory.buffer.byteLength).toBe(bytes);
  });

  it('keeps working after memory growth detaches the old views', () => {
    const small = smokeSeries();
    const config = resolveConfig({ emaLength: 10, hmaLength: 10, wmaLength: 10, demaLength: 10, lsmaLength: 10, kamaLength: 10 });
    const before = allocateBuffers(small.length, true);
    backend.computeAtc(small, config, before);
    // Force growth: a much larger series than anything before.
    const huge = series(200_000, 11);
    const hugeOut = new Float64Array(huge.length);
    const oldBuffer = backend.memory.buffer;
    backend.movingAverage('ema', huge, 28, hugeOut);
    backend.computeAtc(huge, resolveConfig({}), allocateBuffers(huge.length, true));
    expect(backend.memory.buffer).not.toBe(oldBuffer);
    expect(oldBuffer.byteLength).toBe(0); // detached by the growth
    const after = allocateBuffers(small.length, true);
    backend.computeAtc(small, config, after);
    expect(after).toEqual(before);
  });
});
