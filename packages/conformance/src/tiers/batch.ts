// Batch tier: computeBatch on many series over several threads (native Rust threads, or the
// engine's worker pool on js and wasm) gives each series the very doubles of one compute()
// (Object.is), reports progress, refuses a bad series before computing anything and keeps
// working after a refusal or `close()`. (Pool internals: packages/core/test/batch-pool.test.ts.)
import { type AtcConfigInput, AtcInputError, type AtcResult } from '@adaptive-trend/core';
import { afterAll, expect, it } from 'vitest';
import { requireSameBits } from '../bits.js';
import { findSharedDir, loadCloses } from '../fixtures.js';
import type { EngineSource } from '../engine-source.js';
import { smokeSeries } from './vectors.js';

const DATASETS = ['ETH_BTC-5m', 'ADA_BTC-5m', 'nvda-1999-2014', 'UNITTEST_BTC-30m'];

/** `count` series of different lengths and offsets over real closes (synthetic without ../shared). */
function someSeries(count = 9): Float64Array[] {
  const shared = findSharedDir();
  const bases = shared ? DATASETS.map((d) => loadCloses(shared, d)) : [Float64Array.from({ length: 3000 }, (_, i) => smokeSeries()[i % 200]! + i * 0.01)];
  return Array.from({ length: count }, (_, k) => {
    const base = bases[k % bases.length]!;
    const n = 600 + ((k * 37) % 400);
    const start = (k * 150) % (base.length - n);
    return base.slice(start, start + n);
  });
}

function requireSameAsCompute(engine: EngineSource, series: readonly Float64Array[], results: readonly AtcResult[], config: AtcConfigInput): void {
  expect(results).toHaveLength(series.length);
  results.forEach((result, i) => {
    const batch: Record<string, Float64Array> = result.toRecord();
    const single: Record<string, Float64Array> = engine().compute(series[i]!, config).toRecord();
    expect(Object.keys(batch)).toEqual(Object.keys(single));
    for (const key of Object.keys(single)) requireSameBits(`series[${i}] ${key}`, batch[key]!, single[key]!);
  });
}

export function defineBatchTests(engine: EngineSource): void {
  afterAll(() => engine().close());

  it('computeBatch over 2 threads: the bits of compute() per series, progress up to the total', async () => {
    const series = someSeries(40);
    const config = { robustness: 'Wide' as const, cutout: 10 };
    const seen: number[] = [];
    const results = await engine().computeBatch(series, config, { threads: 2, onProgress: (done, total) => {
      expect(total).toBe(series.length);
      seen.push(done);
    } });
    results.forEach((r) => expect(r.backend).toBe(engine().backend));
    requireSameAsCompute(engine, series, results, config);
    expect(seen.at(-1)).toBe(series.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    // A second call on the warm pool: same bits again.
    requireSameAsCompute(engine, series.slice(0, 7), await engine().computeBatch(series.slice(0, 7), config, { threads: 2 }), config);
  });

  it('computeBatch with Pine semantics equals compute() per series (n bars each)', async () => {
    const series = someSeries(5);
    const config = { semantics: 'pine' as const, robustness: 'Narrow' as const, cutout: 25 };
    const results = await engine().computeBatch(series, config, { threads: 2 });
    results.forEach((result, i) => expect(result.length).toBe(series[i]!.length));
    requireSameAsCompute(engine, series, results, config);
  });

  it('computeBatch on one thread and on an empty list', async () => {
    const series = someSeries(3);
    requireSameAsCompute(engine, series, await engine().computeBatch(series, {}, { threads: 1 }), {});
    expect(await engine().computeBatch([])).toEqual([]);
  });

  it('a bad series N is refused as series[N] before any work; the batch works again after, and after close()', async () => {
    const series = someSeries(12);
    const bad = series.map((s) => s.slice());
    bad[7]![100] = -1;
    const progress: number[] = [];
    const error = await engine().computeBatch(bad, {}, { threads: 2, onProgress: (done) => progress.push(done) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtcInputError);
    expect(error).toMatchObject({ code: 'NON_POSITIVE_PRICE', field: 'series[7]', index: 100 });
    expect(progress).toEqual([]); // nothing computed
    requireSameAsCompute(engine, series, await engine().computeBatch(series, {}, { threads: 2 }), {});
    await engine().close();
    requireSameAsCompute(engine, series.slice(0, 4), await engine().computeBatch(series.slice(0, 4), {}, { threads: 2 }), {});
  });

  it('the input arrays are left as they were (copied, never transferred)', async () => {
    const series = someSeries(6);
    const copies = series.map((s) => s.slice());
    await engine().computeBatch(series, {}, { threads: 2 });
    series.forEach((s, i) => requireSameBits(`series[${i}]`, s, copies[i]!));
  });
}
