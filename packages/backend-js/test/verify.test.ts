// core's verifyBackend holds hard-coded bits derived from this backend: they must stay
// exactly what backend-js computes (fused and composed), and a backend off by one bit fails.
import { AtcEngine, type Backend, verifyBackend } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { backendFactory, composeAtcFromKernels, createJsBackend } from '../src/index.js';

describe('verifyBackend (core) against backend-js', () => {
  it('passes on the js backend, fused and kernel-by-kernel composed', async () => {
    expect(() => verifyBackend(createJsBackend())).not.toThrow();
    const js = createJsBackend();
    const composed: Backend = { ...js, computeAtc: (prices, config, buffers) => composeAtcFromKernels(js, prices, config, buffers) };
    expect(() => verifyBackend(composed)).not.toThrow();
    expect((await backendFactory.load()).name).toBe('js');
  });

  it('refuses a backend one bit off in one output, naming it and the row', () => {
    const js = createJsBackend();
    const offByOneBit: Backend = {
      ...js,
      name: 'tampered',
      computeAtc: (prices, config, buffers) => {
        js.computeAtc(prices, config, buffers);
        const m = prices.length - config.cutout;
        const i = 7 * m + 5; // Layer-2 HMA, bar 5
        new BigInt64Array(buffers.outputs.buffer, buffers.outputs.byteOffset + i * 8, 1)[0]! += 1n; // the next double
      },
    };
    expect(() => verifyBackend(offByOneBit)).toThrow(/backend 'tampered' failed its load-time check: computeAtc: the bit hash of output row 7/);
  });

  it('refuses a backend whose kernel is wrong or which throws', () => {
    const js = createJsBackend();
    const wrongEma: Backend = { ...js, name: 'bad-ema', movingAverage: (kind, x, length, out) => { js.movingAverage(kind, x, length, out); out[4] = 4.000000000000001; } };
    expect(() => verifyBackend(wrongEma)).toThrow(/'bad-ema'.*movingAverage\('ema', \[1\.\.5\], 3\) at 4 is 4\.000000000000001, expected 4/);
    const throwing: Backend = { ...js, name: 'broken', computeAtc: () => { throw new Error('unreachable executed'); } };
    expect(() => verifyBackend(throwing)).toThrow(/'broken'.*computeAtc threw unreachable executed/);
  });
});

describe('growth rule end to end on js (issue 11 item 17)', () => {
  const engine = new AtcEngine(createJsBackend());

  it('just below the growth boundary the outputs are finite; at it, GROWTH_OVERFLOW', async () => {
    const { growthOverflowBar } = await import('@adaptive-trend/core');
    const first = growthOverflowBar(0.5); // 1 419 566
    const flat = new Float64Array(first + 1).fill(100); // zero returns: no equity can overflow
    const config = { lambda: 0.5, emaLength: 6, hmaLength: 6, wmaLength: 6, demaLength: 6, lsmaLength: 6, kamaLength: 6, robustness: 'Narrow' as const };
    const below = engine.compute(flat.subarray(0, first), config);
    for (const row of Object.values(below.toRecord())) expect(row.every(Number.isFinite)).toBe(true);
    expect(() => engine.compute(flat, config)).toThrow(expect.objectContaining({ code: 'GROWTH_OVERFLOW', field: 'config.lambda', index: first }));
  }, 120_000);

  it('equities compounding past 1.8e308 are refused at the first bar where a raw output stops being finite', () => {
    // A trending walk: with lambda 0.5 the growth reaches e^10 by bar 20 000, and the held
    // positions' equities compound beyond the largest double long before the growth overflows.
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const prices = new Float64Array(30_000);
    prices[0] = 100;
    for (let i = 1; i < prices.length; i++) prices[i] = prices[i - 1]! * (1 + 0.002 + (random() - 0.5) * 0.01);
    const error = (() => {
      try {
        engine.compute(prices, { lambda: 0.5 });
      } catch (e) {
        return e as { code: string; index: number };
      }
      throw new Error('accepted');
    })();
    expect(error.code).toBe('GROWTH_OVERFLOW');
    // what the backend returns without the rule: the first bar with a non-finite Layer-1
    // signal or Layer-2 equity, or a Layer-2 sum beyond the largest double
    const js = createJsBackend();
    const m = prices.length;
    const outputs = new Float64Array(13 * m);
    js.computeAtc(prices, engine.resolveConfig({ lambda: 0.5 }), { outputs });
    let first = -1;
    for (let i = 0; i < m && first < 0; i++) {
      let sum = 0;
      for (let r = 0; r < 12; r++) if (!Number.isFinite(outputs[r * m + i]!)) first = i;
      for (let r = 6; r < 12; r++) sum += outputs[r * m + i]!;
      if (!Number.isFinite(sum)) first = i;
    }
    expect(first).toBeGreaterThan(0);
    expect(error.index).toBe(first);
  });
});
