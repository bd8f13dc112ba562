// The module's streams against the js backend's compute, bit for bit (docs/streaming.md), for
// both semantics and both builds: push, replaceLast, pushMany, export → restore, a set; then
// what is wasm's own: errors as RangeErrors, dispose, forgotten streams freed, traps. The full
// streaming tier is the conformance suite's.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expectedStreamBars, firstDifference, seededWalk } from '@adaptive-trend/conformance';
import { OUTPUT_ROWS, STEP_OK, resolveConfig, streamStateLength } from '@adaptive-trend/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WasmBackend, compileWasm, loadWasmBackend } from '../src/index.js';
import { trappingModule } from './trapping-module.js';


const walk = seededWalk;
const expectedBars = expectedStreamBars;

function expectBar(out: Float64Array, expected: Float64Array, bar: number): void {
  expect(firstDifference(out, expected), `bar ${bar}`).toBe(-1);
}

const column = (out: Float64Array, k: number, j: number) => Float64Array.from({ length: OUTPUT_ROWS }, (_, r) => out[r * k + j]!);

const N = 320;
const configs = [
  resolveConfig({ cutout: 40 }),
  resolveConfig({ cutout: 25, semantics: 'pine' }),
  resolveConfig({ cutout: 10, strategyMode: true, robustness: 'Wide', lambda: 0.5 }),
];

describe.each([
  { build: 'default (SIMD where it runs)', simd: undefined },
  { build: 'plain', simd: false },
])('wasm stream, $build build', ({ simd }) => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await loadWasmBackend({ simd });
  });

  describe.each(configs)('$semantics semantics, cutout $cutout', (config) => {
    const prices = walk(N, 7 + config.cutout);
    const expected = expectedBars(prices, config);

    it('push and replaceLast equal compute at every bar, from bar 0', () => {
      const stream = wasm.createStream(config);
      const out = new Float64Array(OUTPUT_ROWS);
      prices.forEach((close, i) => {
        if (i % 2 === 0) {
          expect(stream.push(close, out)).toBe(STEP_OK);
        } else {
          stream.push(close * 1.013, out);
          if (i % 3 === 0) stream.replaceLast(close * 0.991, out);
          expect(stream.replaceLast(close, out)).toBe(STEP_OK);
        }
        expectBar(out, expected[i]!, i);
      });
      expect(stream.length).toBe(N);
      stream.dispose();
    });

    it('pushMany in uneven chunks, then export → restore, continue bit for bit', () => {
      const stream = wasm.createStream(config);
      const at = 157;
      for (let start = 0, k = 1; start < at; start += k, k = (k * 3 + 1) % 61) {
        const chunk = prices.subarray(start, Math.min(start + k, at));
        const out = new Float64Array(OUTPUT_ROWS * chunk.length);
        expect(stream.pushMany(chunk, out)).toBe(-1);
        for (let j = 0; j < chunk.length; j++) expectBar(column(out, chunk.length, j), expected[start + j]!, start + j);
      }
      const state = stream.exportState();
      expect(state.length).toBe(streamStateLength(config));
      const restored = wasm.createStream(config, { bars: at, state });
      expect(firstDifference(restored.exportState(), state)).toBe(-1);
      const out = new Float64Array(OUTPUT_ROWS);
      restored.replaceLast(prices[at - 1]!, out);
      expectBar(out, expected[at - 1]!, at - 1);
      for (let i = at; i < N; i++) {
        restored.push(prices[i]!, out);
        expectBar(out, expected[i]!, i);
      }
      stream.dispose();
      restored.dispose();
    });

    it('a set steps each stream like its own compute', () => {
      const series = [prices, walk(N, 99), walk(N, 1234)];
      const wanted = series.map((s) => expectedBars(s, config));
      const set = wasm.createStreamSet(series.length, config);
      expect(set.count).toBe(series.length);
      const closes = new Float64Array(series.length);
      const out = new Float64Array(OUTPUT_ROWS * series.length);
      for (let i = 0; i < N; i++) {
        series.forEach((s, k) => (closes[k] = s[i]! * 0.98));
        set.push(closes, out);
        series.forEach((s, k) => (closes[k] = s[i]!));
        expect(set.replaceLast(closes, out)).toBe(-1);
        series.forEach((_, k) => expectBar(column(out, series.length, k), wanted[k]![i]!, i));
      }
      expect(set.length).toBe(N);
      const single = wasm.createStream(config);
      single.pushMany(series[1]!, new Float64Array(OUTPUT_ROWS * N));
      expect(firstDifference(set.exportState(1), single.exportState())).toBe(-1);
      set.dispose();
      single.dispose();
    });
  });
});

describe('wasm stream boundary', () => {
  const config = resolveConfig({});
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await loadWasmBackend();
  });

  it('kernel refusals are RangeErrors naming the export; a refused step commits nothing', () => {
    const stream = wasm.createStream(config);
    const out = new Float64Array(OUTPUT_ROWS);
    expect(() => stream.replaceLast(100, out)).toThrow(/\[adaptive-trend wasm\] WasmStream\.replaceLast: /);
    expect(() => stream.push(Number.NaN, out)).toThrow(RangeError);
    expect(() => stream.push(100, new Float64Array(OUTPUT_ROWS - 1))).toThrow(RangeError);
    const closes = new Float64Array(OUTPUT_ROWS * 4).fill(100);
    expect(() => stream.pushMany(closes.subarray(0, 4), closes)).toThrow(/out must not share memory with closes/);
    expect(stream.length).toBe(0);
    const state = stream.exportState();
    expect(() => wasm.createStream(config, { bars: 0, state: state.subarray(1) })).toThrow(RangeError);
    expect(() => wasm.createStream(config, { bars: -1, state })).toThrow(/bars must be an integer/);
    expect(() => wasm.createStreamSet(0, config)).toThrow(/count must be an integer between 1/);
    const set = wasm.createStreamSet(2, config);
    expect(() => set.exportState(2)).toThrow(RangeError);
    expect(() => set.exportState(0.5)).toThrow(/index must be an integer/);
    expect(() => set.push(new Float64Array(3).fill(100), new Float64Array(OUTPUT_ROWS * 2))).toThrow(RangeError);
    expect(set.length).toBe(0);
    // a longer out gets the 13 outputs in front and keeps the rest
    const long = new Float64Array(OUTPUT_ROWS + 2).fill(7);
    expect(stream.push(100, long)).toBe(STEP_OK);
    expect([...long.subarray(OUTPUT_ROWS)]).toEqual([7, 7]);
    expect(stream.length).toBe(1);
    stream.dispose();
    set.dispose();
  });

  it('dispose frees the stream; using it afterwards throws, disposing twice does not', () => {
    const stream = wasm.createStream(config);
    stream.push(100, new Float64Array(OUTPUT_ROWS));
    stream.dispose();
    expect(() => stream.push(101, new Float64Array(OUTPUT_ROWS))).toThrow(/disposed/);
    expect(() => stream.length).toThrow(/disposed/);
    expect(() => stream.dispose()).not.toThrow();
  });

  it('streams dropped without dispose are freed by the garbage collector', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const wide = resolveConfig({ emaLength: 400, hmaLength: 400, wmaLength: 400, demaLength: 400, lsmaLength: 400, kamaLength: 400 });
    const out = new Float64Array(OUTPUT_ROWS);
    const forget = () => {
      for (let i = 0; i < 400; i++) wasm.createStream(wide).push(100, out);
    };
    const collect = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    forget();
    await collect();
    const bytes = wasm.memory.buffer.byteLength;
    for (let round = 0; round < 5; round++) {
      forget();
      await collect();
    }
    expect(wasm.memory.buffer.byteLength).toBe(bytes);
  });

  it('a trap while creating a stream re-instantiates the module like any other call', async () => {
    const backend = await WasmBackend.instantiate(await compileWasm(trappingModule()));
    const before = backend.memory;
    expect(() => backend.createStream(config)).toThrow(/trapped .*re-instantiated/);
    expect(backend.memory).not.toBe(before);
  });
});
