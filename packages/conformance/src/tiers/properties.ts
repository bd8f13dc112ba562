// Tier c: invariants that hold for every valid input, checked on random series and configs.
import { FAMILIES } from '@adaptive-trend/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { priceSeries, validConfig } from '../arbitraries.js';
import type { EngineSource } from '../engine-source.js';

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

  // (fused = the backend's own kernels composed: tier e, on random series too.)
  it('is deterministic and does not mutate its input', () => {
    fc.assert(
      fc.property(pipelineCase, ({ prices, config }) => {
        const before = prices.slice();
        const a = engine().compute(prices, config).toRecord();
        const b = engine().compute(prices, config).toRecord();
        expect(prices).toEqual(before);
        expect(a).toEqual(b);
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
