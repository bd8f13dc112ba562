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
 * const engine2 = await createAtc({ backend: 'wasm', backendOptions: { wasm: { module: new URL('/assets/atc.wasm', location.href) } } });
 * ```
 * @packageDocumentation
 */
import { type BackendFactory, registerBackend, verifyBackend } from '@adaptive-trend/core';
import { WasmBackend } from './backend.js';
import { type WasmSource, compileDefault, compileWasm, defaultWasmUrl, simdSupported } from './loader.js';

export { WasmBackend } from './backend.js';
export type { WasmBackendStream, WasmBackendStreamSet } from './stream.js';
export { type CompiledWasm, type WasmMemory, type WasmModule, type WasmSource, compileWasm, defaultWasmUrl, simdSupported } from './loader.js';

/** The wasm backend's load options: `createAtc({ backendOptions: { wasm: … } })`. */
export interface WasmLoadOptions {
  /** This module instead of the shipped builds (no SIMD selection then: you pick the file). */
  readonly module?: WasmSource;
  /** Shipped builds only: `false` loads the plain build even where SIMD runs (default: detect). */
  readonly simd?: boolean;
}

declare module '@adaptive-trend/core' {
  interface BackendOptions {
    wasm?: WasmLoadOptions;
  }
}

/**
 * Loads, instantiates and checks (core's `verifyBackend`) the wasm backend.
 *
 * - `options.module` given: exactly that module (URL, path, bytes or `WebAssembly.Module`).
 * - otherwise the shipped builds next to this package: `wasm/atc-simd.wasm` when the engine
 *   runs wasm SIMD (and `options.simd` is not `false`), falling back to `wasm/atc.wasm` when
 *   SIMD is missing or that build fails.
 *
 * Rejects with every reason when no module could be loaded.
 */
export async function loadWasmBackend(options: WasmLoadOptions = {}): Promise<WasmBackend> {
  const { module } = options;
  const attempts: { label: string; compile: () => ReturnType<typeof compileWasm> }[] = [];
  if (module !== undefined) {
    attempts.push({ label: 'options.module', compile: () => compileWasm(module) });
  } else {
    if (options.simd !== false && simdSupported()) attempts.push({ label: defaultWasmUrl(true).href, compile: () => compileDefault(true) });
    attempts.push({ label: defaultWasmUrl(false).href, compile: () => compileDefault(false) });
  }
  const failures: string[] = [];
  for (const attempt of attempts) {
    try {
      const backend = await WasmBackend.instantiate(await attempt.compile());
      verifyBackend(backend);
      return backend;
    } catch (error) {
      failures.push(`${attempt.label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(
    `@adaptive-trend/backend-wasm could not load its module (${failures.join('; ')})` +
      (module === undefined
        ? '. The package ships wasm/atc.wasm and wasm/atc-simd.wasm: if a bundler or server moved them, pass their URL as ' +
          "createAtc({ backendOptions: { wasm: { module } } }), or keep a dev server from pre-bundling the package (Vite: optimizeDeps: { exclude: ['@adaptive-trend/backend-wasm'] }) (see the package README)" +
          (/\/node_modules\//.test(import.meta.url) ? '' : '; in this checkout, build them: pnpm --filter @adaptive-trend/backend-wasm build')
        : ''),
  );
}

/** Factory used by `createAtc`; priority 200 (after native, before js). */
export const backendFactory: BackendFactory<WasmLoadOptions> = {
  name: 'wasm',
  priority: 200,
  load: (options) => loadWasmBackend(options),
};

registerBackend(backendFactory);
