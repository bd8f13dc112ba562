// `computeLongSeries` (src/stream/long-series.ts) against createStream + pushMany over the same
// series, bit for bit: the output columns of the pushed bars, and the same refused bar.
import { type AtcConfigInput, type ResolvedAtcConfig, firstInputBar, outputBars, resolveConfig } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../src/backend.js';
import { bits, randomWalk } from './inputs.js';

const backend = createJsBackend();

/** The output rows (13 × outputBars) of `prices` through one stream, `chunk` bars per pushMany; or the first refused input bar. */
function throughPushMany(prices: Float64Array, config: ResolvedAtcConfig, chunk: number): Float64Array | number {
  const n = prices.length;
  const m = outputBars(config, n);
  const first = firstInputBar(config);
  const outputs = new Float64Array(13 * m);
  const stream = backend.createStream!(config);
  for (let start = 0; start < n; start += chunk) {
    const k = Math.min(chunk, n - start);
    const out = new Float64Array(13 * k);
    const bad = stream.pushMany(prices.subarray(start, start + k), out);
    if (bad >= 0) return start + bad;
    for (let j = 0; j < k; j++) {
      const t = start + j - first; // the bar's output column
      if (t < 0) continue;
      for (let r = 0; r < 13; r++) outputs[r * m + t] = out[r * k + j]!;
    }
  }
  return outputs;
}

function throughLongSeries(prices: Float64Array, config: ResolvedAtcConfig): Float64Array | number {
  const outputs = new Float64Array(13 * outputBars(config, prices.length)).fill(Number.NaN);
  const bad = backend.computeLongSeries!(prices, config, outputs);
  return bad >= 0 ? bad : outputs;
}

const CONFIGS: AtcConfigInput[] = [{}, { cutout: 1234, robustness: 'Wide', lambda: 0.3, strategyMode: true }, { semantics: 'pine' }, { semantics: 'pine', cutout: 777, robustness: 'Narrow', decay: 0.2 }];

describe('computeLongSeries', () => {
  it('equals createStream + pushMany (every bit), both semantics, series around the cutout', () => {
    for (const input of CONFIGS) {
      const config = resolveConfig(input);
      for (const n of [config.cutout, config.cutout + 1, config.cutout + 257, 3001]) {
        const prices = randomWalk(n, n + config.cutout);
        const expected = throughPushMany(prices, config, 700);
        expect(expected).toBeInstanceOf(Float64Array);
        expect(bits(throughLongSeries(prices, config) as Float64Array), `${JSON.stringify(input)} n ${n}`).toEqual(bits(expected as Float64Array));
      }
    }
  });

  it('equals createStream + pushMany past a cutout longer than its pre-cutout chunk (8,192 bars)', () => {
    const config = resolveConfig({ cutout: 9000 });
    const prices = randomWalk(9600, 11);
    expect(bits(throughLongSeries(prices, config) as Float64Array)).toEqual(bits(throughPushMany(prices, config, 4096) as Float64Array));
  });

  it('refuses the bar pushMany refuses (an equity overflow inside a run)', () => {
    const prices = randomWalk(2300, 5);
    for (let i = 2000; i < 2120; i++) prices[i] = (100 + Math.sin(i / 5) * 3) * 1e-300;
    for (let i = 2100; i < 2109; i++) prices[i] = prices[i - 1]! * 1e60;
    prices.fill(prices[2108]!, 2109);
    for (const input of [{}, { semantics: 'pine' as const }]) {
      const config = resolveConfig(input);
      const refused = throughPushMany(prices, config, 1);
      expect(typeof refused).toBe('number');
      expect(throughLongSeries(prices, config), JSON.stringify(input)).toBe(refused);
    }
  });

  it('refuses outputs of the wrong length and a close that is not a finite number > 0', () => {
    const config = resolveConfig({});
    const prices = randomWalk(config.cutout + 10, 3);
    expect(() => backend.computeLongSeries!(prices, config, new Float64Array(13 * 9))).toThrow(RangeError);
    prices[config.cutout + 3] = Number.NaN;
    expect(() => backend.computeLongSeries!(prices, config, new Float64Array(13 * 10))).toThrow(/finite number > 0/);
  });
});
