// The addon's streams against the js backend's compute, bit for bit (docs/streaming.md), for
// both semantics: push, replaceLast, pushMany, export → restore, a set; and the classes'
// argument errors. The full streaming tier is the conformance suite's.
import { expectedStreamBars, firstDifference, seededWalk } from '@adaptive-trend/conformance';
import {
  type BackendStream,
  OUTPUT_ROWS,
  STEP_OK,
  packConfig,
  resolveConfig,
  streamStateLength,
} from '@adaptive-trend/core';
import { createJsBackend } from '@adaptive-trend/backend-js';
import { describe, expect, it } from 'vitest';
import { createNativeBackend, loadBinding } from '../src/index.js';

const binding = loadBinding();
const native = createNativeBackend(binding);

const walk = seededWalk;
const expectedBars = expectedStreamBars;

function expectBar(out: Float64Array, expected: Float64Array, bar: number): void {
  expect(firstDifference(out, expected), `bar ${bar}`).toBe(-1);
}

const N = 320;
const configs = [
  resolveConfig({ cutout: 40 }),
  resolveConfig({ cutout: 25, semantics: 'pine' }),
  resolveConfig({ cutout: 10, strategyMode: true, robustness: 'Wide', lambda: 0.5 }),
];

describe.each(configs)('native stream, $semantics semantics, cutout $cutout', (config) => {
  const prices = walk(N, 7 + config.cutout);
  const expected = expectedBars(prices, config);

  it('push equals compute at every bar, from bar 0', () => {
    const stream = native.createStream!(config);
    const out = new Float64Array(OUTPUT_ROWS);
    prices.forEach((close, i) => {
      expect(stream.push(close, out)).toBe(STEP_OK);
      expectBar(out, expected[i]!, i);
    });
    expect(stream.length).toBe(N);
  });

  it('replaceLast undoes a wrong last close, bar after bar', () => {
    const stream = native.createStream!(config);
    const out = new Float64Array(OUTPUT_ROWS);
    prices.forEach((close, i) => {
      stream.push(close * 1.013, out);
      if (i % 3 === 0) stream.replaceLast(close * 0.991, out);
      expect(stream.replaceLast(close, out)).toBe(STEP_OK);
      expectBar(out, expected[i]!, i);
      expect(stream.length).toBe(i + 1);
    });
  });

  it('pushMany in uneven chunks equals compute (13 rows × k)', () => {
    const stream = native.createStream!(config);
    for (let start = 0, k = 1; start < N; start += k, k = (k * 3 + 1) % 61) {
      const chunk = prices.subarray(start, start + k);
      const out = new Float64Array(OUTPUT_ROWS * chunk.length);
      expect(stream.pushMany(chunk, out)).toBe(-1);
      for (let j = 0; j < chunk.length; j++) {
        expectBar(Float64Array.from({ length: OUTPUT_ROWS }, (_, r) => out[r * chunk.length + j]!), expected[start + j]!, start + j);
      }
    }
    expect(stream.length).toBe(N);
  });

  it('export → restore continues bit for bit, and can still replace the last bar', () => {
    const out = new Float64Array(OUTPUT_ROWS);
    for (const at of [0, 1, config.cutout, 157]) {
      const stream = native.createStream!(config);
      stream.pushMany(prices.subarray(0, at), new Float64Array(OUTPUT_ROWS * at));
      const state = stream.exportState();
      expect(state.length).toBe(streamStateLength(config));
      const restored: BackendStream = native.createStream!(config, { bars: at, state });
      expect(restored.length).toBe(at);
      expect(firstDifference(restored.exportState(), state)).toBe(-1);
      if (at > 0) {
        restored.replaceLast(prices[at - 1]!, out);
        expectBar(out, expected[at - 1]!, at - 1);
      }
      for (let i = at; i < N; i++) {
        restored.push(prices[i]!, out);
        expectBar(out, expected[i]!, i);
      }
    }
  });

  it('a set steps each stream like its own compute; exportState(i) is that stream\'s state', () => {
    const series = [prices, walk(N, 99), walk(N, 1234)];
    const wanted = series.map((s) => expectedBars(s, config));
    const set = native.createStreamSet!(series.length, config);
    expect(set.count).toBe(series.length);
    const closes = new Float64Array(series.length);
    const out = new Float64Array(OUTPUT_ROWS * series.length);
    const single = native.createStream!(config);
    const singleOut = new Float64Array(OUTPUT_ROWS);
    for (let i = 0; i < N; i++) {
      series.forEach((s, k) => (closes[k] = s[i]! * 1.02));
      set.push(closes, out);
      series.forEach((s, k) => (closes[k] = s[i]!));
      expect(set.replaceLast(closes, out)).toBe(-1);
      single.push(series[2]![i]!, singleOut);
      series.forEach((_, k) => {
        expectBar(Float64Array.from({ length: OUTPUT_ROWS }, (_, r) => out[r * series.length + k]!), wanted[k]![i]!, i);
      });
    }
    expect(set.length).toBe(N);
    expect(firstDifference(set.exportState(2), single.exportState())).toBe(-1);
  });
});

describe('native stream set on every core', () => {
  it('a set of 2,100 streams (stepped on threads) equals the js backend\'s set, bar by bar and in its states', () => {
    const config = resolveConfig({ robustness: 'Narrow', emaLength: 9, hmaLength: 12, cutout: 4 });
    const count = 2100;
    const series = Array.from({ length: count }, (_, s) => walk(60, 7 + s, 0.06));
    const set = native.createStreamSet!(count, config);
    const reference = createJsBackend().createStreamSet!(count, config);
    const closes = new Float64Array(count);
    const out = new Float64Array(OUTPUT_ROWS * count);
    const want = new Float64Array(OUTPUT_ROWS * count);
    for (let i = 0; i < 60; i++) {
      series.forEach((x, s) => (closes[s] = x[i]!));
      expect(set.push(closes, out)).toBe(-1);
      expect(reference.push(closes, want)).toBe(-1);
      expect(firstDifference(out, want), `bar ${i}`).toBe(-1);
    }
    for (const s of [0, 1049, 1050, 2099]) expect(firstDifference(set.exportState(s), reference.exportState(s)), `stream ${s}`).toBe(-1);
  });
});

describe('native stream arguments', () => {
  const config = resolveConfig({});
  const params = packConfig(config);

  it('refuses a bad config or restore with a RangeError naming it', () => {
    expect(() => new binding.NativeStream(new Float64Array(3))).toThrow(RangeError);
    expect(() => new binding.NativeStream(new Float32Array(20) as never)).toThrow(/params must be a Float64Array \(got Float32Array\)/);
    const state = native.createStream!(config).exportState();
    expect(() => binding.NativeStream.restore(params, 0, state.subarray(1))).toThrow(RangeError);
    expect(() => binding.NativeStream.restore(params, -1, state)).toThrow(/bars must be an integer/);
    expect(() => binding.NativeStream.restore(params, 0, [...state] as never)).toThrow(TypeError);
  });

  it('checks close and out, naming them; a refused step commits nothing', () => {
    const stream = new binding.NativeStream(params);
    const out = new Float64Array(OUTPUT_ROWS);
    expect(() => stream.replaceLast(100, out)).toThrow(RangeError); // no bar yet
    expect(() => stream.push('100' as never, out)).toThrow(/close must be a number \(got string\)/);
    expect(() => stream.push(100, new Float32Array(OUTPUT_ROWS) as never)).toThrow(/out must be a Float64Array/);
    expect(() => stream.push(100, new Float64Array(OUTPUT_ROWS - 1))).toThrow(RangeError);
    expect(() => stream.push(Number.NaN, out)).toThrow(RangeError);
    expect(() => stream.push(-1, out)).toThrow(RangeError);
    expect(stream.length).toBe(0);
    const closes = new Float64Array(OUTPUT_ROWS * 4).fill(100);
    expect(() => stream.pushMany(closes.subarray(0, 4), closes)).toThrow(/out must not share memory with closes/);
    expect(stream.length).toBe(0);
    // a longer out gets the 13 outputs in front and keeps the rest
    const long = new Float64Array(OUTPUT_ROWS + 2).fill(7);
    expect(stream.push(100, long)).toBe(STEP_OK);
    expect([...long.subarray(OUTPUT_ROWS)]).toEqual([7, 7]);
    expect(stream.length).toBe(1);
  });

  it('sets check count, closes, out and index', () => {
    expect(() => new binding.NativeStreamSet(params, 0)).toThrow(/count must be an integer between 1/);
    expect(() => new binding.NativeStreamSet(params, 2.5)).toThrow(RangeError);
    const set = new binding.NativeStreamSet(params, 2);
    const out = new Float64Array(OUTPUT_ROWS * 2);
    expect(() => set.push(new Float64Array(3).fill(100), out)).toThrow(RangeError);
    expect(() => set.push(new Float64Array([100, 101]), new Float64Array(OUTPUT_ROWS))).toThrow(RangeError);
    expect(() => set.push(out.subarray(0, 2), out)).toThrow(/out must not share memory with closes/);
    expect(set.length).toBe(0);
    expect(set.push(new Float64Array([100, 101]), out)).toBe(-1);
    expect(() => set.exportState(2)).toThrow(RangeError);
    expect(() => set.exportState(-1)).toThrow(/index must be an integer/);
    expect(set.exportState(1).length).toBe(streamStateLength(resolveConfig({})));
  });
});
