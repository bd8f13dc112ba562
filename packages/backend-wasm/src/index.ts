/**
 * `@adaptive-trend/backend-wasm`: the Rust ATC kernels compiled to WebAssembly, for Node and
 * browsers. Importing this module registers the backend with `@adaptive-trend/core`.
 *
 * @example
 * ```ts
 * import { createAtc } from '@adaptive-trend/core';
 * import '@adaptive-trend/backend-wasm';
 * const engine = await createAtc({ backend: 'wasm' });
 * // or with the module somewhere else:
 * const engine2 = await createAtc({ backend: 'wasm', wasm: new URL('/assets/atc.wasm', location.href) });
 * ```
 * @packageDocumentation
 */
import { type BackendFactory, type BackendLoadOptions, registerBackend } from '@adaptive-trend/core';
import { WasmBackend, smokeTest } from './backend.js';
import { defaultWasmUrl, instantiateDefault, instantiateWasm, simdSupported } from './loader.js';

export { ABI_VERSION, WasmBackend } from './backend.js';
export { type InstantiatedWasm, type WasmSource, defaultWasmUrl, instantiateWasm, simdSupported } from './loader.js';

/**
 * Loads, instantiates and smoke-tests the wasm backend.
 *
 * - `options.wasm` given: exactly that module (URL, path, bytes or `WebAssembly.Module`).
 * - otherwise the shipped builds next to this package: `wasm/atc-simd.wasm` when the engine
 *   runs wasm SIMD, falling back to `wasm/atc.wasm` when SIMD is missing or that build fails.
 *
 * Rejects with every reason when no module could be loaded.
 */
export async function loadWasmBackend(options: BackendLoadOptions = {}): Promise<WasmBackend> {
  const attempts: { label: string; load: () => Promise<WasmBackend> }[] = [];
  const make = async (loading: ReturnType<typeof instantiateWasm>) => {
    const backend = new WasmBackend(await loading);
    smokeTest(backend);
    return backend;
  };
  if (options.wasm !== undefined) {
    const wasm = options.wasm;
    attempts.push({ label: 'options.wasm', load: () => make(instantiateWasm(wasm)) });
  } else {
    if (simdSupported()) attempts.push({ label: defaultWasmUrl(true).href, load: () => make(instantiateDefault(true)) });
    attempts.push({ label: defaultWasmUrl(false).href, load: () => make(instantiateDefault(false)) });
  }
  const failures: string[] = [];
  for (const attempt of attempts) {
    try {
      return await attempt.load();
    } catch (error) {
      failures.push(`${attempt.label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(
    `@adaptive-trend/backend-wasm could not load its module (${failures.join('; ')})` +
      (options.wasm === undefined ? '. Was the package built? (pnpm --filter @adaptive-trend/backend-wasm build)' : ''),
  );
}

/** Factory used by `createAtc`; priority 200 (after native, before js). */
export const backendFactory: BackendFactory = {
  name: 'wasm',
  priority: 200,
  load: (options?: BackendLoadOptions) => loadWasmBackend(options),
};

registerBackend(backendFactory);
