// A trap inside the module (e.g. out of memory) must not leave the backend broken: the call
// throws and the backend carries on with a fresh instance of the same module.
import { describe, expect, it } from 'vitest';
import { MODULE_EXPORTS } from '../wasm/atc.js';
import { WasmBackend, compileWasm } from '../src/index.js';

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
 * A stand-in module with the real build's export names (so the loader and the glue accept it):
 * `memory`, wasm-bindgen's runtime exports (`__…`: allocator, stack pointer, start) all return
 * 1024, and every binding export traps (`unreachable`).
 */
function trappingModule(): Uint8Array {
  const names = MODULE_EXPORTS.filter((n) => n !== 'memory');
  const exports = [
    ...leb(names.length + 1),
    ...name('memory'), 2, 0,
    ...names.flatMap((n) => [...name(n), 0, n.startsWith('__') ? 0 : 1]),
  ];
  const bodies = [
    [0, 0x41, 0x80, 0x08, 0x0b], // i32.const 1024
    [0, 0x00, 0x0b], // unreachable
  ];
  return new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // type () -> i32
    ...section(3, [2, 0, 0]),
    ...section(5, [1, 0, 1]), // memory, 1 page
    ...section(7, exports),
    ...section(10, [2, ...bodies.flatMap((b) => [...leb(b.length), ...b])]),
  ]);
}

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
