// Issue 11 item 16: a config is read from the own, known keys of a plain object, never
// through the prototype chain. Every probe that used to be accepted and ignored is refused
// with a typed error, before any backend is reached (the spy backend throws if called).
import { describe, expect, it } from 'vitest';
import { AtcEngine, type AtcInputError, type Backend, fromReferenceParams, resolveConfig } from '../src/index.js';

/** A backend that records any call: refused configs must never reach it. */
function createSpyBackend(): Backend & { calls: string[] } {
  const calls: string[] = [];
  const record = (method: string) => () => void calls.push(method);
  return {
    name: 'spy',
    calls,
    movingAverage: record('movingAverage'),
    rateOfChange: record('rateOfChange'),
    scaledReturns: record('scaledReturns'),
    crossoverSignal: record('crossoverSignal'),
    persistSignal: record('persistSignal'),
    equityCurve: record('equityCurve'),
    layer1Signal: record('layer1Signal'),
    computeAtc: record('computeAtc'),
  };
}

const prices = Float64Array.from({ length: 80 }, (_, i) => 100 + (i % 7));

function refusal(run: () => unknown): Pick<AtcInputError, 'code' | 'field'> {
  try {
    run();
  } catch (error) {
    const { code, field } = error as AtcInputError;
    return { code, field };
  }
  throw new Error('accepted');
}

class Settings {
  cutout = 5;
}

describe('config objects: own, known keys of a plain object only', () => {
  const notPlain: [string, () => unknown][] = [
    ['a Map', () => new Map([['cutout', 5]])],
    ['a class instance', () => new Settings()],
    ['an array', () => [['cutout', 5]]],
    ['an object inheriting its keys', () => Object.create({ cutout: 5 }) as object],
    ['a boxed number', () => new Number(5)],
    ['a Date', () => new Date()],
  ];
  for (const [what, make] of notPlain) {
    it(`${what} → INVALID_TYPE (config)`, () => {
      expect(refusal(() => resolveConfig(make() as never))).toEqual({ code: 'INVALID_TYPE', field: 'config' });
      const spy = createSpyBackend();
      expect(refusal(() => new AtcEngine(spy).compute(prices, make() as never))).toEqual({ code: 'INVALID_TYPE', field: 'config' });
      expect(spy.calls).toEqual([]);
    });
  }

  const prototypeNames: [string, () => object, string][] = [
    ['{ constructor: 1 }', () => ({ constructor: 1 }), 'config.constructor'],
    ['an own __proto__ key from JSON.parse', () => JSON.parse('{"__proto__": {"cutout": 5}}') as object, 'config.__proto__'],
    ['{ toString: 1 }', () => ({ toString: 1 }), 'config.toString'],
    ['{ hasOwnProperty: 1 }', () => ({ hasOwnProperty: 1 }), 'config.hasOwnProperty'],
  ];
  for (const [what, make, field] of prototypeNames) {
    it(`${what} → UNKNOWN_CONFIG_KEY (${field})`, () => {
      expect(refusal(() => resolveConfig(make() as never))).toEqual({ code: 'UNKNOWN_CONFIG_KEY', field });
      const spy = createSpyBackend();
      expect(refusal(() => new AtcEngine(spy).compute(prices, make() as never))).toEqual({ code: 'UNKNOWN_CONFIG_KEY', field });
      expect(spy.calls).toEqual([]);
    });
  }

  it('null-prototype objects and JSON objects are plain: their values are used', () => {
    const bare = Object.assign(Object.create(null) as object, { cutout: 5 });
    expect(resolveConfig(bare).cutout).toBe(5);
    expect(resolveConfig(JSON.parse('{"cutout": 7, "robustness": "Wide"}') as object).cutout).toBe(7);
  });

  it('fromReferenceParams: plain objects, own known keys only', () => {
    expect(refusal(() => fromReferenceParams(new Map([['La', 0.1]]) as never))).toEqual({ code: 'INVALID_TYPE', field: 'params' });
    expect(refusal(() => fromReferenceParams({ constructor: 1 } as never))).toEqual({ code: 'UNKNOWN_CONFIG_KEY', field: 'params.constructor' });
    expect(refusal(() => fromReferenceParams(JSON.parse('{"__proto__": {"La": 0.1}}') as never))).toEqual({
      code: 'UNKNOWN_CONFIG_KEY',
      field: 'params.__proto__',
    });
    expect(fromReferenceParams(JSON.parse('{"La": 0.1, "hull_len": 20}') as never)).toEqual({ lambda: 0.1, hmaLength: 20 });
  });
});

describe('derived keys are not inputs', () => {
  it('a resolved config round-trips (e.g. structured-cloned into a worker); edited derived keys are refused', () => {
    const resolved = resolveConfig({ robustness: 'Wide', emaLength: 30 });
    const cloned = structuredClone(resolved);
    expect(resolveConfig(cloned)).toEqual(resolved);
    const edited = { ...cloned, lengths: { ...cloned.lengths, ema: [5, 6, 7, 8, 9, 10, 11, 12, 13] } };
    expect(refusal(() => resolveConfig(edited))).toEqual({ code: 'UNKNOWN_CONFIG_KEY', field: 'config.lengths' });
    expect(refusal(() => resolveConfig({ lengths: { ema: [5] } } as never))).toEqual({ code: 'UNKNOWN_CONFIG_KEY', field: 'config.lengths' });
    expect(refusal(() => resolveConfig({ ...cloned, minimumBars: 2 }))).toEqual({ code: 'UNKNOWN_CONFIG_KEY', field: 'config.minimumBars' });
  });
});
