// Inputs and outputs in the caller's memory: results written into a caller-supplied buffer,
// inputs as views, plain arrays, frozen arrays and shared memory — same values, inputs untouched.
import { expect, it } from 'vitest';
import type { EngineSource } from '../engine-source.js';

const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 5) * 3 + i * 0.01);

export function defineCallerMemoryTests(engine: EngineSource): void {
  it('writes into a caller-supplied outputs buffer: same values, the result views it', () => {
    const prices = ramp(160);
    const expected = engine().compute(prices, { cutout: 10 }).toRecord();
    const outputs = new Float64Array(13 * 150).fill(-7);
    const result = engine().compute(prices, { cutout: 10 }, { outputs });
    expect(result.toRecord()).toEqual(expected);
    expect(result.averageSignal.buffer).toBe(outputs.buffer);
    expect(outputs.includes(-7)).toBe(false);
    // prices and outputs in one ArrayBuffer, side by side (not overlapping): accepted
    const memory = new Float64Array(160 + 13 * 150);
    memory.set(prices);
    const shared = engine().compute(memory.subarray(0, 160), { cutout: 10 }, { outputs: memory.subarray(160) });
    expect(shared.toRecord()).toEqual(expected);
    expect(memory.subarray(0, 160)).toEqual(prices);
  });

  it('accepts other numeric typed arrays and subarray views without touching them', () => {
    const base = ramp(140);
    const view = base.subarray(20, 120);
    const copy = Float64Array.from(view);
    const a = engine().compute(view).toRecord();
    expect(view).toEqual(copy);
    expect(engine().compute(copy).toRecord()).toEqual(a);
    expect(engine().compute(Array.from(copy)).toRecord()).toEqual(a);
    const frozen = Object.freeze(Array.from(copy));
    expect(engine().compute(frozen).toRecord()).toEqual(a);
    const shared = new Float64Array(new SharedArrayBuffer(copy.byteLength));
    shared.set(copy);
    expect(engine().compute(shared).toRecord()).toEqual(a);
  });
}
