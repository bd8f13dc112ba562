// A stand-in wasm module whose every binding export traps (trap.test.ts, stream.test.ts).
import { MODULE_EXPORTS } from '../wasm/atc.js';

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
export function trappingModule(): Uint8Array {
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
