// The long-series path of `compute` (core/src/long-series.ts): the backend's stream over
// chunks instead of the materialising batch. On every backend it must give the batch path's
// bits (Object.is on every output, both semantics, across chunk boundaries and the cutout)
// and the batch path's refusals (same code, field, index and message); wasm refuses a batch
// that cannot fit its linear memory with SERIES_TOO_LONG before allocating, and without
// details computes it on the long path instead.
import { backendFactory as jsFactory } from '@adaptive-trend/backend-js';
import { backendFactory as nativeFactory } from '@adaptive-trend/backend-native';
import { type WasmBackend, backendFactory as wasmFactory } from '@adaptive-trend/backend-wasm';
import { findSharedDir, firstDifference, loadCloses, seededWalk } from '@adaptive-trend/conformance';
import { type AtcConfigInput, AtcEngine, AtcInputError, type Backend, allocateBuffers, outputBars, resolveConfig } from '@adaptive-trend/core';
import { afterEach, describe, expect, it } from 'vitest';
// Not public API: the same module instance core's dist uses (the package resolves to this file's directory).
import { longSeriesThreshold, setLongSeriesOptions } from '../packages/core/dist/long-series.js';

const factories = [nativeFactory, wasmFactory, jsFactory];

/** Real closes (several datasets, each scaled by its first close) or, without ../shared, a seeded walk. */
function series(n: number): Float64Array {
  const shared = findSharedDir();
  if (!shared) return seededWalk(n, 17);
  const parts = ['ETH_BTC-5m', 'nvda-1999-2014', 'LTC_BTC-5m'].map((d) => loadCloses(shared, d));
  const out = new Float64Array(n);
  let i = 0;
  for (let p = 0; i < n; p++) {
    const part = parts[p % parts.length]!;
    for (let j = 0; j < part.length && i < n; j++) out[i++] = part[j]! / part[0]!;
  }
  return out;
}

/** All 13 output rows of `compute` (through `options.outputs`, a fresh array each call). */
function outputsOf(engine: AtcEngine, prices: Float64Array, config: AtcConfigInput = {}, details = false): Float64Array {
  const outputs = new Float64Array(13 * outputBars(resolveConfig(config), prices.length)).fill(Number.NaN);
  engine.compute(prices, config, { outputs, details });
  return outputs;
}

/** `compute` on the batch path (threshold out of reach) and on the long path (threshold 0, `chunkBars`). */
function bothPaths<T>(run: () => T, chunkBars: number): { batch: T; long: T } {
  const previous = setLongSeriesOptions({ threshold: Number.POSITIVE_INFINITY });
  try {
    const batch = run();
    setLongSeriesOptions({ threshold: 0, chunkBars });
    return { batch, long: run() };
  } finally {
    setLongSeriesOptions(previous);
  }
}

function refusal(run: () => unknown): { code: string; field: string; index: number | undefined; message: string } | 'no error' {
  try {
    run();
  } catch (error) {
    if (error instanceof AtcInputError) return { code: error.code, field: error.field, index: error.index, message: error.message };
    throw error;
  }
  return 'no error';
}

/** A backend whose `createStream` and `computeAtc` calls are counted. */
function counted(backend: Backend): { backend: Backend; calls: { stream: number; batch: number } } {
  const calls = { stream: 0, batch: 0 };
  const wrapped: Backend = {
    ...backend,
    name: backend.name,
    semantics: backend.semantics,
    computeAtc: (...args) => {
      calls.batch++;
      return backend.computeAtc(...args);
    },
    createStream: (...args) => {
      calls.stream++;
      return backend.createStream!(...args);
    },
  };
  return { backend: wrapped, calls };
}

afterEach(() => {
  setLongSeriesOptions({ threshold: undefined, chunkBars: 1 << 16 });
});

const CONFIGS: AtcConfigInput[] = [
  {},
  { cutout: 1234, robustness: 'Wide', lambda: 0.3 },
  { semantics: 'pine' },
  { semantics: 'pine', cutout: 777, robustness: 'Narrow', decay: 0.2 },
];

describe('long series: compute through the stream, chunk by chunk', () => {
  for (const factory of factories) {
    describe(factory.name, () => {
      it('every output equals the batch path (Object.is), both semantics, chunks crossing the cutout', async () => {
        const engine = new AtcEngine(await factory.load());
        const prices = series(5000);
        for (const config of CONFIGS) {
          for (const chunkBars of [700, 1, 4999, 65_536]) {
            if (chunkBars === 1 && config !== CONFIGS[1]) continue; // bar by bar once is enough (slow on js)
            const { batch, long } = bothPaths(() => outputsOf(engine, prices, config), chunkBars);
            expect(firstDifference(long, batch), `${JSON.stringify(config)} chunk ${chunkBars}`).toBe(-1);
          }
        }
      });

      it("the long path's result views options.outputs, as the batch path's does", async () => {
        const engine = new AtcEngine(await factory.load());
        const prices = series(3000);
        const outputs = new Float64Array(13 * (3000 - 250)).fill(Number.NaN);
        const { batch } = bothPaths(() => outputsOf(engine, prices, { cutout: 250 }), 512);
        setLongSeriesOptions({ threshold: 0, chunkBars: 512 });
        const result = engine.compute(prices, { cutout: 250 }, { outputs });
        expect(result.averageSignal.buffer).toBe(outputs.buffer);
        expect(result.averageSignal[result.length - 1]).toBe(batch[batch.length - 1]);
        expect(firstDifference(outputs, batch)).toBe(-1);
      });

      it('an equity overflow in a later chunk is refused like the batch path (code, field, index, message)', async () => {
        const engine = new AtcEngine(await factory.load());
        // the conformance tier's overflowing series, shifted behind 2,000 ordinary bars
        const head = series(2000);
        const prices = new Float64Array(2120);
        prices.set(head);
        for (let i = 0; i < 120; i++) prices[2000 + i] = (100 + Math.sin(i / 5) * 3 + i * 0.05) * 1e-300;
        for (let i = 2100; i < 2109; i++) prices[i] = prices[i - 1]! * 1e60;
        prices.fill(prices[2108]!, 2109);
        for (const config of [{}, { semantics: 'pine' as const }]) {
          for (const chunkBars of [333, 2101, 4096, 65_536]) {
            const { batch, long } = bothPaths(() => refusal(() => engine.compute(prices, config)), chunkBars);
            expect(batch).not.toBe('no error');
            expect((batch as { code: string }).code).toBe('GROWTH_OVERFLOW');
            expect(long, `${JSON.stringify(config)} chunk ${chunkBars}`).toEqual(batch);
          }
        }
      });

      it('takes the long path from the threshold on, only without details', async () => {
        const { backend, calls } = counted(await factory.load());
        const engine = new AtcEngine(backend);
        const prices = series(1200);
        setLongSeriesOptions({ threshold: 1200, chunkBars: 500 });
        engine.compute(prices.subarray(0, 1199));
        expect(calls).toEqual({ stream: 0, batch: 1 });
        const long = outputsOf(engine, prices);
        expect(calls).toEqual({ stream: 1, batch: 1 });
        const detailed = outputsOf(engine, prices, {}, true);
        expect(calls).toEqual({ stream: 1, batch: 2 });
        expect(firstDifference(long, detailed)).toBe(-1);
        setLongSeriesOptions({ threshold: undefined });
        expect(longSeriesThreshold(factory.name, 'reference')).toBeGreaterThan(1500);
        expect(longSeriesThreshold(factory.name, 'pine')).toBeGreaterThan(1500);
      });
    });
  }
});

describe('SERIES_TOO_LONG: what cannot be allocated is refused before computing', () => {
  it('wasm: a batch beyond its linear memory is refused with details, and computed on the long path without', async () => {
    const backend = (await wasmFactory.load()) as WasmBackend;
    const engine = new AtcEngine(backend);
    const prices = series(4000);
    const expected = outputsOf(engine, prices); // below the threshold: the batch path
    // a fake limit of 1 MiB: 4,000 bars need ~4 MiB without details, ~15 MiB with them (2× headroom)
    backend.memoryLimitBytes = 2 ** 20;
    try {
      const refused = refusal(() => engine.compute(prices, undefined, { details: true }));
      expect(refused).toMatchObject({ code: 'SERIES_TOO_LONG', field: 'prices' });
      expect((refused as { message: string }).message).toMatch(/4 GiB linear memory.*without details/);
      expect(firstDifference(outputsOf(engine, prices), expected)).toBe(-1);
      // and the limit's arithmetic: just under and just over
      const perBar = backend.batchFootprint(1, true).bytes;
      backend.memoryLimitBytes = perBar * 4000;
      expect(engine.compute(prices, undefined, { details: true }).length).toBe(4000);
      backend.memoryLimitBytes = perBar * 4000 - 1;
      expect(refusal(() => engine.compute(prices, undefined, { details: true }))).toMatchObject({ code: 'SERIES_TOO_LONG' });
    } finally {
      backend.memoryLimitBytes = undefined;
    }
  });

  it('wasm: the real limit refuses 3·10⁶ bars with details, allows 10⁶ (no allocation happens)', async () => {
    const backend = (await wasmFactory.load()) as WasmBackend;
    const footprint = backend.batchFootprint(3_000_000, true);
    expect(footprint.bytes).toBeGreaterThan(footprint.limitBytes);
    expect(footprint.limitBytes).toBeLessThanOrEqual(4 * 2 ** 30);
    expect(backend.batchFootprint(1_000_000, true).bytes).toBeLessThan(footprint.limitBytes);
  });

  it("a typed array beyond the JavaScript engine's maximum length is an AtcInputError, not V8's RangeError", () => {
    const refused = refusal(() => allocateBuffers(2 ** 30, true, new Float64Array(0))); // 54 × 2³⁰ > V8's maximum length
    expect(refused).toMatchObject({ code: 'SERIES_TOO_LONG', field: 'prices' });
    expect((refused as { message: string }).message).toMatch(/without details/);
    expect(refusal(() => allocateBuffers(2 ** 31, false))).toMatchObject({ code: 'SERIES_TOO_LONG', field: 'prices' });
  });
});
