// A trap inside the module (e.g. out of memory) must not leave the backend broken: the call
// throws and the backend carries on with a fresh instance of the same module.
import { describe, expect, it } from 'vitest';
import { WasmBackend, compileWasm } from '../src/index.js';
import { trappingModule } from './trapping-module.js';

describe('a trapping module', () => {
  it('throws a clear error and re-instantiates', async () => {
    const backend = await WasmBackend.instantiate(await compileWasm(trappingModule()));
    const before = backend.memory;
    expect(() => backend.rateOfChange(Float64Array.of(1, 2), new Float64Array(2))).toThrow(/trapped .*re-instantiated/);
    expect(backend.memory).not.toBe(before);
    // and again: the fresh instance is used (it traps the same way, but it is reached)
    const second = backend.memory;
    expect(() => backend.movingAverage('ema', Float64Array.of(1, 2), 1, new Float64Array(2))).toThrow(/trapped/);
    expect(backend.memory).not.toBe(second);
  });
});
