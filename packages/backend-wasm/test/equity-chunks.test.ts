// Long equity curves run in chunks (backend.ts, EQUITY_CHUNK): the same bits as backend-js's one
// pass, across chunk seams, with a cutout, at the floor, and through NaN / ∞ equities.
import { AtcEngine } from '@adaptive-trend/core';
import { backendFactory as jsFactory } from '@adaptive-trend/backend-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasmBackend } from '../src/index.js';

const N = 100_003; // six chunks and a short tail

function walk(n: number, drift: number, seed: number): { returns: Float64Array; signal: Float64Array } {
  const returns = new Float64Array(n);
  const signal = new Float64Array(n);
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  returns[0] = NaN;
  for (let i = 1; i < n; i++) returns[i] = drift + (next() - 0.5) * 0.04;
  for (let i = 0; i < n; i++) signal[i] = [1, -1, 0, 0.5, NaN][Math.floor(next() * 5)]!;
  return { returns, signal };
}

/** Bars that differ (Object.is), at most a few, for the failure message. */
function differences(a: Float64Array, b: Float64Array): string[] {
  const bad: string[] = [];
  for (let i = 0; i < a.length && bad.length < 5; i++) if (!Object.is(a[i], b[i])) bad.push(`${i}: ${a[i]} vs ${b[i]}`);
  return a.length === b.length ? bad : [`length ${a.length} vs ${b.length}`];
}

describe('wasm equityCurve in chunks', () => {
  let wasm: AtcEngine;
  let js: AtcEngine;
  beforeAll(async () => {
    wasm = new AtcEngine(await loadWasmBackend());
    js = new AtcEngine(await jsFactory.load());
  });

  const check = (returns: Float64Array, signal: Float64Array, options: { startingEquity?: number; decay?: number; cutout?: number }) => {
    const expected = js.equityCurve(returns, signal, options);
    expect(differences(wasm.equityCurve(returns, signal, options), expected)).toEqual([]);
    const out = new Float64Array(returns.length).fill(-7);
    wasm.equityCurve(returns, signal, options, out);
    expect(differences(out, expected)).toEqual([]);
    return expected;
  };

  it('equals one pass: rising, falling to the floor (and staying there), with cutouts', () => {
    for (const [drift, seed] of [[0.002, 1], [-0.002, 2], [0, 3]] as const) {
      const { returns, signal } = walk(N, drift, seed);
      for (const cutout of [0, 1, 16383, 16384, 40_000, N - 2 * 16384]) {
        const e = check(returns, signal, { cutout, decay: 0.03 });
        if (drift < 0) expect(e.filter((v) => v === 0.25).length).toBeGreaterThan(1000); // the floor acts
      }
      check(returns, signal, { startingEquity: 0.1, decay: 0.25 });
    }
  });

  it('equals one pass when the equity turns NaN or ∞ before a seam, and ∞ back to the floor', () => {
    const { returns, signal } = walk(N, 0.001, 9);
    const nan = Float64Array.from(returns);
    signal[20_000] = 1;
    nan[20_001] = Infinity; // E = ∞ …
    signal[20_001] = 1;
    nan[20_002] = -1; // … then ∞·0 = NaN, which stays NaN to the end
    const eNaN = check(nan, signal, {});
    expect(Number.isNaN(eNaN[N - 1])).toBe(true);
    const inf = Float64Array.from(returns);
    signal[30_000] = 1;
    inf[30_001] = Infinity; // ∞ at the seam near 32 766 (one call then does all) …
    signal[40_000] = 1;
    inf[40_001] = -Infinity; // … until 1 + −∞ = −∞, floored to 0.25
    const eInf = check(inf, signal, {});
    expect(eInf[35_000]).toBe(Infinity);
    expect(Number.isFinite(eInf[N - 1])).toBe(true);
  });
});
