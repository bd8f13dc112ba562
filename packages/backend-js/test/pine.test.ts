// Pine semantics (issue 12) in backend-js: each place the script differs from the reference,
// the fused pass against the single-job kernels, and the engine wiring. The golden/pine
// fixtures run in the conformance suite (tier p, packages/conformance/src/tiers/pine.ts).
import { AtcEngine, AtcInputError, FAMILIES, type Family, type FamilyRecord, type Robustness, entrySignals, familyLengths, fromReferenceParams } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { crossoverSignal } from '../src/kernels/signals.js';
import { createJsBackend } from '../src/backend.js';
import { type PineConfig, type PineResult, computePine, pineAverageSignal, pineConfigOf, pineDema, pineEquity, pineKama, pineLayer1, pineLinreg, pineMovingAverage, pineRound2, pineScaledReturns } from '../src/pine/index.js';

/** The script's inputs, by their Pine names, with the script's defaults. */
const PINE_DEFAULTS = {
  La: 0.02, De: 0.03, cutout: 0, robustness: 'Medium' as Robustness,
  ema_len: 28, hull_len: 28, wma_len: 28, dema_len: 28, lsma_len: 28, kama_len: 28,
  ema_w: 1, hma_w: 1, wma_w: 1, dema_w: 1, lsma_w: 1, kama_w: 1,
};
type PineInputs = typeof PINE_DEFAULTS;
const LEN_INPUT: FamilyRecord<keyof PineInputs> = { ema: 'ema_len', hma: 'hull_len', wma: 'wma_len', dema: 'dema_len', lsma: 'lsma_len', kama: 'kama_len' };
const WEIGHT_INPUT: FamilyRecord<keyof PineInputs> = { ema: 'ema_w', hma: 'hma_w', wma: 'wma_w', dema: 'dema_w', lsma: 'lsma_w', kama: 'kama_w' };

function configFromInputs(params: Partial<PineInputs>): PineConfig {
  for (const key of Object.keys(params)) if (!(key in PINE_DEFAULTS)) throw new Error(`unknown Pine input ${key}`);
  const p = { ...PINE_DEFAULTS, ...params };
  const byFamily = <T>(f: (family: Family) => T) => Object.fromEntries(FAMILIES.map((family) => [family, f(family)])) as FamilyRecord<T>;
  return {
    lengths: byFamily((family) => familyLengths(p[LEN_INPUT[family]] as number, p.robustness)),
    weights: byFamily((family) => p[WEIGHT_INPUT[family]] as number),
    lambda: p.La, decay: p.De, cutout: p.cutout,
  };
}

describe('Pine arithmetic, one difference at a time', () => {
  it('math.round(x, 2) rounds x·100 half away from zero, decided in doubles', () => {
    expect(pineRound2(0.125)).toBe(0.13);
    expect(pineRound2(-0.125)).toBe(-0.13); // the reference (half to even) gives −0.12
    expect(pineRound2(0.145)).toBe(0.14); // 0.145·100 = 14.499999999999998
    expect(pineRound2(-0.005)).toBe(-0.01);
    expect(pineRound2(0.3349)).toBe(0.33);
    expect(pineRound2(1)).toBe(1);
    expect(pineRound2(NaN)).toBeNaN();
  });

  it('KAMA starts from 0 and creeps by 0.064² while the noise sum is na', () => {
    const x = Float64Array.from([10, 11, 12, 11, 13, 14]);
    const out = new Float64Array(x.length);
    pineKama(x, 3, out);
    let k = 0;
    for (let i = 0; i < 3; i++) {
      k = k + 0.064 * 0.064 * (x[i]! - k);
      expect(out[i]).toBe(k);
    }
    expect(out[0]).toBe(0.064 * 0.064 * 10);
    // bar 3: noise = |11−10|+|12−11|+|11−12| = 3, signal = |11−10| = 1
    const t = (1 / 3) * (0.666 - 0.064) + 0.064;
    expect(out[3]).toBe(k + t * t * (11 - k));
  });

  it('DEMA (TradingView/ta) starts at bar 2L−2 with 2·E1 − SMA-seeded EMA(E1)', () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => 100 + ((i * 7) % 5));
    const out = new Float64Array(x.length);
    pineDema(x, 4, out);
    for (let i = 0; i < 6; i++) expect(out[i]).toBeNaN();
    const e1: number[] = [];
    let e = (x[0]! + x[1]! + x[2]! + x[3]!) / 4;
    e1[3] = e;
    for (let i = 4; i < 12; i++) e1[i] = e = 0.4 * x[i]! + 0.6 * e;
    let e2 = (e1[3]! + e1[4]! + e1[5]! + e1[6]!) / 4;
    expect(out[6]).toBeCloseTo(2 * e1[6]! - e2, 12);
    for (let i = 7; i < 12; i++) {
      e2 = 0.4 * e1[i]! + 0.6 * e2;
      expect(out[i]).toBeCloseTo(2 * e1[i]! - e2, 12);
    }
  });

  it('ta.linreg(x, L, 0) is the fitted line at the newest bar of the window', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => 3 + 2 * i); // a line: the fit is exact
    const out = new Float64Array(x.length);
    pineLinreg(x, 5, out);
    for (let i = 0; i < 4; i++) expect(out[i]).toBeNaN();
    for (let i = 4; i < 10; i++) expect(out[i]).toBeCloseTo(x[i]!, 12); // the reference gives x[i] − 2
  });

  it('equity keeps the last `a` while the previous signal is 0 (var float a)', () => {
    const r = Float64Array.from([NaN, 0.1, 0.2, 0.3, 0.4]);
    const signal = Int8Array.from([1, 0, 0, -1, 0]);
    const out = new Float64Array(5);
    pineEquity(r, signal, 1, 1, 0, out);
    // bar 1: a = r1 (sig[0] = 1); bars 2–3: sig 0 keeps a = 0.1; bar 4: sig[3] = −1 → a = −0.4
    expect(Array.from(out)).toEqual([1, 1.1, 1.1 * 1.1, 1.1 * 1.1 * 1.1, 1.1 * 1.1 * 1.1 * 0.6]);
  });

  it('equity starts at the cutout bar, where `a` already takes that bar’s return', () => {
    const r = Float64Array.from([NaN, 0.1, 0.2, 0.3]);
    const signal = Int8Array.from([0, 1, 0, 0]);
    const out = new Float64Array(4);
    pineEquity(r, signal, 2, 1, 2, out);
    // bar 2: e = 2, a = r2 = 0.2 (sig[1] = 1); bar 3: sig[2] = 0 keeps a = 0.2
    expect(Array.from(out)).toEqual([NaN, NaN, 2, 2.4]);
  });

  it('entries: a threshold cross is an entry only against the remembered direction', () => {
    const x = Float64Array.from([NaN, 0, 0.2, 0, 0.3, -0.2, 0, -0.3, 0.2, 0.2, 0.05, 0.2]);
    const out = entrySignals(x, 0.1, -0.1, false);
    // bar 2 only arms direction = 1; bar 4 crosses up again (same direction): no entry;
    // bar 5 crosses down against 1: short; bar 7 crosses down again: none; bar 8 long;
    // bar 11 crosses up again while direction is already 1: none.
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0]);
    const shifted = entrySignals(x, 0.1, -0.1, true);
    expect(Array.from(shifted)).toEqual([0, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0]);
  });

  it('outputs are full length with na only before the cutout', () => {
    const close = Float64Array.from({ length: 200 }, (_, i) => 100 + 10 * Math.sin(i / 7) + i / 10);
    const config = configFromInputs({ cutout: 60, ema_len: 20, hull_len: 20, wma_len: 20, dema_len: 20, lsma_len: 20, kama_len: 20 });
    const result = computePine(close, config);
    for (const series of [...Object.values(result.signals), ...Object.values(result.equities), result.averageSignal]) {
      expect(series.length).toBe(200);
      for (let i = 0; i < 200; i++) expect(Number.isNaN(series[i]!), `bar ${i}`).toBe(i < 60);
    }
  });
});

/** The pipeline from the single-job kernels, one array per step (what the fused pass must equal). */
function composedPine(close: Float64Array, config: PineConfig, source = close): PineResult {
  const n = close.length;
  const r = new Float64Array(n);
  pineScaledReturns(close, config.lambda / 1000, config.cutout, r);
  const d = 1 - config.decay / 100;
  const signals = {} as FamilyRecord<Float64Array>, equities = {} as FamilyRecord<Float64Array>;
  for (const family of FAMILIES) {
    const rows = config.lengths[family].length;
    const s = new Int8Array(rows * n), e = new Float64Array(rows * n);
    config.lengths[family].forEach((length, k) => {
      const ma = new Float64Array(n);
      pineMovingAverage(family, source, length, ma);
      crossoverSignal(close, ma, s.subarray(k * n, (k + 1) * n));
      pineEquity(r, s.subarray(k * n, (k + 1) * n), 1, d, config.cutout, e.subarray(k * n, (k + 1) * n));
    });
    signals[family] = new Float64Array(n);
    pineLayer1(s, e, signals[family]);
    equities[family] = new Float64Array(n);
    pineEquity(r, signals[family], config.weights[family], d, config.cutout, equities[family]);
  }
  const averageSignal = new Float64Array(n);
  pineAverageSignal(FAMILIES.map((f) => signals[f]), FAMILIES.map((f) => equities[f]), averageSignal);
  return { signals, equities, averageSignal };
}

describe('the fused Pine pass', () => {
  const walk = (n: number, seed: number) => {
    let x = seed, p = 100;
    return Float64Array.from({ length: n }, () => {
      x = (x * 16807) % 2147483647;
      p *= 1 + ((x / 2147483647) - 0.5) * 0.02;
      return Math.round(p * 100) / 100; // cents: flat runs and exact ties happen
    });
  };
  it.each([
    ['random walk, defaults', walk(3000, 7), {}],
    ['random walk, cutout 150, short lengths, weights', walk(2000, 11), { cutout: 150, ema_len: 6, hull_len: 7, wma_len: 8, dema_len: 9, lsma_len: 10, kama_len: 11, ema_w: 2, kama_w: 0.1 }],
    ['series shorter than the longest MA', walk(30, 3), { robustness: 'Wide' as Robustness }],
    ['cutout past the end', walk(100, 5), { cutout: 200 }],
  ])('equals the composed kernels bit for bit: %s', (_, close, params) => {
    const config = configFromInputs(params);
    const fused = computePine(close, config);
    const composed = composedPine(close, config);
    for (const family of FAMILIES) {
      expect(Array.from(fused.signals[family])).toEqual(Array.from(composed.signals[family]));
      expect(Array.from(fused.equities[family])).toEqual(Array.from(composed.equities[family]));
    }
    expect(Array.from(fused.averageSignal)).toEqual(Array.from(composed.averageSignal));
  });

  it('feeds `source` to the MAs only: R and the crossovers use close (the script\'s `src` input)', () => {
    const close = walk(1500, 13);
    const source = close.map((c, i) => c * (1 + 0.003 * Math.sin(i))); // e.g. hl2
    const config = configFromInputs({});
    const fused = computePine(close, config, { source });
    const composed = composedPine(close, config, source);
    expect(Array.from(fused.averageSignal)).toEqual(Array.from(composed.averageSignal));
    expect(Array.from(fused.averageSignal)).not.toEqual(Array.from(computePine(close, config).averageSignal));
    expect(() => computePine(close, config, { source: source.subarray(1) })).toThrow(RangeError);
  });
});

describe("the engine with semantics: 'pine' (js backend)", () => {
  const engine = new AtcEngine(createJsBackend());
  const close = Float64Array.from({ length: 400 }, (_, i) => 50 + 5 * Math.sin(i / 9) + ((i * 13) % 7) * 0.1);

  it('gives the Pine pipeline\'s bits, full length, NaN before the cutout; toRecord and entries work', () => {
    const input = { semantics: 'pine', cutout: 30, emaLength: 12, hmaLength: 12, wmaLength: 12, demaLength: 12, lsmaLength: 12, kamaLength: 12 } as const;
    const config = engine.resolveConfig(input);
    const result = engine.compute(close, config, { details: true });
    expect(result.length).toBe(400);
    const expected = computePine(close, pineConfigOf(config), { details: true });
    for (const family of FAMILIES) {
      expect(Array.from(result.signals[family])).toEqual(Array.from(expected.signals[family]));
      expect(Array.from(result.equities[family])).toEqual(Array.from(expected.equities[family]));
      expect(Array.from(result.details!.maEquities[family][3]!)).toEqual(Array.from(expected.details!.maEquities[family][3]!));
    }
    expect(Array.from(result.averageSignal)).toEqual(Array.from(expected.averageSignal));
    expect(Number.isNaN(result.averageSignal[29]!)).toBe(true);
    expect(Number.isNaN(result.averageSignal[30]!)).toBe(false);
    expect(result.toRecord().KAMA_S).toBe(result.equities.kama);
    const entries = result.entries();
    expect(entries.length).toBe(400);
    expect(Array.from(entries)).toEqual(Array.from(entrySignals(result.averageSignal, 0.1, -0.1, false)));
    const strategy = engine.compute(close, { ...input, strategyMode: true });
    expect(Array.from(strategy.averageSignal)).toEqual(Array.from(result.averageSignal)); // Strategy View moves only the arrows
    expect(Array.from(strategy.entries())).toEqual([0, ...Array.from(entries).slice(0, -1)]);
  });

  it("accepts the script's input names through fromReferenceParams", () => {
    expect(fromReferenceParams({ La: 0.1, hull_len: 20, Long_threshold: 0.2, Short_threshold: -0.3, strategy: true })).toEqual({ lambda: 0.1, hmaLength: 20, longThreshold: 0.2, shortThreshold: -0.3, strategyMode: true });
    expect(() => fromReferenceParams({ strategy: true, strategy_mode: false })).toThrow(AtcInputError);
  });

  it('refuses a bad semantics, and a backend without it before dispatch', () => {
    expect(() => engine.compute(close, { semantics: 'tradingview' as never })).toThrow(expect.objectContaining({ code: 'INVALID_SEMANTICS', field: 'config.semantics' }));
    const referenceOnly = new AtcEngine({ ...createJsBackend(), name: 'ref-only', semantics: ['reference'], computeAtc: () => { throw new Error('dispatched'); } });
    expect(() => referenceOnly.compute(close, { semantics: 'pine' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_SEMANTICS', message: expect.stringMatching(/'ref-only'.*'pine'.*js/) }));
  });

  it("Pine's HMA family is an SMA: a base length whose shortest derived length is 1 is allowed", () => {
    expect(() => engine.resolveConfig({ semantics: 'pine', hmaLength: 7 })).not.toThrow(); // Medium: 7 − 6 = 1
    expect(() => engine.resolveConfig({ hmaLength: 7 })).toThrow(AtcInputError);
  });
});
