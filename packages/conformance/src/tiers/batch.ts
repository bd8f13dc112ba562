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

  it('every bad batch throws the error of the first bad series in order, whoever scans the prices (one call vs onProgress)', async () => {
    const series = someSeries(12);
    type Edit = (bad: unknown[]) => void;
    const setAt = (k: number, i: number, v: number): Edit => (bad) => void ((bad[k] as Float64Array)[i] = v);
    const cases: [string, Edit[], { threads?: unknown }?][] = [
      ['a negative price', [setAt(7, 100, -1)]],
      ['NaN before a zero', [setAt(4, 10, NaN), setAt(9, 3, 0)]],
      ['+Infinity before an empty series', [setAt(2, 0, Infinity), (bad) => void (bad[5] = new Float64Array(0))]],
      ['an empty series before a NaN', [(bad) => void (bad[6] = []), setAt(8, 0, NaN)]],
      ['-Infinity before a too-short series', [(bad) => void (bad[1] = Float64Array.from({ length: 10 }, () => 100)), setAt(0, 5, -Infinity)]],
      ['a plain array with a zero', [(bad) => void (bad[3] = Array.from(bad[3] as Float64Array, (v, i) => (i === 42 ? 0 : v)))]],
      ['a NaN before a string element', [setAt(1, 7, NaN), (bad) => void (bad[4] = ['1', 2])]],
      ['a NaN and a bad threads option', [setAt(2, 1, NaN)], { threads: 0 }],
      ['-0 in the last series', [setAt(11, 599, -0)]],
    ];
    const failure = async (bad: unknown[], options: object) => {
      const error = await engine().computeBatch(bad as Float64Array[], {}, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AtcInputError);
      const { code, field, index, message } = error as AtcInputError;
      return { code, field, index, message };
    };
    for (const [name, edits, options] of cases) {
      const bad: unknown[] = series.map((s) => s.slice());
      for (const edit of edits) edit(bad);
      const oneCall = await failure(bad, { threads: 2, ...options });
      const progress: number[] = [];
      const split = await failure(bad, { threads: 2, ...options, onProgress: (done: number) => progress.push(done) });
      expect(oneCall, name).toEqual(split);
      expect(oneCall.field, name).toMatch(/^series\[\d+\]$/);
      expect(progress, name).toEqual([]);
    }
    const first = await failure([series[0], Float64Array.of(...series[1]!.subarray(0, 599), NaN), series[2]], { threads: 2 });
    expect(first).toMatchObject({ code: 'NON_FINITE_VALUE', field: 'series[1]', index: 599 });
    requireSameAsCompute(engine, series, await engine().computeBatch(series, {}, { threads: 2 }), {});
  });

  it('an equity overflowing in series N is refused as compute() refuses it, naming series[N] (the growth check of the batch)', async () => {
    // Valid prices near 1e−300 that jump ×1e60 for nine bars: a held long position's equity
    // compounds past 1.8e308 (as in the bit-identity tier). Native runs this check in its
    // Rust threads, js and wasm in the workers: same code, bar and message as compute().
    const overflowing = Float64Array.from({ length: 200 }, (_, i) => (100 + Math.sin(i / 5) * 3 + i * 0.05) * 1e-300);
    for (let i = 100; i < 109; i++) overflowing[i] = overflowing[i - 1]! * 1e60;
    overflowing.fill(overflowing[108]!, 109);
    for (const config of [{} as AtcConfigInput, { semantics: 'pine', cutout: 20 } as AtcConfigInput]) {
      const single = (() => {
        try {
          engine().compute(overflowing, config);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(single).toMatchObject({ code: 'GROWTH_OVERFLOW' });
      const series = someSeries(9).map((s) => s.subarray(0, 200).map((v) => v * 1e-300));
      series[6] = overflowing;
      const error = await engine().computeBatch(series, config, { threads: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AtcInputError);
      const { code, field, index } = single as AtcInputError;
      expect(error).toMatchObject({ code, field, index });
      expect((error as Error).message).toBe((single as Error).message.replace('of prices', 'of series[6]'));
    }
  });

  it('computeAtc writes every output value (batch outputs are not zeroed first)', () => {
    for (const config of [{ cutout: 10 } as AtcConfigInput, { semantics: 'pine', cutout: 30 } as AtcConfigInput]) {
      const prices = someSeries(1)[0]!.subarray(0, 400);
      const fresh = engine().compute(prices, config);
      const dirty = new Float64Array(13 * fresh.length).fill(-7.25);
      engine().compute(prices, config, { outputs: dirty });
      expect(dirty.includes(-7.25)).toBe(false);
      requireSameBits(`outputs (${config.semantics ?? 'reference'})`, dirty, new Float64Array(fresh.averageSignal.buffer)); // fresh: its own 13-row buffer
    }
  });

  it('the input arrays are left as they were (copied, never transferred)', async () => {
    const series = someSeries(6);
    const copies = series.map((s) => s.slice());
    await engine().computeBatch(series, {}, { threads: 2 });
    series.forEach((s, i) => requireSameBits(`series[${i}]`, s, copies[i]!));
  });
}
