// computeBatch leaving the price scan to a backend's batch threads (`batchChecksPrices`, as
// backend-native does): when core defers it, what the backend is asked, and that the error is
// the one core's own scan throws; and the backend's own output buffers (`batchOutputs`).
// (On the real backend: conformance tier batch.)
import { describe, expect, it } from 'vitest';
import { AtcEngine, AtcError, AtcInputError, type Backend } from '../src/index.js';
import { createSpyBackend } from './spy-backend.js';

const config = { cutout: 0 };
const seriesOf = (count: number, n = 80) =>
  Array.from({ length: count }, (_, k) => Float64Array.from({ length: n }, (_, j) => 100 + k + Math.sin(j / 7)));

/** A batch backend that checks prices as the Rust threads do (or lies about them, `refuse`). */
function priceCheckingBackend(refuse?: number): Backend & { asked: (boolean | undefined)[] } {
  const asked: (boolean | undefined)[] = [];
  return {
    ...createSpyBackend(),
    asked,
    batchChecksPrices: true,
    computeAtcBatch: (series, _config, buffers, _threads, checkPrices) => {
      asked.push(checkPrices);
      if (checkPrices) {
        const bad = refuse ?? series.findIndex((s) => s.some((v) => !(v > 0 && v < Infinity)));
        if (bad >= 0) return bad;
      }
      for (const b of buffers) b.outputs.fill(0);
      return new Float64Array(series.length).fill(-1);
    },
  };
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AtcInputError);
  const { code, field, index, message } = error as AtcInputError;
  return { code, field, index, message };
};

describe('computeBatch with a backend that checks prices itself', () => {
  it('one call: the backend is asked to check, and its report becomes the error core would throw', async () => {
    const backend = priceCheckingBackend();
    const engine = new AtcEngine(backend);
    const series = seriesOf(5);
    expect(await engine.computeBatch(series, config, { threads: 2 })).toHaveLength(5);
    expect(backend.asked).toEqual([true]);
    const bad = series.map((s) => s.slice());
    bad[3]![40] = NaN;
    bad[4]![2] = -1;
    const deferred = await refusal(engine.computeBatch(bad, config, { threads: 2 }));
    expect(backend.asked).toEqual([true, true]); // core did not scan: the backend found it
    const scanned = await refusal(engine.computeBatch(bad, config, { threads: 2, onProgress: () => {} }));
    expect(backend.asked).toEqual([true, true]); // with onProgress core scans first: never called
    expect(deferred).toEqual(scanned);
    expect(deferred).toMatchObject({ code: 'NON_FINITE_VALUE', field: 'series[3]', index: 40 });
  });

  it('scans on the calling thread when another check fails first, or an option is bad', async () => {
    const backend = priceCheckingBackend();
    const engine = new AtcEngine(backend);
    const bad = seriesOf(4).map((s) => s.slice());
    bad[1]![0] = 0;
    bad[2] = new Float64Array(0);
    expect(await refusal(engine.computeBatch(bad, config))).toMatchObject({ code: 'NON_POSITIVE_PRICE', field: 'series[1]', index: 0 });
    bad[2] = seriesOf(1)[0]!;
    expect(await refusal(engine.computeBatch(bad, config, { threads: 0 }))).toMatchObject({ field: 'series[1]' });
    expect(backend.asked).toEqual([]);
  });

  it('a backend refusing prices core accepts is an AtcError naming the series', async () => {
    const engine = new AtcEngine(priceCheckingBackend(1));
    const error = await engine.computeBatch(seriesOf(3), config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtcError);
    expect(error).not.toBeInstanceOf(AtcInputError);
    expect((error as Error).message).toMatch(/refused the prices of series\[1\], which core accepts/);
  });

  it('a batch backend without batchChecksPrices is never asked, and never sees a bad price', async () => {
    const backend = { ...priceCheckingBackend(), batchChecksPrices: undefined };
    const engine = new AtcEngine(backend);
    const bad = seriesOf(3);
    bad[2]![7] = Infinity;
    expect(await refusal(engine.computeBatch(bad, config))).toMatchObject({ code: 'NON_FINITE_VALUE', field: 'series[2]', index: 7 });
    expect(await engine.computeBatch(seriesOf(3), config)).toHaveLength(3);
    expect(backend.asked).toEqual([false]);
  });

  it("outputs go into the backend's own buffers when it offers them (batchOutputs)", async () => {
    const given: ArrayBuffer[] = [];
    const backend = { ...priceCheckingBackend(), batchOutputs: (bytes: number) => given[given.push(new ArrayBuffer(bytes)) - 1]! };
    const results = await new AtcEngine(backend).computeBatch(seriesOf(3, 50), config);
    expect(given.map((b) => b.byteLength)).toEqual([3 * 13 * 50 * 8]);
    expect(results.map((r) => r.averageSignal.buffer)).toEqual([given[0], given[0], given[0]]);
  });
});
