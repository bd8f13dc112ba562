/**
 * `@adaptive-trend/backend-native`: the Rust kernels through Node-API. Importing this module
 * registers the backend with `@adaptive-trend/core`; loading finds the binary in
 * `ATC_NATIVE_BINDING`, the local build, or the per-platform package
 * `@adaptive-trend/backend-native-<triple>`.
 *
 * @example
 * ```ts
 * import { createAtc } from '@adaptive-trend/core';
 * import '@adaptive-trend/backend-native';
 * const engine = await createAtc({ backend: 'native' });
 * ```
 * @packageDocumentation
 */
import { type BackendFactory, registerBackend } from '@adaptive-trend/core';
import { createNativeBackend, smokeTest } from './backend.js';
import { loadBinding } from './binding.js';

export { createNativeBackend } from './backend.js';
export { BINDING_ENV, type NativeBinding, bindingCandidates, loadBinding } from './binding.js';
export { platformTriple } from './platform.js';

/** Factory used by `createAtc`: loads the addon, smoke-tests it, and wraps it. */
export const backendFactory: BackendFactory = {
  name: 'native',
  priority: 300,
  load: async (options) => {
    const binding = loadBinding(options?.nativeBinding);
    smokeTest(binding);
    return createNativeBackend(binding);
  },
};

registerBackend(backendFactory);
