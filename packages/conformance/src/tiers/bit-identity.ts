// Tier e: the same bits as backend-js. Every backend runs the arithmetic of docs/kernels.md
// exactly, so every output double — the 13 outputs, the 54 MAs, their signals and equities,
// every kernel — must be the very double the js backend gives (Object.is), on the golden
// series and on adversarial random ones. Also: the backend's fused computeAtc equals the
// composition of its own kernels (backend-js's reference composition) bit for bit.
// Pine semantics (`semantics: 'pine'`, n bars out) is held to the same bits as backend-js's
// Pine pipeline (src/pine), with and without details; it has no kernel composition.
import {
  AtcEngine,
  type AtcConfigInput,
  AtcInputError,
  MA_KINDS,
  type ResolvedAtcConfig,
  checkConfigAgainstSeries,
  firstNonFiniteOutputBar,
  fromReferenceParams,
  outputBars,
  resolveConfig,
} from '@adaptive-trend/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { adversarialSeries, validConfig } from '../arbitraries.js';
import { requireSameBits, requireSameBuffers } from '../bits.js';
import type { BackendSource, EngineSource } from '../engine-source.js';
import { findSharedDir, loadCloses, loadPipelineFixture, pipelineFixtureNames } from '../fixtures.js';
import { composedBuffers, fusedBuffers, referenceBackend } from '../reference.js';
import { smokeSeries } from './vectors.js';

/** Configs that move every knob away from its default (cutout, strategy mode, robustness, λ, decay, weights, thresholds). */
const CONFIGS: readonly AtcConfigInput[] = [
  {},
  { robustness: 'Wide', lambda: 0.3, decay: 0.2, cutout: 123, strategyMode: true, emaLength: 14, hmaLength: 50, kamaLength: 9 },
  { robustness: 'Narrow', lambda: 0.005, decay: 0.01, cutout: 1, longThreshold: 0.5, shortThreshold: -0.3, lsmaLength: 40, wmaWeight: 2.5 },
];
/** The configs above under Pine semantics, plus Pine-only corners (an "HMA" family of length 1..5: an SMA there). */
const PINE_CONFIGS: readonly AtcConfigInput[] = [
  ...CONFIGS.map((config) => ({ ...config, semantics: 'pine' as const })),
  { semantics: 'pine', robustness: 'Narrow', hmaLength: 5, demaLength: 60, cutout: 0 },
];
/** Golden datasets that also get the configs above and every kernel on its own. */
const KERNEL_DATASETS = ['ETH_BTC-5m', 'nvda-1999-2014'];

/** `ATC_FUZZ_RUNS` random cases per suite (`npm run fuzz:long` sets 100 000). */
export function fuzzRunsFromEnv(): number {
  const runs = Number(process.env.ATC_FUZZ_RUNS ?? 500);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`ATC_FUZZ_RUNS must be a positive integer, got ${process.env.ATC_FUZZ_RUNS}`);
  return runs;
}

/**
 * A `computeAtc` that returns the growth check's verdict (optional: `void` lets core scan) must
 * return exactly core's `firstNonFiniteOutputBar` of the outputs it wrote: core trusts a −1.
 */
function requireCoreVerdict(label: string, reported: number | void, outputs: Float64Array, config: ResolvedAtcConfig, bars: number): void {
  if (reported === undefined) return;
  const scanned = firstNonFiniteOutputBar(outputs, outputBars(config, bars), config);
  if (!Object.is(reported, scanned)) throw new Error(`${label}: computeAtc reported growth-check bar ${reported}, core's scan of its outputs finds ${scanned}`);
}

export function defineBitIdentityTests(backend: BackendSource, engine: EngineSource, fuzzRuns: number): void {
  const js = () => new AtcEngine(referenceBackend());

  /** Pipeline with and without details, and the backend's own kernels composed, against js's fused pipeline. */
  const checkPipeline = (label: string, prices: Float64Array, input: AtcConfigInput) => {
    const config = resolveConfig(input);
    checkConfigAgainstSeries(config, prices.length);
    const reference = fusedBuffers(referenceBackend(), prices, config);
    requireSameBuffers(`${label} computeAtc`, fusedBuffers(backend(), prices, config), reference);
    const outputsOnly = { outputs: new Float64Array(reference.outputs.length) };
    requireCoreVerdict(label, backend().computeAtc(prices, config, outputsOnly), outputsOnly.outputs, config, prices.length);
    requireSameBuffers(`${label} computeAtc without details`, outputsOnly, { outputs: reference.outputs });
    requireSameBuffers(`${label} own kernels composed`, composedBuffers(backend(), prices, config), reference);
  };

  /** Pine pipeline with and without details against js's (the MAs, signals and equities are Pine's own). */
  const checkPine = (label: string, prices: Float64Array, input: AtcConfigInput) => {
    const config = resolveConfig({ ...input, semantics: 'pine' });
    checkConfigAgainstSeries(config, prices.length);
    const reference = fusedBuffers(referenceBackend(), prices, config);
    requireSameBuffers(`${label} pine computeAtc`, fusedBuffers(backend(), prices, config), reference);
    const outputsOnly = { outputs: new Float64Array(reference.outputs.length) };
    requireCoreVerdict(`${label} pine`, backend().computeAtc(prices, config, outputsOnly), outputsOnly.outputs, config, prices.length);
    requireSameBuffers(`${label} pine computeAtc without details`, outputsOnly, { outputs: reference.outputs });
  };

  /** Every kernel on its own (lengths, options and inputs as parity checks used them). */
  const checkKernels = (label: string, prices: Float64Array) => {
    const e = engine();
    const r = js();
    for (const kind of MA_KINDS) {
      for (const length of [2, 9, 28, 100]) {
        if (length <= prices.length) requireSameBits(`${label} ${kind}(${length})`, e.movingAverage(kind, prices, length), r.movingAverage(kind, prices, length));
      }
    }
    requireSameBits(`${label} kama longer than the series`, e.kama(prices, prices.length + 5), r.kama(prices, prices.length + 5));
    requireSameBits(`${label} rateOfChange`, e.rateOfChange(prices), r.rateOfChange(prices));
    requireSameBits(`${label} scaledReturns`, e.scaledReturns(prices, 0.37), r.scaledReturns(prices, 0.37));
    const n = prices.length;
    const returns = r.scaledReturns(prices, 0.02);
    const signals = new Int8Array(9 * n);
    const equities = new Float64Array(9 * n);
    for (let k = 0; k < 9; k++) {
      const ma = r.wma(prices, 5 + 3 * k);
      const signal = e.crossoverSignal(prices, ma);
      requireSameBits(`${label} crossoverSignal ${k}`, signal, r.crossoverSignal(prices, ma));
      signals.set(signal, k * n);
      const options = { startingEquity: 0.5 + k, decay: 0.01 + k / 50, cutout: k };
      const equity = e.equityCurve(returns, Float64Array.from(signal), options);
      requireSameBits(`${label} equityCurve ${k}`, equity, r.equityCurve(returns, Float64Array.from(signal), options));
      equities.set(equity, k * n);
    }
    equities.fill(1, 0, 9); // no NaN warm-up in the Layer-1 input
    requireSameBits(`${label} layer1Signal`, e.layer1Signal(signals, equities), r.layer1Signal(signals, equities));
    const up = Uint8Array.from(prices, (p, i) => (i > 0 && p > prices[i - 1]! * 1.001 ? 1 : 0));
    const down = Uint8Array.from(prices, (p, i) => (i > 0 && p < prices[i - 1]! * 0.999 ? 1 : 0));
    requireSameBits(`${label} persistSignal`, e.persistSignal(up, down), r.persistSignal(up, down));
  };

  it('smoke series: pipeline (3 configs, with and without details, own kernels composed) and every kernel', () => {
    const prices = smokeSeries();
    CONFIGS.forEach((config, c) => {
      const resolved = resolveConfig(config);
      if (prices.length >= resolved.minimumBars + resolved.cutout) checkPipeline(`smoke series config ${c}`, prices, config);
    });
    PINE_CONFIGS.forEach((config, c) => {
      const resolved = resolveConfig(config);
      if (prices.length >= resolved.minimumBars && prices.length > resolved.cutout) checkPine(`smoke series pine config ${c}`, prices, config);
    });
    checkKernels('smoke series', prices);
  });

  const shared = findSharedDir();
  if (!shared) {
    it.skip('SKIPPED: ../shared not found, golden series not compared with backend-js', () => {});
  } else {
    for (const name of pipelineFixtureNames(shared)) {
      it(`golden ${name}: pipeline with its parameters`, () => {
        const fixture = loadPipelineFixture(shared, name);
        checkPipeline(name, loadCloses(shared, fixture.dataset), fromReferenceParams(fixture.params));
      });
    }
    for (const dataset of KERNEL_DATASETS) {
      it(`golden ${dataset}: pipeline (3 configs) and every kernel`, () => {
        const prices = loadCloses(shared, dataset);
        CONFIGS.forEach((config, c) => checkPipeline(`${dataset} config ${c}`, prices, config));
        PINE_CONFIGS.forEach((config, c) => checkPine(`${dataset} pine config ${c}`, prices, config));
        checkKernels(dataset, prices);
      });
    }
  }

  it('an equity overflowing from the data is refused (GROWTH_OVERFLOW) at the same bar as on backend-js', () => {
    // Valid prices rising from ~1e−298 to ~1e242 in nine bars (×1e60 each): a long position's
    // equity compounds past 1.8e308. Core scans the backend's outputs, so the bar is the backend's.
    const prices = Float64Array.from({ length: 120 }, (_, i) => (100 + Math.sin(i / 5) * 3 + i * 0.05) * 1e-300);
    for (let i = 100; i < 109; i++) prices[i] = prices[i - 1]! * 1e60;
    prices.fill(prices[108]!, 109);
    const refusal = (e: AtcEngine) => {
      try {
        e.compute(prices);
      } catch (error) {
        if (error instanceof AtcInputError) return [error.code, error.field, error.index];
        throw error;
      }
      return 'no error';
    };
    const reference = refusal(js());
    expect(reference[0]).toBe('GROWTH_OVERFLOW');
    expect(refusal(engine())).toEqual(reference);
  });

  it("computeAtc's growth-check verdict is core's scan: equities overflowing from the data, Layer-2 sums crossing the largest double", () => {
    // Prices near 1e−300 jumping ×1e60 for nine bars (a long position's equity overflows: NaN
    // Layer 1), and starting equities near MAX/6 on a rising series (the Layer-2 sum passes
    // 1.8e308 at a bar its order of additions decides), both semantics, around the cutout.
    const walk = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i / (5 + seed)) * 3 + i * 0.05 * (1 + seed / 10));
    const spiking = (n: number, seed: number, jump: number) => {
      const x = walk(n, seed).map((v) => v * 1e-300);
      for (let i = jump; i < jump + 9; i++) x[i] = x[i - 1]! * 1e60;
      x.fill(x[jump + 8]!, jump + 9);
      return x;
    };
    const lengths = { emaLength: 14, hmaLength: 20, wmaLength: 28, demaLength: 10, lsmaLength: 33, kamaLength: 9 };
    const bases: AtcConfigInput[] = [{ ...lengths }, { ...lengths, cutout: 150, strategyMode: true }];
    const reported: number[] = [];
    const check = (label: string, prices: Float64Array, input: AtcConfigInput) => {
      for (const semantics of ['reference', 'pine'] as const) {
        const config = resolveConfig({ ...input, semantics });
        checkConfigAgainstSeries(config, prices.length);
        const outputs = new Float64Array(13 * outputBars(config, prices.length));
        const verdict = backend().computeAtc(prices, config, { outputs });
        requireCoreVerdict(`${label} ${semantics}`, verdict, outputs, config, prices.length);
        const reference = new Float64Array(outputs.length);
        requireSameBits(`${label} ${semantics} outputs`, outputs, (referenceBackend().computeAtc(prices, config, { outputs: reference }), reference));
        if (typeof verdict === 'number') reported.push(verdict);
      }
    };
    for (let seed = 0; seed < 3; seed++) {
      bases.forEach((base, b) => check(`seed ${seed} walk config ${b}`, walk(500, seed), base));
      for (const jump of [60, 149, 151, 300]) bases.forEach((base, b) => check(`seed ${seed} jump ${jump} config ${b}`, spiking(500, seed, jump), base));
      for (let k = 0; k < 8; k++) {
        const scale = (0.97 + 0.004 * k) / 6;
        const weights = { emaWeight: 1.7e308 * scale, hmaWeight: 1.7e308 * scale * 1.001, wmaWeight: 1.75e308 * scale, demaWeight: 1.76e308 * scale, lsmaWeight: 1.78e308 * scale, kamaWeight: 1.79e308 * scale };
        bases.forEach((base, b) => check(`seed ${seed} weights ${k} config ${b}`, walk(600, seed), { ...base, ...weights, lambda: 0.2 }));
      }
    }
    // a backend that reports at all reports both verdicts here (the walks stay finite)
    if (reported.length > 0) expect(reported.some((bar) => bar > 0) && reported.includes(-1)).toBe(true);
  });

  it(`random adversarial series and configs (${fuzzRuns} cases: flat runs, spikes, constants, 1e±200 scales)`, () => {
    const cases = adversarialSeries.chain((prices) => validConfig(prices.length).map((config) => ({ prices, config })));
    const seed = process.env.ATC_FUZZ_SEED ? Number(process.env.ATC_FUZZ_SEED) : undefined;
    fc.assert(
      fc.property(cases, ({ prices, config }) => {
        checkPipeline('random case', prices, config);
        engine().compute(prices, config); // and through core: valid input never throws
      }),
      { numRuns: fuzzRuns, seed },
    );
  }, Math.max(180_000, fuzzRuns * 30)); // 100 000 cases (fuzz:long) take minutes

  it(`random adversarial series and configs under Pine semantics (${fuzzRuns} cases)`, () => {
    const cases = adversarialSeries.chain((prices) => validConfig(prices.length).map((config) => ({ prices, config })));
    const seed = process.env.ATC_FUZZ_SEED ? Number(process.env.ATC_FUZZ_SEED) : undefined;
    fc.assert(
      fc.property(cases, ({ prices, config }) => {
        checkPine('random case', prices, config);
        engine().compute(prices, { ...config, semantics: 'pine' }); // and through core: valid input never throws
      }),
      { numRuns: fuzzRuns, seed },
    );
  }, Math.max(180_000, fuzzRuns * 30));
}
