// The wasm backend (both builds) must equal the pure-TypeScript backend bit for bit.
import { createJsBackend } from '@adaptive-trend/backend-js';
import { findSharedDir, loadCloses, smokeSeries } from '@adaptive-trend/conformance';
import { AtcEngine, type AtcResult, MA_KINDS, resolveConfig } from '@adaptive-trend/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type WasmBackend, defaultWasmUrl, loadWasmBackend } from '../src/index.js';

const shared = findSharedDir();
const DATASETS = ['ETH_BTC-5m', 'nvda-1999-2014'];
const CONFIGS = [
  {},
  { robustness: 'Wide', lambda: 0.3, decay: 0.2, cutout: 123, strategyMode: true, emaLength: 14, hmaLength: 50, kamaLength: 9 },
  { robustness: 'Narrow', lambda: 0.005, decay: 0.01, cutout: 1, longThreshold: 0.5, shortThreshold: -0.3, lsmaLength: 40, wmaWeight: 2.5 },
] as const;

function bits(a: ArrayLike<number>): string[] {
  const view = new DataView(new ArrayBuffer(8));
  return Array.from(a, (v) => {
    view.setFloat64(0, v);
    return Number.isNaN(v) ? 'NaN' : view.getBigUint64(0).toString(16);
  });
}

function expectSameBits(a: AtcResult, b: AtcResult, label: string): void {
  const ra = a.toRecord();
  const rb = b.toRecord();
  expect(Object.keys(ra)).toEqual(Object.keys(rb));
  for (const key of Object.keys(ra) as (keyof typeof ra)[]) {
    expect(bits(ra[key] as ArrayLike<number>), `${label} ${String(key)}`).toEqual(bits(rb[key] as ArrayLike<number>));
  }
  const da = a.details;
  const db = b.details;
  expect(da === undefined, label).toBe(db === undefined);
  if (da && db) expect(da, `${label} details`).toEqual(db);
}

describe('wasm equals js bit for bit', () => {
  const js = new AtcEngine(createJsBackend());
  const engines: { label: string; engine: AtcEngine }[] = [];
  beforeAll(async () => {
    const plain = await loadWasmBackend({ wasm: defaultWasmUrl(false) });
    const simd = await loadWasmBackend({ wasm: defaultWasmUrl(true) });
    expect((plain as WasmBackend).simd).toBe(false);
    expect((simd as WasmBackend).simd).toBe(true);
    engines.push({ label: 'plain', engine: new AtcEngine(plain) }, { label: 'simd', engine: new AtcEngine(simd) });
  });

  const sources: { name: string; prices: () => Float64Array }[] = [{ name: 'smoke series', prices: () => smokeSeries() }];
  if (shared) for (const d of DATASETS) sources.push({ name: d, prices: () => loadCloses(shared, d) });
  else it.skip('SKIPPED: ../shared not found, golden datasets not compared', () => {});

  for (const source of sources) {
    it(`pipeline and every kernel on ${source.name}`, () => {
      const prices = source.prices();
      for (const { label, engine } of engines) {
        for (const [c, input] of CONFIGS.entries()) {
          const config = resolveConfig(input);
          if (prices.length < config.minimumBars + config.cutout) continue;
          for (const details of [false, true]) {
            expectSameBits(engine.compute(prices, config, { details }), js.compute(prices, config, { details }), `${label} config ${c} details ${details}`);
          }
          expectSameBits(engine.compute(prices, config, { path: 'composed' }), js.compute(prices, config), `${label} composed config ${c}`);
        }
        for (const kind of MA_KINDS) {
          for (const length of [2, 9, 28, 100]) {
            if (length > prices.length) continue;
            expect(bits(engine.movingAverage(kind, prices, length)), `${label} ${kind}(${length})`).toEqual(bits(js.movingAverage(kind, prices, length)));
          }
        }
        expect(bits(engine.kama(prices, prices.length + 5)), `${label} kama longer than the series`).toEqual(bits(js.kama(prices, prices.length + 5)));
        expect(bits(engine.rateOfChange(prices)), `${label} rateOfChange`).toEqual(bits(js.rateOfChange(prices)));
        expect(bits(engine.scaledReturns(prices, 0.37)), `${label} scaledReturns`).toEqual(bits(js.scaledReturns(prices, 0.37)));
        // signals, equity, Layer 1 from shared inputs
        const n = prices.length;
        const returns = js.scaledReturns(prices, 0.02);
        const signals = new Int8Array(9 * n);
        const equities = new Float64Array(9 * n);
        for (let k = 0; k < 9; k++) {
          const ma = js.wma(prices, 5 + 3 * k);
          const sig = engine.crossoverSignal(prices, ma);
          expect(Array.from(sig), `${label} crossoverSignal ${k}`).toEqual(Array.from(js.crossoverSignal(prices, ma)));
          signals.set(sig, k * n);
          const options = { startingEquity: 0.5 + k, decay: 0.01 + k / 50, cutout: k };
          const eq = engine.equityCurve(returns, Float64Array.from(sig), options);
          expect(bits(eq), `${label} equityCurve ${k}`).toEqual(bits(js.equityCurve(returns, Float64Array.from(sig), options)));
          equities.set(eq, k * n);
        }
        equities.fill(1, 0, 9); // no NaN warm-up in the Layer-1 input
        expect(bits(engine.layer1Signal(signals, equities)), `${label} layer1Signal`).toEqual(bits(js.layer1Signal(signals, equities)));
        const up = Uint8Array.from(prices, (p, i) => (i > 0 && p > prices[i - 1]! * 1.001 ? 1 : 0));
        const down = Uint8Array.from(prices, (p, i) => (i > 0 && p < prices[i - 1]! * 0.999 ? 1 : 0));
        expect(Array.from(engine.persistSignal(up, down)), `${label} persistSignal`).toEqual(Array.from(js.persistSignal(up, down)));
      }
    });
  }
});
