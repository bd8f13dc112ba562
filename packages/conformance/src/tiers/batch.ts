// Batch tier: computeBatch on many series over several threads equals one compute() per series.
// (A bad series is rejected by core before any thread starts: packages/core/test/bad-input.test.ts.)
import { expect, it } from 'vitest';
import { findSharedDir, loadCloses } from '../fixtures.js';
import type { EngineSource } from '../engine-source.js';
import { smokeSeries } from './vectors.js';

function someSeries(): Float64Array[] {
  const shared = findSharedDir();
  const base = shared ? loadCloses(shared, 'ETH_BTC-5m') : Float64Array.from({ length: 3000 }, (_, i) => smokeSeries()[i % 200]! + i * 0.01);
  // Different lengths and offsets, so each series' result is distinct.
  return Array.from({ length: 9 }, (_, k) => base.slice(k * 150, k * 150 + 600 + k * 37));
}

export function defineBatchTests(engine: EngineSource): void {
  it('computeBatch over 2 threads equals compute() per series, with progress', async () => {
    const series = someSeries();
    const config = { robustness: 'Wide' as const, cutout: 10 };
    const seen: number[] = [];
    const results = await engine().computeBatch(series, config, { threads: 2, onProgress: (done, total) => {
      expect(total).toBe(series.length);
      seen.push(done);
    } });
    expect(results).toHaveLength(series.length);
    results.forEach((result, i) => {
      expect(result.backend).toBe(engine().backend);
      expect(result.toRecord()).toEqual(engine().compute(series[i]!, config).toRecord());
    });
    expect(seen.at(-1)).toBe(series.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('computeBatch with Pine semantics equals compute() per series (n bars each)', async () => {
    const series = someSeries().slice(0, 5);
    const config = { semantics: 'pine' as const, robustness: 'Narrow' as const, cutout: 25 };
    const results = await engine().computeBatch(series, config, { threads: 2 });
    results.forEach((result, i) => {
      expect(result.length).toBe(series[i]!.length);
      expect(result.toRecord()).toEqual(engine().compute(series[i]!, config).toRecord());
    });
  });

  it('computeBatch on one thread and on an empty list', async () => {
    const series = someSeries().slice(0, 3);
    const results = await engine().computeBatch(series, {}, { threads: 1 });
    results.forEach((r, i) => expect(r.toRecord()).toEqual(engine().compute(series[i]!).toRecord()));
    expect(await engine().computeBatch([])).toEqual([]);
  });
}
