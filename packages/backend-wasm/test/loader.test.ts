// Loading from every kind of source, SIMD selection, failures, registration.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { allocateBuffers, createAtc, registeredBackends, resolveConfig } from '@adaptive-trend/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type WasmBackend, backendFactory, defaultWasmUrl, loadWasmBackend, simdSupported } from '../src/index.js';
import { movedPackageUrl } from '../src/loader.js';

const plainUrl = defaultWasmUrl(false);
const simdUrl = defaultWasmUrl(true);

async function emaOf(backend: WasmBackend): Promise<number[]> {
  const out = new Float64Array(6);
  backend.movingAverage('ema', Float64Array.of(2, 4, 6, 8, 10, 12), 2, out);
  return Array.from(out);
}

describe('loading the wasm backend', () => {
  it('registers itself with core on import, name wasm, priority 200', () => {
    expect(registeredBackends()).toContain('wasm');
    expect(backendFactory.name).toBe('wasm');
    expect(backendFactory.priority).toBe(200);
  });

  it('picks the SIMD build where wasm SIMD runs (Node 20 does)', async () => {
    expect(simdSupported()).toBe(true);
    const backend = (await backendFactory.load()) as WasmBackend;
    expect(backend.name).toBe('wasm');
    expect(backend.simd).toBe(true);
    expect(backend.source).toBe(simdUrl.href);
  });

  it('loads the plain build where wasm SIMD does not validate', async () => {
    const validate = WebAssembly.validate.bind(WebAssembly);
    const spy = vi.spyOn(WebAssembly, 'validate').mockImplementation((bytes) => (bytes.byteLength < 64 ? false : validate(bytes)));
    try {
      expect(simdSupported()).toBe(false);
      const backend = (await backendFactory.load()) as WasmBackend;
      expect(backend.simd).toBe(false);
      expect(backend.source).toBe(plainUrl.href);
    } finally {
      spy.mockRestore();
    }
  });

  it('options.simd false loads the plain build even where SIMD runs', async () => {
    const backend = await loadWasmBackend({ simd: false });
    expect(backend.simd).toBe(false);
    expect(backend.source).toBe(plainUrl.href);
  });

  it('createAtc({ backend: "wasm" }) runs on it', async () => {
    const engine = await createAtc({ backend: 'wasm' });
    expect(engine.backend).toBe('wasm');
    expect(Array.from(engine.sma([1, 2, 3, 4], 2))).toEqual([NaN, 1.5, 2.5, 3.5]);
  });

  const expected = [NaN, 3, 5, 7, 9, 11];
  const bytes = readFileSync(fileURLToPath(plainUrl));
  const cases: [string, () => unknown][] = [
    ['a file URL', () => plainUrl],
    ['a file: URL string', () => plainUrl.href],
    ['a path', () => fileURLToPath(plainUrl)],
    ['a Uint8Array', () => new Uint8Array(bytes)],
    ['an ArrayBuffer', () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)],
    ['a WebAssembly.Module', () => new WebAssembly.Module(bytes)],
  ];
  for (const [label, wasm] of cases) {
    it(`options.module as ${label}`, async () => {
      const backend = await loadWasmBackend({ module: wasm() as never });
      expect(backend.simd).toBe(false);
      expect(await emaOf(backend)).toEqual(expected);
    });
  }

  describe('over http (fetch, instantiateStreaming and its fallback)', () => {
    let base = '';
    const server = createServer((req, res) => {
      const file = req.url?.includes('simd') ? simdUrl : plainUrl;
      if (req.url?.startsWith('/missing')) {
        res.writeHead(404).end();
        return;
      }
      if (req.url?.startsWith('/spa')) {
        // A dev server's answer for a path it does not have: its HTML page, status 200.
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html></html>');
        return;
      }
      const type = req.url?.startsWith('/octet') ? 'application/octet-stream' : 'application/wasm';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(fileURLToPath(file)));
    });
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('streams (compileStreaming) with Content-Type application/wasm', async () => {
      const backend = await loadWasmBackend({ module: new URL(`${base}/wasm/atc-simd.wasm`) });
      expect(backend.simd).toBe(true);
      expect(await emaOf(backend)).toEqual(expected);
    });
    it('falls back to arrayBuffer() for another Content-Type', async () => {
      const backend = await loadWasmBackend({ module: `${base}/octet/atc.wasm` });
      expect(await emaOf(backend)).toEqual(expected);
    });
    it('rejects with the HTTP status when the module is missing', async () => {
      await expect(loadWasmBackend({ module: `${base}/missing/atc.wasm` })).rejects.toThrow(/404/);
    });
    it('says what the server sent instead of a module (an HTML page), not a compile error', async () => {
      await expect(loadWasmBackend({ module: `${base}/spa/atc.wasm` })).rejects.toThrow(
        /spa\/atc\.wasm is not a wasm module: the server sent text\/html, 28 bytes starting "<!doctype html><"/,
      );
    });
  });

  describe('movedPackageUrl (a dev server serving this code from its dependency cache)', () => {
    it("points from Vite's node_modules/.vite/deps/ to the package under the same node_modules", () => {
      expect(movedPackageUrl('atc-simd.wasm', 'http://127.0.0.1:5173/node_modules/.vite/deps/@adaptive-trend_backend-wasm.js?v=1a2b')?.href).toBe(
        'http://127.0.0.1:5173/node_modules/@adaptive-trend/backend-wasm/wasm/atc-simd.wasm',
      );
      expect(movedPackageUrl('atc.wasm', 'http://h/app/node_modules/.cache/x/chunk.js')?.href).toBe('http://h/app/node_modules/@adaptive-trend/backend-wasm/wasm/atc.wasm');
    });
    it('has nothing to offer when the code is in its package, outside node_modules, or on disk', () => {
      expect(movedPackageUrl('atc.wasm', 'http://h/node_modules/@adaptive-trend/backend-wasm/dist/loader.js')).toBeUndefined();
      expect(movedPackageUrl('atc.wasm', 'http://h/assets/index-abc.js')).toBeUndefined();
      expect(movedPackageUrl('atc.wasm', 'file:///app/node_modules/.vite/deps/x.js')).toBeUndefined();
      expect(movedPackageUrl('atc.wasm')).toBeUndefined(); // this test's own module: a file: URL
    });
  });

  it('rejects clearly for bad bytes, a module that is not atc-wasm, and a missing file', async () => {
    await expect(loadWasmBackend({ module: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) })).rejects.toThrow(/could not load/);
    const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(loadWasmBackend({ module: empty })).rejects.toThrow(/missing exports/);
    await expect(loadWasmBackend({ module: '/nonexistent/atc.wasm' })).rejects.toThrow(/ENOENT/);
    await expect(createAtc({ backend: 'wasm', backendOptions: { wasm: { module: empty } } })).rejects.toThrow(/wasm/);
  });

  it('reports kernel errors as RangeError and stays usable', async () => {
    const backend = await loadWasmBackend();
    const out = new Float64Array(3);
    expect(() => backend.movingAverage('ema', Float64Array.of(1, 2, 3), 5, out)).toThrow(RangeError);
    expect(() => backend.movingAverage('ema', Float64Array.of(1, 2, 3), 5, out)).toThrow(/shorter than EMA length 5/);
    expect(() => backend.movingAverage('hma', Float64Array.of(1, 2, 3), 1, out)).toThrow(/HMA length must be >= 2/);
    expect(() => backend.movingAverage('nope' as never, Float64Array.of(1, 2, 3), 1, out)).toThrow(/unknown moving-average kind/);
    expect(() => backend.movingAverage('ema', Float64Array.of(1, 2), 1, out)).toThrow(/out has length 3, expected 2/);
    expect(() => backend.equityCurve(Float64Array.of(1, 2), Float64Array.of(0, 0), 1, 1, 2, new Float64Array(2))).toThrow(/cutout/);
    expect(() => backend.layer1Signal(new Int8Array(5), new Float64Array(5), new Float64Array(2))).toThrow(/not a positive multiple/);
    backend.movingAverage('ema', Float64Array.of(1, 2, 3), 2, out);
    expect(Array.from(out)).toEqual([NaN, 1.5, 2.5]);
  });

  it('refuses an output too large for linear memory with a RangeError, without trapping', async () => {
    const backend = await loadWasmBackend();
    const memory = backend.memory;
    const huge = new Float64Array(2 ** 28); // 2 GiB: more than wasm32 can hold in one allocation
    expect(() => backend.rateOfChange(Float64Array.of(1, 2), huge)).toThrow(RangeError);
    expect(() => backend.rateOfChange(Float64Array.of(1, 2), huge)).toThrow(/does not fit in linear memory/);
    expect(backend.memory).toBe(memory); // no trap, so no re-instantiation
    const out = new Float64Array(2);
    backend.rateOfChange(Float64Array.of(1, 2), out);
    expect(Array.from(out)).toEqual([NaN, 1]);
  });

  it('computeAtc fills whichever detail arrays are given', async () => {
    const backend = await loadWasmBackend();
    const prices = Float64Array.from({ length: 200 }, (_, i) => 100 + Math.sin(i / 7) * 5 + i * 0.05);
    const config = resolveConfig({ cutout: 5 });
    const all = allocateBuffers(195, true);
    backend.computeAtc(prices, config, all);
    const some = { outputs: new Float64Array(all.outputs.length), maSignals: new Int8Array(all.maSignals!.length) };
    backend.computeAtc(prices, config, some);
    expect(some.outputs).toEqual(all.outputs);
    expect(some.maSignals).toEqual(all.maSignals);
  });

  it('handles empty series', async () => {
    const backend = await loadWasmBackend();
    const empty = new Float64Array(0);
    backend.rateOfChange(empty, new Float64Array(0));
    backend.movingAverage('kama', empty, 3, new Float64Array(0));
    backend.equityCurve(empty, empty, 1, 1, 0, new Float64Array(0));
    backend.crossoverSignal(empty, empty, new Int8Array(0));
  });
});
