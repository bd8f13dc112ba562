// Issue 11 item 17: the growth rule. `exp(lambda/1000 · i)` overflows past fdlibm's
// o_threshold; core refuses such inputs with GROWTH_OVERFLOW (field config.lambda, index = the
// first bar) before dispatch, and refuses outputs whose equities stopped being finite after
// the backend ran. The end-to-end boundary on a real backend is in backend-js's tests.
import { describe, expect, it } from 'vitest';
import {
  AtcEngine,
  type AtcInputError,
  type Backend,
  EXP_OVERFLOW_THRESHOLD,
  OUTPUT_ROWS,
  checkConfigAgainstSeries,
  firstNonFiniteOutputBar,
  growthOverflowBar,
  resolveConfig,
} from '../src/index.js';

function refusal(run: () => unknown): AtcInputError {
  try {
    run();
  } catch (error) {
    return error as AtcInputError;
  }
  throw new Error('accepted');
}

/**
 * A backend whose computeAtc writes finite outputs except `poison(outputs, m)`, and returns
 * `verdict(m)` as its own growth check (none: core scans).
 */
function backendWriting(poison: (outputs: Float64Array, m: number) => void, verdict?: (m: number) => number): Backend & { calls: number } {
  const self = {
    name: 'stub',
    calls: 0,
    movingAverage: () => {},
    rateOfChange: () => {},
    scaledReturns: () => {},
    crossoverSignal: () => {},
    persistSignal: () => {},
    equityCurve: () => {},
    layer1Signal: () => {},
    computeAtc: (prices: Float64Array, config: { cutout: number }, buffers: { outputs: Float64Array }) => {
      self.calls++;
      const m = prices.length - config.cutout;
      buffers.outputs.fill(0.5);
      poison(buffers.outputs, m);
      return verdict?.(m);
    },
  };
  return self;
}

describe('growth factor overflow: known from lambda, bars and cutout, refused before dispatch', () => {
  it('growthOverflowBar is exact for the kernels’ product lambda/1000 · i', () => {
    for (const lambda of [0.005, 0.02, 0.1, 0.123456789, 0.3, 0.5]) {
      const scaled = lambda / 1000;
      const bar = growthOverflowBar(lambda);
      expect(scaled * (bar - 1)).toBeLessThanOrEqual(EXP_OVERFLOW_THRESHOLD);
      expect(scaled * bar).toBeGreaterThan(EXP_OVERFLOW_THRESHOLD);
    }
    expect(growthOverflowBar(0.5)).toBe(1419566);
  });

  it('just below the boundary passes; at it, GROWTH_OVERFLOW names the first bar', () => {
    const config = resolveConfig({ lambda: 0.5 });
    const first = growthOverflowBar(0.5);
    expect(() => checkConfigAgainstSeries(config, first)).not.toThrow(); // bars 0 … first − 1
    const error = refusal(() => checkConfigAgainstSeries(config, first + 1));
    expect(error).toMatchObject({ code: 'GROWTH_OVERFLOW', field: 'config.lambda', index: first });
    expect(error.message).toMatch(/smaller lambda/);
  });

  it('a cutout moves the boundary: bar i counts from the cutout', () => {
    const config = resolveConfig({ lambda: 0.5, cutout: 1000 });
    const first = growthOverflowBar(0.5);
    expect(() => checkConfigAgainstSeries(config, 1000 + first)).not.toThrow();
    expect(refusal(() => checkConfigAgainstSeries(config, 1001 + first))).toMatchObject({ code: 'GROWTH_OVERFLOW', index: 1000 + first });
  });

  it("the issue's probe: lambda 0.5 on 2·10⁶ valid bars is refused without calling the backend", () => {
    const stub = backendWriting(() => {});
    const prices = new Float64Array(2_000_000).fill(100);
    const error = refusal(() => new AtcEngine(stub).compute(prices, { lambda: 0.5 }));
    expect(error).toMatchObject({ code: 'GROWTH_OVERFLOW', field: 'config.lambda', index: growthOverflowBar(0.5) });
    expect(stub.calls).toBe(0);
  });
});

describe('equities that stop being finite: found in the outputs after the backend ran', () => {
  const n = 60;
  const prices = Float64Array.from({ length: n }, (_, i) => 100 + (i % 5));
  const cases: [string, (o: Float64Array, m: number) => void, number, RegExp][] = [
    ['an infinite Layer-2 equity', (o, m) => (o[8 * m + 40] = Infinity), 40, /Layer-2 equity of WMA .* bar 40/],
    ['a NaN Layer-1 signal (its MAs’ equities overflowed)', (o, m) => (o[5 * m + 33] = NaN), 33, /Layer-1 signal of KAMA .* bar 33/],
    ['Layer-2 equities whose sum overflows', (o, m) => [6, 7, 8].forEach((r) => (o[r * m + 50] = 1e308)), 50, /sum of the Layer-2 equities .* bar 50/],
    ['the earliest of several', (o, m) => ((o[2 * m + 45] = NaN), (o[11 * m + 44] = -Infinity)), 44, /Layer-2 equity of KAMA/],
  ];
  for (const [what, poison, bar, message] of cases) {
    it(`${what} → GROWTH_OVERFLOW at that bar`, () => {
      const error = refusal(() => new AtcEngine(backendWriting(poison)).compute(prices, { emaLength: 10, hmaLength: 10, wmaLength: 10, demaLength: 10, lsmaLength: 10, kamaLength: 10 }));
      expect(error).toMatchObject({ code: 'GROWTH_OVERFLOW', field: 'config.lambda', index: bar });
      expect(error.message).toMatch(message);
    });
  }

  it('bar numbers include the cutout', () => {
    const error = refusal(() => new AtcEngine(backendWriting((o, m) => (o[6 * m + 3] = Infinity))).compute(prices, { emaLength: 10, hmaLength: 10, wmaLength: 10, demaLength: 10, lsmaLength: 10, kamaLength: 10, cutout: 20 }));
    expect(error).toMatchObject({ code: 'GROWTH_OVERFLOW', index: 23 });
  });

  it('finite outputs pass, and Average_Signal (row 12) is not part of the rule', () => {
    const engine = new AtcEngine(backendWriting((o, m) => o.fill(0, 12 * m, OUTPUT_ROWS * m)));
    expect(engine.compute(prices, { emaLength: 10, hmaLength: 10, wmaLength: 10, demaLength: 10, lsmaLength: 10, kamaLength: 10 }).length).toBe(n);
  });

  it("a backend's own verdict: −1 spares core's scan, a bar makes core rescan and throw the same error", () => {
    const config = { emaLength: 10, hmaLength: 10, wmaLength: 10, demaLength: 10, lsmaLength: 10, kamaLength: 10, cutout: 20 };
    const poison = (o: Float64Array, m: number) => (o[9 * m + 17] = Infinity);
    const scanned = refusal(() => new AtcEngine(backendWriting(poison)).compute(prices, config));
    expect(scanned).toMatchObject({ code: 'GROWTH_OVERFLOW', index: 37 });
    const reported = refusal(() => new AtcEngine(backendWriting(poison, () => 17)).compute(prices, config));
    expect([reported.code, reported.field, reported.index, reported.message]).toEqual([scanned.code, scanned.field, scanned.index, scanned.message]);
    // core trusts −1 (the conformance suite holds every backend's verdict to core's scan) …
    expect(new AtcEngine(backendWriting(poison, () => -1)).compute(prices, config).length).toBe(n - 20);
    // … and a reported bar only makes it look: finite outputs pass
    expect(new AtcEngine(backendWriting(() => {}, () => 3)).compute(prices, config).length).toBe(n - 20);
  });

  it('firstNonFiniteOutputBar: the verdict a backend reports (Pine from the cutout bar on)', () => {
    const m = 40;
    const outputs = new Float64Array(13 * m).fill(0.5);
    const reference = resolveConfig({ cutout: 5 });
    const pine = resolveConfig({ cutout: 5, semantics: 'pine' });
    expect(firstNonFiniteOutputBar(outputs, m, reference)).toBe(-1);
    outputs[2 * m + 3] = NaN; // Pine's na before the cutout
    outputs[7 * m + 30] = 1e308;
    outputs[8 * m + 30] = 1e308; // each finite, their sum not
    expect(firstNonFiniteOutputBar(outputs, m, reference)).toBe(3);
    expect(firstNonFiniteOutputBar(outputs, m, pine)).toBe(30);
    outputs[12 * m + 10] = NaN; // Average_Signal is not part of the rule
    expect(firstNonFiniteOutputBar(outputs, m, pine)).toBe(30);
  });

  it('computeBatch refuses the series, naming it', async () => {
    const engine = new AtcEngine(backendWriting((o, m) => (o[7 * m + 12] = Infinity)));
    const config = { emaLength: 10, hmaLength: 10, wmaLength: 10, demaLength: 10, lsmaLength: 10, kamaLength: 10 };
    await expect(engine.computeBatch([prices, prices], config, { threads: 1 })).rejects.toMatchObject({ code: 'GROWTH_OVERFLOW', index: 12, message: /series\[0\]/ });
  });
});
