// core's `uninitializedArray` (Backend.allocateOutput of the shipped backends, computeBatch's
// chunk buffers): ordinary typed arrays — own buffer, offset 0, transferable, clonable — whose
// contents are left to the kernel that fills them. (That every kernel does fill them:
// tests/output-writes.test.ts.)
import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { uninitializedArray } from '../src/uninitialized.js';

describe('uninitializedArray: ordinary typed arrays, their contents not zeroed', () => {
  it('own ArrayBuffer of exactly the length, offset 0, every length and kind', () => {
    for (const kind of ['f64', 'i8'] as const) {
      for (const length of [0, 1, 7, 512, 10_000, 1 << 17]) {
        const a = uninitializedArray(kind, length);
        expect(a).toBeInstanceOf(kind === 'f64' ? Float64Array : Int8Array);
        expect(a.length).toBe(length);
        expect(a.byteOffset).toBe(0);
        expect(a.buffer).toBeInstanceOf(ArrayBuffer);
        expect(a.buffer.byteLength).toBe(a.byteLength);
      }
    }
  });
  it('two results never share memory (not views of a pooled slab)', () => {
    const a = uninitializedArray('f64', 3);
    const b = uninitializedArray('f64', 3);
    expect(a.buffer).not.toBe(b.buffer);
    a.fill(1);
    b.fill(2);
    expect([...a]).toEqual([1, 1, 1]);
  });
  it('structuredClone copies it', () => {
    const a = uninitializedArray('f64', 5);
    a.set([1, 2, 3, 4, 5]);
    const c = structuredClone(a);
    expect(c).not.toBe(a);
    expect([...c]).toEqual([1, 2, 3, 4, 5]);
  });
  it('transfers through postMessage (the sender is detached, the receiver holds the values)', async () => {
    const a = uninitializedArray('i8', 4);
    a.set([1, -1, 0, 1]);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<Int8Array>((resolve) => port2.once('message', resolve));
    port1.postMessage(a, [a.buffer as ArrayBuffer]);
    const got = await received;
    port1.close();
    expect(a.byteLength).toBe(0);
    expect([...got]).toEqual([1, -1, 0, 1]);
  });
  it('a result transferred to a worker, freed there, and one sent back stay intact', async () => {
    const r = uninitializedArray('f64', 1000);
    for (let i = 0; i < r.length; i++) r[i] = Math.sin(i) / (i + 1);
    const expected = Float64Array.from(r);
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', (a) => {
         const copy = Float64Array.from(a);           // the worker reads every value
         parentPort.postMessage(copy, [copy.buffer]); // and returns a copy; 'a' dies with the worker
       });`,
      { eval: true },
    );
    const back = new Promise<Float64Array>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.postMessage(r, [r.buffer as ArrayBuffer]);
    expect(r.length).toBe(0); // transferred, not copied
    const got = await back;
    await worker.terminate();
    expect(got.every((v, i) => Object.is(v, expected[i]))).toBe(true);
  });
  it('falls back to a zeroed array beyond the byte limit; bad lengths throw RangeError as before', () => {
    const a = uninitializedArray('f64', 16, 64);
    expect([...a]).toEqual(new Array(16).fill(0));
    expect(a.byteOffset).toBe(0);
    expect(() => uninitializedArray('f64', -1)).toThrow(RangeError);
    expect(() => uninitializedArray('i8', 2 ** 60)).toThrow(RangeError);
  });
});
