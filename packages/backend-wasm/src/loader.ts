// Finding, fetching and compiling the wasm module in Node and in browsers. Compiling needs no
// imports, so this file knows nothing of the glue; `backend.ts` instantiates what it returns.

/** Where the module may come from: a URL, a path (Node) or URL string, the bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;

/** A compiled module together with where it came from. */
export interface CompiledWasm {
  readonly module: WebAssembly.Module;
  /** Human-readable origin (URL, path, `bytes (n)`, `WebAssembly.Module`). */
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

async function readNodeFile(path: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  // A computed specifier keeps browser bundlers from trying to resolve `node:fs`.
  const specifier = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ specifier)) as typeof import('node:fs/promises');
  // A Node Buffer is a Uint8Array over a (non-shared) ArrayBuffer.
  return (await fs.readFile(path)) as Uint8Array<ArrayBuffer>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** fetch + `compileStreaming`, falling back to `arrayBuffer()` (e.g. a server without `application/wasm`). */
async function compileFetched(url: string | URL): Promise<CompiledWasm> {
  const source = String(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${source} failed: HTTP ${response.status} ${response.statusText}`);
  if (typeof WebAssembly.compileStreaming === 'function') {
    const fallback = response.clone();
    try {
      return { module: await WebAssembly.compileStreaming(response), source };
    } catch (streamingError) {
      // Streaming needs Content-Type application/wasm; retry from the plain bytes, and if
      // that fails too the module itself is bad: report that error.
      try {
        return { module: await WebAssembly.compile(await fallback.arrayBuffer()), source };
      } catch (error) {
        throw new Error(`${source}: ${describe(error)} (streaming: ${describe(streamingError)})`);
      }
    }
  }
  return { module: await WebAssembly.compile(await response.arrayBuffer()), source };
}

/**
 * Compiles the module from any {@link WasmSource}: a compiled `WebAssembly.Module` as is, bytes
 * (`ArrayBuffer`/`Uint8Array`), a `URL` (`file:` read from disk in Node, anything else fetched),
 * or a string — a file path in Node unless it has a URL scheme, a URL (relative to the page)
 * in browsers.
 */
export async function compileWasm(wasm: WasmSource): Promise<CompiledWasm> {
  if (wasm instanceof WebAssembly.Module) return { module: wasm, source: 'WebAssembly.Module' };
  if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) {
    return { module: await WebAssembly.compile(wasm as BufferSource), source: `bytes (${wasm.byteLength})` };
  }
  if (wasm instanceof URL) {
    if (wasm.protocol === 'file:' && isNode()) return { module: await WebAssembly.compile(await readNodeFile(wasm)), source: wasm.href };
    return compileFetched(wasm);
  }
  if (typeof wasm === 'string') {
    if (isNode() && (!HAS_SCHEME.test(wasm) || wasm.startsWith('file:'))) {
      const path = wasm.startsWith('file:') ? new URL(wasm) : wasm;
      return { module: await WebAssembly.compile(await readNodeFile(path)), source: String(path instanceof URL ? path.href : path) };
    }
    return compileFetched(wasm);
  }
  throw new TypeError(`the wasm module must be a URL, a path, bytes or a WebAssembly.Module, got ${Object.prototype.toString.call(wasm)}`);
}

const moduleCache = new Map<string, Promise<CompiledWasm>>();

/** Compiles one of the shipped builds (`wasm/atc.wasm` or `wasm/atc-simd.wasm`), once per process. */
export function compileDefault(simd: boolean): Promise<CompiledWasm> {
  const url = defaultWasmUrl(simd);
  let cached = moduleCache.get(url.href);
  if (!cached) {
    cached = compileWasm(url);
    cached.catch(() => moduleCache.delete(url.href)); // a failed load may be retried
    moduleCache.set(url.href, cached);
  }
  return cached;
}
