// Random inputs (fast-check) shared by the property tier and the bit-identity tier.
import { type AtcConfigInput, ROBUSTNESS } from '@adaptive-trend/core';
import fc from 'fast-check';

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

/**
 * Adversarial shapes on top of random walks: flat runs, spikes, constant series and scales
 * from 1e−200 to 1e200 — where two implementations of the same arithmetic would part first.
 */
export const adversarialSeries = fc
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
