// The addon's own boundary: argument validation with JS TypeError/RangeError, panics turned
// into exceptions, and the loader's error listing every place it looked.
import { packConfig, resolveConfig } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { bindingCandidates, loadBinding, platformTriple } from '../src/index.js';

const binding = loadBinding();

describe('native binding boundary', () => {
  it('reports a version', () => {
    expect(binding.version()).toMatch(/^\d+\.\d+\.\d+/);
  });
  it('throws TypeError for wrong typed-array types, never aborts', () => {
    const out = new Float64Array(4);
    expect(() => binding.movingAverage(1, new Float32Array(4) as never, 2, out)).toThrow(TypeError);
    expect(() => binding.movingAverage(1, [1, 2, 3, 4] as never, 2, out)).toThrow(TypeError);
    expect(() => binding.crossoverSignal(new Float64Array(4), new Float64Array(4), new Float64Array(4) as never)).toThrow(TypeError);
    expect(() => (binding.movingAverage as (...a: unknown[]) => void)()).toThrow();
  });
  it('throws RangeError for bad lengths and sizes', () => {
    expect(() => binding.movingAverage(1, new Float64Array(4), 0, new Float64Array(4))).toThrow(RangeError);
    expect(() => binding.movingAverage(1, new Float64Array(4), 9, new Float64Array(4))).toThrow(RangeError);
    expect(() => binding.movingAverage(1, new Float64Array(4), 2, new Float64Array(3))).toThrow(RangeError);
    expect(() => binding.movingAverage(99, new Float64Array(4), 2, new Float64Array(4))).toThrow(RangeError);
    expect(() => binding.layer1Signal(new Int8Array(10), new Float64Array(10), new Float64Array(3))).toThrow(RangeError);
    expect(() => binding.computeAtc(new Float64Array(100).fill(1), new Float64Array(3), new Float64Array(13 * 100), null, null, null)).toThrow(RangeError);
  });
  it('reads subarray views at their offset (zero-copy)', () => {
    const base = Float64Array.from([1, 2, 3, 10, 11, 12, 11, 10]);
    const out = new Float64Array(5);
    binding.movingAverage(1, base.subarray(3), 3, out);
    expect(out[2]).toBe(11);
    expect(out[4]).toBe(10.5);
  });
  it('writes into the caller\'s memory in place (zero-copy out), at the view\'s offset only', () => {
    const buffer = new Float64Array(9).fill(-1);
    binding.movingAverage(1, Float64Array.from([10, 11, 12, 11, 10]), 3, buffer.subarray(2, 7));
    expect([...buffer]).toEqual([-1, -1, NaN, NaN, 11, 11, 10.5, -1, -1]);
  });
  it('computeAtcBatch checks every array before any work, naming the offending element', () => {
    const params = packConfig(resolveConfig({}));
    const series = [Float64Array.from({ length: 120 }, (_, i) => 100 + Math.sin(i / 5)), Float64Array.from({ length: 90 }, (_, i) => 50 + Math.cos(i / 7))];
    const outs = series.map((s) => new Float64Array(13 * s.length));
    binding.computeAtcBatch(series, params, outs, 2);
    const single = new Float64Array(13 * 120);
    binding.computeAtc(series[0]!, params, single, null, null, null);
    expect(outs[0]).toEqual(single);
    expect(() => binding.computeAtcBatch(series, params, [outs[0]!, outs[0]!.subarray(0, 13 * 90)], 2)).toThrow(/outs\[\d\] must not share memory with outs\[\d\]/);
    expect(() => binding.computeAtcBatch(series, params, [outs[0]!], 2)).toThrow(RangeError);
    expect(() => binding.computeAtcBatch(series, params, [outs[0]!, new Float32Array(13 * 90)] as never, 2)).toThrow(/outs\[1\] must be a Float64Array \(got Float32Array\)/);
    expect(() => binding.computeAtcBatch(series[0] as never, params, outs, 2)).toThrow(TypeError);
    expect(() => binding.computeAtcBatch(series, params, outs, 0)).toThrow(RangeError);
    // nonFinite: one entry per series, an output like any other
    expect(() => binding.computeAtcBatch(series, params, outs, 2, new Float64Array(1))).toThrow(/nonFinite has 1 entries but series has 2/);
    expect(() => binding.computeAtcBatch(series, params, outs, 2, outs[1]!.subarray(0, 2))).toThrow(/must not share memory/);
    expect(() => binding.computeAtcBatch(series, params, outs, 2, new Int32Array(2) as never)).toThrow(/nonFinite must be a Float64Array/);
  });
  it('computeAtcBatch with checkPrices: the lowest series with a bad price, nothing written; else -1 and the same bits', () => {
    const params = packConfig(resolveConfig({}));
    const series = Array.from({ length: 6 }, (_, k) => Float64Array.from({ length: 120 + k }, (_, i) => 100 + Math.sin(i / (5 + k))));
    const fresh = () => series.map((s) => new Float64Array(13 * s.length).fill(-7));
    const plain = fresh();
    expect(binding.computeAtcBatch(series, params, plain, 2, null, false)).toBe(-1);
    const checked = fresh();
    const nonFinite = new Float64Array(6).fill(7);
    expect(binding.computeAtcBatch(series, params, checked, 2, nonFinite, true)).toBe(-1);
    expect(checked).toEqual(plain);
    expect([...nonFinite]).toEqual([-1, -1, -1, -1, -1, -1]);
    for (const [bad, at] of [[NaN, 4], [0, 1], [-2, 5], [Infinity, 0]] as const) {
      const broken = series.map((s) => s.slice());
      broken[at]![17] = bad;
      broken[5]![0] = -1; // a later bad series too (series 5 itself in one case)
      const outs = fresh();
      const report = new Float64Array(6).fill(7);
      expect(binding.computeAtcBatch(broken, params, outs, 2, report, true)).toBe(at);
      expect(outs.every((o) => o.every((v) => v === -7))).toBe(true);
      expect(report.every((v) => v === 7)).toBe(true);
      // without the check the kernels compute any finite input, as before
      if (Number.isFinite(bad)) expect(binding.computeAtcBatch(broken, params, fresh(), 2, null, false)).toBe(-1);
    }
    expect(() => binding.computeAtcBatch(series, params, fresh(), 2, null, 1 as never)).toThrow(/checkPrices must be a boolean/);
  });
  it('batchOutputs: an ArrayBuffer of the bytes asked for, on reused memory that computeAtcBatch fills', () => {
    const params = packConfig(resolveConfig({}));
    const series = [Float64Array.from({ length: 120 }, (_, i) => 100 + Math.sin(i / 5)), Float64Array.from({ length: 90 }, (_, i) => 50 + Math.cos(i / 7))];
    for (let round = 0; round < 3; round++) {
      const buffer = binding.batchOutputs(13 * 210 * 8);
      expect(buffer).toBeInstanceOf(ArrayBuffer);
      expect(buffer.byteLength).toBe(13 * 210 * 8);
      const outs = [new Float64Array(buffer, 0, 13 * 120), new Float64Array(buffer, 13 * 120 * 8, 13 * 90)];
      expect(binding.computeAtcBatch(series, params, outs, 2, null, true)).toBe(-1);
      series.forEach((s, i) => {
        const single = new Float64Array(13 * s.length);
        binding.computeAtc(s, params, single, null, null, null);
        expect(outs[i]).toEqual(single);
      });
    }
    expect(() => binding.batchOutputs(0)).toThrow(RangeError);
    expect(() => binding.batchOutputs(1.5)).toThrow(RangeError);
    expect(() => binding.batchOutputs('8' as never)).toThrow(TypeError);
  });
  it('computeAtcBatch reports per series the first bar the growth check refuses (-1: none)', () => {
    const params = packConfig(resolveConfig({}));
    const fine = Float64Array.from({ length: 150 }, (_, i) => (100 + Math.sin(i / 5) * 3 + i * 0.05) * 1e-300);
    const overflowing = fine.slice();
    for (let i = 100; i < 109; i++) overflowing[i] = overflowing[i - 1]! * 1e60; // a held equity compounds past 1.8e308
    overflowing.fill(overflowing[108]!, 109);
    const series = [fine, overflowing, fine];
    const outs = series.map((s) => new Float64Array(13 * s.length));
    const nonFinite = new Float64Array(3).fill(7);
    binding.computeAtcBatch(series, params, outs, 2, nonFinite);
    expect(nonFinite[0]).toBe(-1);
    expect(nonFinite[2]).toBe(-1);
    const m = overflowing.length;
    const o = outs[1]!;
    const finiteAt = (i: number) => Number.isFinite([6, 7, 8, 9, 10, 11].reduce((sum, r) => sum + o[r * m + i]!, 0) + [0, 1, 2, 3, 4, 5].reduce((sum, r) => sum + o[r * m + i]!, 0));
    const first = Array.from({ length: m }, (_, i) => i).find((i) => !finiteAt(i));
    expect(first).toBeGreaterThan(99);
    expect(nonFinite[1]).toBe(first);
  });
  it('computeAtc fills only the detail arrays it is given, with the same numbers', () => {
    const params = packConfig(resolveConfig({}));
    const prices = Float64Array.from({ length: 120 }, (_, i) => 100 + Math.sin(i / 5));
    const all = { out: new Float64Array(13 * 120), mas: new Float64Array(54 * 120), signals: new Int8Array(54 * 120), equities: new Float64Array(54 * 120) };
    binding.computeAtc(prices, params, all.out, all.mas, all.signals, all.equities);
    const out = new Float64Array(13 * 120);
    const equities = new Float64Array(54 * 120);
    binding.computeAtc(prices, params, out, null, undefined, equities);
    expect(out).toEqual(all.out);
    expect(equities).toEqual(all.equities);
    expect(() => binding.computeAtc(prices, params, out, null, null, out.subarray(0, 0))).toThrow(RangeError);
  });
  it('turns a panic into a JS exception', () => {
    expect(() => binding.__panicForTest()).toThrow();
    // …and the addon still works afterwards.
    const out = new Float64Array(5);
    binding.movingAverage(1, Float64Array.from([10, 11, 12, 11, 10]), 3, out);
    expect(out[2]).toBe(11);
  });
  it('an explicit binding path is exclusive and a missing one lists where it looked', () => {
    expect(bindingCandidates('/nowhere/atc.node')).toHaveLength(1);
    expect(() => loadBinding('/nowhere/atc.node')).toThrow(/looked in:\n.*nowhere/);
    expect(bindingCandidates().map((c) => c.label).join('\n')).toContain(`backend-native-${platformTriple()}`);
  });
});
