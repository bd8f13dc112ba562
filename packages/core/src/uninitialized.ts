// Result arrays whose contents are not zeroed first, for backends whose kernels write every
// element (`Backend.allocateOutput`, computeBatch's chunk buffers). `new Float64Array(n)` is
// calloc: a memset of whatever memory the allocator reuses (~0.5 ms per 8 MB, a few % of a
// 1,500-bar compute). Node's `Buffer.allocUnsafeSlow` is the same allocator without it; found on
// `globalThis` so browser bundles carry no `node:` import (there the arrays are zeroed).

interface NodeBufferClass {
  allocUnsafeSlow(size: number): { readonly buffer: ArrayBuffer; readonly byteOffset: number; readonly byteLength: number };
}

/** The arrays {@link uninitializedArray} makes, by element kind. */
export interface OutputArrayKinds {
  f64: Float64Array;
  i8: Int8Array;
}

/**
 * A new typed array of `length` elements whose contents are unspecified until written (zeroed
 * where Node's `Buffer` is missing, or beyond `maxBytes` / Buffer's own limit, where the zeroed
 * array's RangeError is what the caller gets as before). Always an ordinary array: its own
 * ArrayBuffer of exactly `length` elements, byteOffset 0, transferable and clonable.
 *
 * Only for results a kernel overwrites in full: anything left unwritten would show freed memory.
 *
 * @example
 * ```ts
 * const out = uninitializedArray('f64', n); // every value written below
 * backend.equityCurve(returns, signal, 1, decayMultiplier, 0, out);
 * ```
 */
export function uninitializedArray<K extends keyof OutputArrayKinds>(kind: K, length: number, maxBytes = Number.POSITIVE_INFINITY): OutputArrayKinds[K] {
  const Type = kind === 'f64' ? Float64Array : Int8Array;
  const bytes = length * Type.BYTES_PER_ELEMENT;
  const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;
  if (NodeBuffer && Number.isSafeInteger(length) && length > 0 && bytes <= maxBytes) {
    try {
      const b = NodeBuffer.allocUnsafeSlow(bytes);
      // (allocUnsafeSlow never hands out a slice of Node's shared pool; checked anyway)
      if (b.byteOffset === 0 && b.buffer.byteLength === bytes) return new Type(b.buffer, 0, length) as OutputArrayKinds[K];
    } catch {
      // beyond Buffer's limit: the zeroed array below, with its own RangeError
    }
  }
  return new Type(length) as OutputArrayKinds[K];
}
