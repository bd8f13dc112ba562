// A trap inside the module (e.g. out of memory) must not leave the backend broken: the call
// throws and the backend carries on with a fresh instance of the same module.
import { describe, expect, it } from 'vitest';
import { WasmBackend, instantiateWasm } from '../src/index.js';

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
const name = (s: string) => [...leb(s.length), ...new TextEncoder().encode(s)];

/**
 * A stand-in module with the atc-wasm export names: abi_version → 1, alloc_bytes → 1024,
 * free_bytes/last_error_* → 0, and every kernel traps (`unreachable`).
 */
function trappingModule(): Uint8Array {
  const constant = ['abi_version', 'alloc_bytes', 'free_bytes', 'last_error_ptr', 'last_error_len', 'simd_enabled'];
  const kernels = ['moving_average', 'rate_of_change', 'scaled_returns', 'crossover_signal', 'persist_signal', 'equity_curve', 'layer1_signal', 'compute_atc'];
  const fnIndex: Record<string, number> = { abi_version: 0, alloc_bytes: 1 };
  for (const n of constant.slice(2)) fnIndex[n] = 2;
  for (const n of kernels) fnIndex[n] = 3;
  const exports = [
    ...leb(Object.keys(fnIndex).length + 1),
    ...name('memory'), 2, 0,
    ...Object.entries(fnIndex).flatMap(([n, i]) => [...name(n), 0, i]),
  ];
  const bodies = [
    [0, 0x41, 1, 0x0b], // i32.const 1
    [0, 0x41, 0x80, 0x08, 0x0b], // i32.const 1024
    [0, 0x41, 0, 0x0b], // i32.const 0
    [0, 0x00, 0x0b], // unreachable
  ];
  return new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // type () -> i32
    ...section(3, [4, 0, 0, 0, 0]),
    ...section(5, [1, 0, 1]), // memory, 1 page
    ...section(7, exports),
    ...section(10, [4, ...bodies.flatMap((b) => [...leb(b.length), ...b])]),
  ]);
}

describe('a trapping module', () => {
  it('throws a clear error and re-instantiates', async () => {
    const backend = new WasmBackend(await instantiateWasm(trappingModule()));
    const before = backend.memory;
    expect(() => backend.rateOfChange(Float64Array.of(1, 2), new Float64Array(2))).toThrow(/trapped .*re-instantiated/);
    expect(backend.memory).not.toBe(before);
    // and again: the fresh instance is used (it traps the same way, but it is reached)
    const second = backend.memory;
    expect(() => backend.movingAverage('ema', Float64Array.of(1, 2), 1, new Float64Array(2))).toThrow(/trapped/);
    expect(backend.memory).not.toBe(second);
  });
});
