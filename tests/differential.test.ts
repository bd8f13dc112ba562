// Differential fuzzing: random and adversarial series with random valid configs must give the
// same results on every backend (1e-12 relative on continuous outputs, exact on signals — in
// practice bit for bit) and never throw; invalid series must throw the same typed error.
// `ATC_FUZZ_RUNS` sets the number of cases (npm test: a short run; `npm run fuzz:long`: 100 000).
import { backendFactory as jsFactory } from '@adaptive-trend/backend-js';
import { backendFactory as nativeFactory } from '@adaptive-trend/backend-native';
import { backendFactory as wasmFactory } from '@adaptive-trend/backend-wasm';
import { priceSeries, validConfig } from '@adaptive-trend/conformance';
import { AtcEngine, AtcInputError, FAMILIES } from '@adaptive-trend/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RUNS = Number(process.env.ATC_FUZZ_RUNS ?? 1500);
const SEED = process.env.ATC_FUZZ_SEED ? Number(process.env.ATC_FUZZ_SEED) : undefined;

/** Adversarial shapes on top of random walks: flat runs, spikes, extreme magnitudes. */
const adversarialSeries = fc
  .record({
    base: priceSeries(48, 320),
    flatRuns: fc.array(fc.record({ at: fc.nat(), length: fc.integer({ min: 2, max: 60 }) }), { maxLength: 4 }),
    spikes: fc.array(fc.record({ at: fc.nat(), factor: fc.constantFrom(1e-3, 0.5, 2, 1e3) }), { maxLength: 3 }),
    scale: fc.oneof(fc.constant(1), fc.integer({ min: -200, max: 200 }).map((k) => 10 ** k)),
    constant: fc.boolean(),
  })
  .map(({ base, flatRuns, spikes, scale, constant }) => {
    const x = constant ? new Float64Array(base.length).fill(base[0]!) : base.slice();
    for (const { at, length } of flatRuns) {
      const start = at % x.length;
      x.fill(x[start]!, start, Math.min(x.length, start + length));
    }
    for (const { at, factor } of spikes) x[at % x.length] = x[at % x.length]! * factor;
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * scale;
    return x;
  })
  .filter((x) => x.every((v) => Number.isFinite(v) && v > 0));

let engines: AtcEngine[] = [];
let worst = 0;
let cases = 0;

function relativeDifference(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const d = Math.abs(a - b);
  return d === 0 ? 0 : d / Math.max(Math.abs(a), Math.abs(b));
}

describe(`differential fuzzing across backends (${RUNS} cases)`, () => {
  beforeAll(async () => {
    engines = await Promise.all([jsFactory, nativeFactory, wasmFactory].map(async (f) => new AtcEngine(await f.load())));
  });
  afterAll(() => {
    console.log(`differential fuzzing: ${cases} valid cases on ${engines.map((e) => e.backend).join(', ')}; max relative difference vs js ${worst}`);
  });

  it('all backends agree on random valid input and never throw', () => {
    const cases_ = adversarialSeries.chain((prices) => validConfig(prices.length).map((config) => ({ prices, config })));
    fc.assert(
      fc.property(cases_, ({ prices, config }) => {
        cases++;
        const [reference, ...others] = engines.map((e) => e.compute(prices, config, { details: true }));
        for (const other of others) {
          const a = reference!.toRecord();
          const b = other.toRecord();
          for (const key of Object.keys(a) as (keyof typeof a)[]) {
            for (let i = 0; i < a[key].length; i++) {
              const d = relativeDifference(a[key][i]!, b[key][i]!);
              if (d > worst) worst = d;
              if (d > 1e-12) throw new Error(`${other.backend} ${key}[${i}]: ${b[key][i]} vs js ${a[key][i]}`);
            }
          }
          for (const family of FAMILIES) {
            reference!.details!.maSignals[family].forEach((signal, k) => expect(other.details!.maSignals[family][k]).toEqual(signal));
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, Math.max(180_000, RUNS * 30)); // the long run (1e5 cases) takes ~15 minutes

  it('all backends reject invalid series with the same typed error', () => {
    const bad = fc.tuple(priceSeries(48, 120), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, 0, -1)).map(([x, at, v]) => {
      const y = x.slice();
      y[at % y.length] = v;
      return y;
    });
    fc.assert(
      fc.property(bad, (prices) => {
        const errors = engines.map((e) => {
          try {
            e.compute(prices);
            return undefined;
          } catch (error) {
            return error as AtcInputError;
          }
        });
        for (const error of errors) {
          expect(error).toBeInstanceOf(AtcInputError);
          expect([error!.code, error!.field, error!.index]).toEqual([errors[0]!.code, errors[0]!.field, errors[0]!.index]);
        }
      }),
      { numRuns: Math.max(50, Math.ceil(RUNS / 20)), seed: SEED },
    );
  });
});
