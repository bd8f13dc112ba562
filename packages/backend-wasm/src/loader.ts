// Finding, fetching and instantiating the wasm module in Node and in browsers. No threads, no
// SharedArrayBuffer, no imports: the module is self-contained.
import type { BackendLoadOptions } from '@adaptive-trend/core';

/** What `options.wasm` may be: a URL, a path (Node) or URL string, the bytes, or a compiled module. */
export type WasmSource = NonNullable<BackendLoadOptions['wasm']>;

/** A module instance together with where it came from. */
export interface InstantiatedWasm {
  readonly module: WebAssembly.Module;
  readonly instance: WebAssembly.Instance;
  /** Human-readable origin (URL, path, `bytes`, `module`). */
  readonly source: string;
}

/**
 * The smallest module using a SIMD instruction (`i32.const 0; i8x16.splat; i8x16.popcnt`),
 * the probe of wasm-feature-detect: it validates exactly where wasm SIMD (simd128) runs.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Whether this engine runs WebAssembly SIMD (simd128). */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * URL of a shipped build, next to this module's package (`<package>/wasm/`). Written as
 * `new URL('…', import.meta.url)` with literal paths so bundlers (Vite, webpack, Rollup)
 * recognise and copy the assets.
 */
export function defaultWasmUrl(simd: boolean): URL {
  return simd ? new URL('../wasm/atc-simd.wasm', import.meta.url) : new URL('../wasm/atc.wasm', import.meta.url);
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** `http:`, `file:`, `data:` … but not a Windows drive letter (`C:\…`). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

async function readNodeFile(path: string | URL): Promise<BufferSource> {
  // A computed specifier keeps browser bundlers from trying to resolve `node:fs`.
  const specifier = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ specifier)) as typeof import('node:fs/promises');
  // A Node Buffer is a Uint8Array over a (non-shared) ArrayBuffer.
  return (await fs.readFile(path)) as Uint8Array<ArrayBuffer>;
}

async function instantiateBytes(bytes: BufferSource, source: string): Promise<InstantiatedWasm> {
  const { module, instance } = await WebAssembly.instantiate(bytes, {});
  return { module, instance, source };
}

/** fetch + `instantiateStreaming`, falling back to `arrayBuffer()` (e.g. a server without `application/wasm`). */
async function instantiateFetched(url: string | URL): Promise<InstantiatedWasm> {
  const source = String(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${source} failed: HTTP ${response.status} ${response.statusText}`);
  if (typeof WebAssembly.instantiateStreaming === 'function') {
    const fallback = response.clone();
    try {
      const { module, instance } = await WebAssembly.instantiateStreaming(response, {});
      return { module, instance, source };
    } catch (streamingError) {
      // Streaming needs Content-Type application/wasm; retry from the plain bytes, and if
      // that fails too the module itself is bad: report that error.
      try {
        return await instantiateBytes(await fallback.arrayBuffer(), source);
      } catch (error) {
        throw new Error(`${source}: ${describe(error)} (streaming: ${describe(streamingError)})`);
      }
    }
  }
  return instantiateBytes(await response.arrayBuffer(), source);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Instantiates the module from any {@link WasmSource}: a compiled `WebAssembly.Module`, bytes
 * (`ArrayBuffer`/`Uint8Array`), a `URL` (`file:` read from disk in Node, anything else fetched),
 * or a string — a file path in Node unless it has a URL scheme, a URL (relative to the page)
 * in browsers.
 */
export async function instantiateWasm(wasm: WasmSource): Promise<InstantiatedWasm> {
  if (wasm instanceof WebAssembly.Module) {
    return { module: wasm, instance: await WebAssembly.instantiate(wasm, {}), source: 'WebAssembly.Module' };
  }
  if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) {
    return instantiateBytes(wasm as BufferSource, `bytes (${wasm.byteLength})`);
  }
  if (wasm instanceof URL) {
    if (wasm.protocol === 'file:' && isNode()) return instantiateBytes(await readNodeFile(wasm), wasm.href);
    return instantiateFetched(wasm);
  }
  if (typeof wasm === 'string') {
    if (isNode()) {
      if (!HAS_SCHEME.test(wasm)) return instantiateBytes(await readNodeFile(wasm), wasm);
      if (wasm.startsWith('file:')) {
        const url = new URL(wasm);
        return instantiateBytes(await readNodeFile(url), url.href);
      }
    }
    return instantiateFetched(wasm);
  }
  throw new TypeError(`options.wasm must be a URL, a path, bytes or a WebAssembly.Module, got ${Object.prototype.toString.call(wasm)}`);
}

const moduleCache = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Instantiates one of the shipped builds (`wasm/atc.wasm` or `wasm/atc-simd.wasm`). The
 * compiled module is cached, so further loads only instantiate.
 */
export async function instantiateDefault(simd: boolean): Promise<InstantiatedWasm> {
  const url = defaultWasmUrl(simd);
  const key = url.href;
  let cached = moduleCache.get(key);
  if (cached) {
    const module = await cached;
    return { module, instance: await WebAssembly.instantiate(module, {}), source: key };
  }
  const loading = instantiateWasm(url);
  cached = loading.then((loaded) => loaded.module);
  cached.catch(() => undefined); // the error is reported through `loading` below
  moduleCache.set(key, cached);
  try {
    return await loading;
  } catch (error) {
    moduleCache.delete(key);
    throw error;
  }
}
