// Finding, fetching and compiling the wasm module in Node and in browsers. Compiling needs no
// imports, so this file knows nothing of the glue; `backend.ts` instantiates what it returns.
import { readFileBytes } from '#platform';

/**
 * A compiled `WebAssembly.Module`. Declared here (the DOM lib's own `WebAssembly.Module` is the
 * same empty interface) so the published types compile in projects without the DOM lib
 * (`lib: ["es2022"]`, `types: ["node"]`), where the `WebAssembly` namespace is not declared.
 */
// biome-ignore lint/suspicious/noEmptyInterface: mirrors lib.dom's `interface Module {}`
export interface WasmModule {}

/** A `WebAssembly.Memory`, declared structurally for the same reason as {@link WasmModule}. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}

/** Where the module may come from: a URL, a path (Node) or URL string, the bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | Uint8Array | WasmModule;

/** A compiled module together with where it came from. */
export interface CompiledWasm {
  readonly module: WasmModule;
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What every wasm module starts with (`\0asm`). */
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** A server answered, but not with a wasm module (an HTML fallback page, a 404). */
class NotWasmError extends Error {}

function describeStart(bytes: Uint8Array): string {
  const text = String.fromCharCode(...bytes.subarray(0, 16)).replace(/[^\x20-\x7e]/g, '.');
  return `${bytes.byteLength} bytes starting ${JSON.stringify(text)}`;
}

/**
 * fetch + `compileStreaming` when the server says `application/wasm`; otherwise the bytes,
 * checked for wasm's magic number first, so a dev server's HTML page or a 404 is reported as
 * what it is (and {@link compileDefault} can look elsewhere) instead of as a compile error.
 */
async function compileFetched(url: string | URL): Promise<CompiledWasm> {
  const source = String(url);
  const response = await fetch(url);
  if (!response.ok) throw new NotWasmError(`fetching ${source} failed: HTTP ${response.status} ${response.statusText}`);
  const type = response.headers.get('content-type') ?? '';
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/i.test(type)) {
    const fallback = response.clone();
    try {
      return { module: await WebAssembly.compileStreaming(response), source };
    } catch (streamingError) {
      // Retry from the plain bytes; if that fails too the module itself is bad: report that error.
      try {
        return { module: await WebAssembly.compile(await fallback.arrayBuffer()), source };
      } catch (error) {
        throw new Error(`${source}: ${describe(error)} (streaming: ${describe(streamingError)})`);
      }
    }
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!WASM_MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new NotWasmError(`${source} is not a wasm module: the server sent ${type || 'no content type'}, ${describeStart(bytes)}`);
  }
  return { module: await WebAssembly.compile(bytes), source };
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
    if (wasm.protocol === 'file:' && isNode()) return { module: await WebAssembly.compile(await readFileBytes(wasm)), source: wasm.href };
    return compileFetched(wasm);
  }
  if (typeof wasm === 'string') {
    if (isNode() && (!HAS_SCHEME.test(wasm) || wasm.startsWith('file:'))) {
      const path = wasm.startsWith('file:') ? new URL(wasm) : wasm;
      return { module: await WebAssembly.compile(await readFileBytes(path)), source: String(path instanceof URL ? path.href : path) };
    }
    return compileFetched(wasm);
  }
  throw new TypeError(`the wasm module must be a URL, a path, bytes or a WebAssembly.Module, got ${Object.prototype.toString.call(wasm)}`);
}

/**
 * Where the shipped file is when a bundler's dependency cache serves this code from outside the
 * package — Vite's dev server pre-bundles dependencies into `node_modules/.vite/deps/`, where
 * `new URL('../wasm/…', import.meta.url)` points at nothing (and the server answers with its
 * HTML page). The package itself is then under the same `node_modules`, which the dev server
 * serves. Built from a computed string, so production bundlers leave it alone.
 */
export function movedPackageUrl(file: string, moduleUrl: string = import.meta.url): URL | undefined {
  const here = new URL(moduleUrl);
  const packageDir = '/node_modules/@adaptive-trend/backend-wasm/';
  const at = here.pathname.lastIndexOf('/node_modules/');
  if (here.protocol === 'file:' || at < 0 || here.pathname.includes(packageDir)) return undefined;
  return new URL(`${here.pathname.slice(0, at)}${packageDir}wasm/${file}`, here);
}

const moduleCache = new Map<string, Promise<CompiledWasm>>();

async function compileShipped(simd: boolean): Promise<CompiledWasm> {
  const url = defaultWasmUrl(simd);
  try {
    return await compileWasm(url);
  } catch (error) {
    const moved = error instanceof NotWasmError ? movedPackageUrl(url.pathname.slice(url.pathname.lastIndexOf('/') + 1)) : undefined;
    if (!moved) throw error;
    try {
      return await compileWasm(moved);
    } catch (movedError) {
      throw new Error(`${describe(error)}; then ${describe(movedError)}`);
    }
  }
}

/**
 * Compiles one of the shipped builds (`wasm/atc.wasm` or `wasm/atc-simd.wasm`), once per
 * process: from next to this module, or — when a dev server answers there with something
 * else — from the package's folder under the `node_modules` this code was served from.
 */
export function compileDefault(simd: boolean): Promise<CompiledWasm> {
  const key = defaultWasmUrl(simd).href;
  let cached = moduleCache.get(key);
  if (!cached) {
    cached = compileShipped(simd);
    cached.catch(() => moduleCache.delete(key)); // a failed load may be retried
    moduleCache.set(key, cached);
  }
  return cached;
}
