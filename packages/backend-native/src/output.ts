import { Buffer, constants } from 'node:buffer';

/** The array of each element kind (as core's `Backend.allocateOutput`). */
interface Arrays {
  f64: Float64Array;
  i8: Int8Array;
}

/**
 * Results the addon's kernels fill, without zeroing them first (the native backend's
 * `allocateOutput`). `new Float64Array(n)` is `calloc`, whose memset of memory the allocator
 * reuses costs ~0.5 ms per 8 MB (~20 % of the equity kernel's pass over 10⁶ bars; the 1 MB
 * Int8Array of `persistSignal` at 10⁶ is 0.77× the zeroed call's time). Pages fresh from the
 * kernel are zero anyway and cost the same either way (their faults: ~2 µs per 4 KB page on
 * this project's VM, which only reusing memory avoids). `Buffer.allocUnsafeSlow` is the same
 * allocator without the memset: its own ArrayBuffer of exactly the requested bytes (never
 * Node's shared Buffer pool), so the result is an ordinary typed array — byteOffset 0,
 * transferable, structured-clonable, freed by the garbage collector like any other.
 *
 * Safe only because every kernel it is used for writes each element of its output (checked in
 * the Rust kernels and by test/output.test.ts, which hands core sentinel-filled arrays): no
 * stale bytes of freed memory can reach a caller. Beyond `maxBytes` (Node's Buffer limit:
 * 4 GiB on Node 20) it falls back to a zeroed array, whose `RangeError` core reports as
 * `SERIES_TOO_LONG` like before.
 *
 * @example
 * ```ts
 * const out = allocateUninitialized('f64', n); // contents unspecified until a kernel writes them
 * binding.equityCurve(returns, signal, 1, d, 0, out);
 * ```
 */
export function allocateUninitialized<K extends 'f64' | 'i8'>(kind: K, length: number, maxBytes: number = constants.MAX_LENGTH): Arrays[K] {
  const Type = kind === 'f64' ? Float64Array : Int8Array;
  const bytes = length * Type.BYTES_PER_ELEMENT;
  if (!Number.isSafeInteger(length) || length < 0 || bytes > maxBytes) return new Type(length) as Arrays[K];
  return new Type(Buffer.allocUnsafeSlow(bytes).buffer, 0, length) as Arrays[K];
}
