// The bad-input contract (docs/input-contract.md): core rejects every bad input with a typed
// AtcInputError (stable code and field) before any backend is called — so it is tested here,
// once, against a backend that fails the test if it is reached, not once per backend.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type AtcEngine, AtcEngine as Engine, AtcInputError, type AtcInputErrorCode } from '../src/index.js';
import { createSpyBackend } from './spy-backend.js';

const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 5) * 3 + i * 0.01);

interface BadCase {
  readonly label: string;
  readonly call: (engine: AtcEngine) => unknown;
  readonly code: AtcInputErrorCode;
  readonly field: string;
}

const withNaN = (at: number) => {
  const x = ramp(100);
  x[at] = NaN;
  return x;
};

/** A Float64Array whose buffer has been transferred away. */
const detached = () => {
  const x = ramp(100);
  structuredClone(x.buffer, { transfer: [x.buffer] });
  return x;
};

const BAD_INPUTS: readonly BadCase[] = [
  { label: 'empty series', call: (e) => e.compute(new Float64Array(0)), code: 'EMPTY_SERIES', field: 'prices' },
  { label: 'empty plain array', call: (e) => e.compute([]), code: 'EMPTY_SERIES', field: 'prices' },
  { label: 'one bar', call: (e) => e.compute([100]), code: 'SERIES_TOO_SHORT', field: 'prices' },
  { label: 'shorter than the longest MA (33 < 34)', call: (e) => e.compute(ramp(33)), code: 'SERIES_TOO_SHORT', field: 'prices' },
  { label: 'NaN at the start', call: (e) => e.compute(withNaN(0)), code: 'NON_FINITE_VALUE', field: 'prices' },
  { label: 'NaN in the middle', call: (e) => e.compute(withNaN(50)), code: 'NON_FINITE_VALUE', field: 'prices' },
  { label: 'NaN at the end', call: (e) => e.compute(withNaN(99)), code: 'NON_FINITE_VALUE', field: 'prices' },
  { label: '+Infinity', call: (e) => e.compute(Float64Array.from(ramp(100), (v, i) => (i === 3 ? Infinity : v))), code: 'NON_FINITE_VALUE', field: 'prices' },
  { label: 'negative price', call: (e) => e.compute(Float64Array.from(ramp(100), (v, i) => (i === 7 ? -v : v))), code: 'NON_POSITIVE_PRICE', field: 'prices' },
  { label: 'zero price', call: (e) => e.compute(Float64Array.from(ramp(100), (v, i) => (i === 7 ? 0 : v))), code: 'NON_POSITIVE_PRICE', field: 'prices' },
  { label: 'string in a plain array', call: (e) => e.compute([...ramp(99), '1' as unknown as number]), code: 'INVALID_TYPE', field: 'prices' },
  { label: 'null in a plain array', call: (e) => e.compute([null as unknown as number, ...ramp(99)]), code: 'INVALID_TYPE', field: 'prices' },
  { label: 'not an array', call: (e) => e.compute('1,2,3' as unknown as number[]), code: 'INVALID_TYPE', field: 'prices' },
  { label: 'BigInt64Array', call: (e) => e.compute(new BigInt64Array(100) as unknown as Float64Array), code: 'INVALID_TYPE', field: 'prices' },
  { label: 'unknown config key', call: (e) => e.compute(ramp(100), { emaLen: 20 } as never), code: 'UNKNOWN_CONFIG_KEY', field: 'config.emaLen' },
  { label: 'length 0', call: (e) => e.compute(ramp(100), { emaLength: 0 }), code: 'INVALID_LENGTH', field: 'config.emaLength' },
  { label: 'negative length', call: (e) => e.compute(ramp(100), { wmaLength: -5 }), code: 'INVALID_LENGTH', field: 'config.wmaLength' },
  { label: 'non-integer length', call: (e) => e.compute(ramp(100), { lsmaLength: 20.5 }), code: 'INVALID_LENGTH', field: 'config.lsmaLength' },
  { label: 'huge length', call: (e) => e.compute(ramp(100), { kamaLength: 1e12 }), code: 'INVALID_LENGTH', field: 'config.kamaLength' },
  { label: 'robustness makes a length ≤ 0', call: (e) => e.compute(ramp(100), { demaLength: 6, robustness: 'Medium' }), code: 'INVALID_LENGTH', field: 'config.demaLength' },
  { label: 'HMA half length 0', call: (e) => e.compute(ramp(100), { hmaLength: 8, robustness: 'Wide' }), code: 'INVALID_LENGTH', field: 'config.hmaLength' },
  { label: 'unknown robustness', call: (e) => e.compute(ramp(100), { robustness: 'Extreme' as never }), code: 'INVALID_ROBUSTNESS', field: 'config.robustness' },
  { label: 'lambda out of range', call: (e) => e.compute(ramp(100), { lambda: 5 }), code: 'OUT_OF_RANGE', field: 'config.lambda' },
  { label: 'decay out of range', call: (e) => e.compute(ramp(100), { decay: 0 }), code: 'OUT_OF_RANGE', field: 'config.decay' },
  { label: 'NaN lambda', call: (e) => e.compute(ramp(100), { lambda: NaN }), code: 'NON_FINITE_VALUE', field: 'config.lambda' },
  { label: 'weight 0', call: (e) => e.compute(ramp(100), { kamaWeight: 0 }), code: 'OUT_OF_RANGE', field: 'config.kamaWeight' },
  { label: 'short threshold above long', call: (e) => e.compute(ramp(100), { longThreshold: -0.5, shortThreshold: 0.5 }), code: 'OUT_OF_RANGE', field: 'config.shortThreshold' },
  { label: 'cutout ≥ length', call: (e) => e.compute(ramp(100), { cutout: 100 }), code: 'INVALID_CUTOUT', field: 'config.cutout' },
  { label: 'negative cutout', call: (e) => e.compute(ramp(100), { cutout: -1 }), code: 'INVALID_CUTOUT', field: 'config.cutout' },
  { label: 'strategyMode not boolean', call: (e) => e.compute(ramp(100), { strategyMode: 1 as never }), code: 'INVALID_TYPE', field: 'config.strategyMode' },
  { label: 'NaN long threshold', call: (e) => e.compute(ramp(100), { longThreshold: NaN }), code: 'NON_FINITE_VALUE', field: 'config.longThreshold' },
  { label: 'string weight', call: (e) => e.compute(ramp(100), { emaWeight: '1' as never }), code: 'INVALID_TYPE', field: 'config.emaWeight' },
  { label: 'detached buffer', call: (e) => e.compute(detached()), code: 'DETACHED_BUFFER', field: 'prices' },
  { label: 'config not an object', call: (e) => e.compute(ramp(100), 28 as never), code: 'INVALID_TYPE', field: 'config' },
  { label: 'kernel: MA length above the series length', call: (e) => e.ema(ramp(10), 11), code: 'SERIES_TOO_SHORT', field: 'length' },
  { label: 'kernel: HMA length 1', call: (e) => e.hma(ramp(10), 1), code: 'INVALID_LENGTH', field: 'length' },
  { label: 'kernel: NaN in an MA source', call: (e) => e.wma(withNaN(5), 3), code: 'NON_FINITE_VALUE', field: 'source' },
  { label: 'kernel: unknown MA kind', call: (e) => e.movingAverage('tema' as never, ramp(10), 3), code: 'INVALID_OPTION', field: 'kind' },
  { label: 'kernel: mismatched lengths', call: (e) => e.crossoverSignal(ramp(10), ramp(9)), code: 'LENGTH_MISMATCH', field: 'ma' },
  { label: 'kernel: mismatched equity inputs', call: (e) => e.equityCurve(ramp(10), ramp(11)), code: 'LENGTH_MISMATCH', field: 'signal' },
  { label: 'kernel: starting equity 0', call: (e) => e.equityCurve(ramp(10), ramp(10), { startingEquity: 0 }), code: 'OUT_OF_RANGE', field: 'options.startingEquity' },
  // equityCurve checks the decay without resolving a config: the same errors as the config's.
  { label: 'kernel: equity decay out of range', call: (e) => e.equityCurve(ramp(10), ramp(10), { decay: 0 }), code: 'OUT_OF_RANGE', field: 'config.decay' },
  { label: 'kernel: equity decay NaN', call: (e) => e.equityCurve(ramp(10), ramp(10), { decay: NaN }), code: 'NON_FINITE_VALUE', field: 'config.decay' },
  { label: 'kernel: equity decay a string', call: (e) => e.equityCurve(ramp(10), ramp(10), { decay: '0.03' as never }), code: 'INVALID_TYPE', field: 'config.decay' },
  { label: 'kernel: wrong output buffer type', call: (e) => e.ema(ramp(10), 3, new Float32Array(10) as never), code: 'INVALID_TYPE', field: 'out' },
  { label: 'kernel: wrong output buffer length', call: (e) => e.ema(ramp(10), 3, new Float64Array(9)), code: 'LENGTH_MISMATCH', field: 'out' },
  { label: 'kernel: rows not dividing', call: (e) => e.layer1Signal(new Int8Array(10), new Float64Array(10), 3), code: 'INVALID_LENGTH', field: 'rows' },
  { label: 'kernel: output is the source', call: (e) => { const x = ramp(10); return e.ema(x, 3, x); }, code: 'OVERLAPPING_BUFFERS', field: 'out' },
  {
    label: 'kernel: output overlaps one input partly',
    call: (e) => { const p = ramp(10); return e.crossoverSignal(p, ramp(10), new Int8Array(p.buffer, 8, 10)); },
    code: 'OVERLAPPING_BUFFERS',
    field: 'out',
  },
  { label: 'compute: outputs of the wrong length', call: (e) => e.compute(ramp(100), {}, { outputs: new Float64Array(13 * 100 - 1) }), code: 'LENGTH_MISMATCH', field: 'options.outputs' },
  { label: 'compute: outputs not a Float64Array', call: (e) => e.compute(ramp(100), {}, { outputs: new Float32Array(1300) as never }), code: 'INVALID_TYPE', field: 'options.outputs' },
  {
    label: 'compute: outputs overlapping the prices',
    call: (e) => {
      const memory = new Float64Array(100 + 1300);
      memory.set(ramp(100));
      return e.compute(memory.subarray(0, 100), {}, { outputs: memory.subarray(99, 99 + 1300) });
    },
    code: 'OVERLAPPING_BUFFERS',
    field: 'options.outputs',
  },
];

/** The error `call` throws (the test fails if it returns normally). */
function errorOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('no error thrown');
}

describe('bad input is rejected by core before any backend is called', () => {
  const spy = createSpyBackend();
  const engine = new Engine(spy);
  afterEach(() => {
    expect(spy.calls, 'backend methods called').toEqual([]);
  });

  for (const bad of BAD_INPUTS) {
    it(`${bad.label} → ${bad.code} (${bad.field})`, () => {
      const caught = errorOf(() => bad.call(engine));
      expect(caught).toBeInstanceOf(AtcInputError);
      expect((caught as AtcInputError).code).toBe(bad.code);
      expect((caught as AtcInputError).field).toBe(bad.field);
    });
  }

  it('random series with one NaN, ±Infinity, 0 or −1: the typed error names that bar', () => {
    const series = fc.array(fc.double({ min: 1e-6, max: 1e5, noNaN: true }), { minLength: 48, maxLength: 120 }).map((x) => Float64Array.from(x));
    const bad = fc.tuple(series, fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, 0, -1)).map(([x, at, v]) => {
      const y = x.slice();
      y[at % y.length] = v;
      return { prices: y, at: at % y.length, code: Number.isFinite(v) ? 'NON_POSITIVE_PRICE' : 'NON_FINITE_VALUE' };
    });
    const runs = Number(process.env.ATC_FUZZ_RUNS ?? 1500);
    fc.assert(
      fc.property(bad, ({ prices, at, code }) => {
        const caught = errorOf(() => engine.compute(prices));
        expect(caught).toBeInstanceOf(AtcInputError);
        expect([(caught as AtcInputError).code, (caught as AtcInputError).field, (caught as AtcInputError).index]).toEqual([code, 'prices', at]);
      }),
      { numRuns: Math.max(50, Math.ceil(runs / 20)), seed: process.env.ATC_FUZZ_SEED ? Number(process.env.ATC_FUZZ_SEED) : undefined },
    );
  });

  it('the spy is real: a valid input does reach it (and fails)', () => {
    expect(() => engine.compute(ramp(100))).toThrow(/backend\.computeAtc was called/);
    expect(spy.calls.splice(0)).toEqual(['computeAtc']);
  });

  it('computeBatch names the bad series', async () => {
    const series = [ramp(100), Float64Array.from(ramp(100), (v, i) => (i === 5 ? NaN : v)), ramp(100)];
    await expect(engine.computeBatch(series)).rejects.toMatchObject({ code: 'NON_FINITE_VALUE', field: 'series[1]' });
    await expect(engine.computeBatch([new Float64Array(10).fill(1)])).rejects.toBeInstanceOf(AtcInputError);
  });
});
