// Tier c: invariants that hold for every valid input, checked on random series and configs.
import { type AtcConfigInput, FAMILIES, ROBUSTNESS } from '@adaptive-trend/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { EngineSource } from '../suite.js';

/** Random positive price series: random walks with flat runs and spikes, as exchanges deliver. */
export const priceSeries = (minLength: number, maxLength: number) =>
  fc
    .record({
      start: fc.double({ min: 1e-6, max: 1e5, noNaN: true }),
      steps: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: fc.double({ min: -0.03, max: 0.03, noNaN: true }) },
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.double({ min: -0.5, max: 0.5, noNaN: true }) },
        ),
        { minLength, maxLength },
      ),
    })
    .map(({ start, steps }) => {
      const out = new Float64Array(steps.length);
      let p = start;
      steps.forEach((s, i) => {
        p = Math.max(p * (1 + s), 1e-9);
        out[i] = p;
      });
      return out;
    });

/** Random valid configs (bases long enough for every robustness). */
export const validConfig = (bars: number): fc.Arbitrary<AtcConfigInput> =>
  fc.record({
    emaLength: fc.integer({ min: 8, max: 40 }),
    hmaLength: fc.integer({ min: 9, max: 40 }),
    wmaLength: fc.integer({ min: 8, max: 40 }),
    demaLength: fc.integer({ min: 8, max: 40 }),
    lsmaLength: fc.integer({ min: 8, max: 40 }),
    kamaLength: fc.integer({ min: 8, max: 60 }),
    emaWeight: fc.double({ min: 0.1, max: 5, noNaN: true }),
    kamaWeight: fc.double({ min: 0.1, max: 5, noNaN: true }),
    robustness: fc.constantFrom(...ROBUSTNESS),
    lambda: fc.double({ min: 0.005, max: 0.5, noNaN: true }),
    decay: fc.double({ min: 0.01, max: 0.25, noNaN: true }),
    cutout: fc.integer({ min: 0, max: Math.max(0, bars - 1) }),
    longThreshold: fc.double({ min: 0, max: 0.9, noNaN: true }),
    shortThreshold: fc.double({ min: -0.9, max: 0, noNaN: true }),
    strategyMode: fc.boolean(),
  });

const pipelineCase = priceSeries(48, 400).chain((prices) => validConfig(prices.length).map((config) => ({ prices, config })));

export function definePropertyTests(engine: EngineSource, numRuns: number): void {
  it('outputs are bounded, floored, sized n − cutout; Layer 1 on the 0.01 grid', () => {
    fc.assert(
      fc.property(pipelineCase, ({ prices, config }) => {
        const result = engine().compute(prices, config, { details: true });
        const m = prices.length - (config.cutout ?? 0);
        expect(result.length).toBe(m);
        for (const family of FAMILIES) {
          expect(result.signals[family].length).toBe(m);
          for (const v of result.signals[family]) {
            expect(Math.abs(v)).toBeLessThanOrEqual(1);
            expect(Math.abs(v * 100 - Math.round(v * 100))).toBeLessThan(1e-6);
          }
          for (const e of result.equities[family]) expect(e).toBeGreaterThanOrEqual(0.25);
          for (const curve of result.details!.maEquities[family]) for (const e of curve) expect(e).toBeGreaterThanOrEqual(0.25);
          for (const signal of result.details!.maSignals[family]) for (const s of signal) expect([-1, 0, 1]).toContain(s);
        }
        for (const v of result.averageSignal) {
          expect(Number.isFinite(v)).toBe(true);
          expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-12);
        }
        if (config.strategyMode) expect(result.averageSignal[0]).toBe(0);
      }),
      { numRuns },
    );
  });

  it('is deterministic, does not mutate its input, and the fused path equals the composed kernels', () => {
    fc.assert(
      fc.property(pipelineCase, ({ prices, config }) => {
        const before = prices.slice();
        const a = engine().compute(prices, config).toRecord();
        const b = engine().compute(prices, config).toRecord();
        const composed = engine().compute(prices, config, { path: 'composed' }).toRecord();
        expect(prices).toEqual(before);
        expect(a).toEqual(b);
        expect(a).toEqual(composed);
      }),
      { numRuns: Math.ceil(numRuns / 2) },
    );
  });

  it('cutout equals computing on the full series and slicing the MAs (G2 semantics)', () => {
    fc.assert(
      fc.property(pipelineCase, ({ prices, config }) => {
        const cut = config.cutout ?? 0;
        const full = engine().compute(prices, { ...config, cutout: 0 }, { details: true });
        const part = engine().compute(prices, config, { details: true });
        // MAs are computed on the full series, then cut.
        expect(part.details!.movingAverages.ema[0]).toEqual(full.details!.movingAverages.ema[0]!.subarray(cut));
      }),
      { numRuns: Math.ceil(numRuns / 2) },
    );
  });

  it('moving averages are O(n) running forms that stay within 1e-9 of a direct window sum', () => {
    fc.assert(
      fc.property(priceSeries(30, 300), fc.integer({ min: 1, max: 29 }), (x, length) => {
        const sma = engine().sma(x, length);
        const wma = engine().wma(x, length);
        for (let i = length - 1; i < x.length; i += 7) {
          let s = 0;
          let w = 0;
          for (let k = 0; k < length; k++) {
            s += x[i - length + 1 + k]!;
            w += (k + 1) * x[i - length + 1 + k]!;
          }
          expect(Math.abs(sma[i]! - s / length)).toBeLessThanOrEqual(1e-9 * (s / length));
          expect(Math.abs(wma[i]! - w / ((length * (length + 1)) / 2))).toBeLessThanOrEqual(1e-9 * (s / length));
        }
      }),
      { numRuns },
    );
  });
}
