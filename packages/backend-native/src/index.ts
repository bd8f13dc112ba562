/**
 * `@adaptive-trend/backend-native`: the Rust kernels through Node-API (napi-rs). Importing this
 * module registers the backend with `@adaptive-trend/core`; loading finds the binary at the
 * `binding` option or `ATC_NATIVE_BINDING`, else beside this package or in the per-platform
 * package `@adaptive-trend/backend-native-<triple>`.
 *
 * @example
 * ```ts
 * import { createAtc } from '@adaptive-trend/core';
 * import '@adaptive-trend/backend-native';
 * const engine = await createAtc({ backend: 'native' });
 * const pinned = await createAtc({ backend: 'native', backendOptions: { native: { binding: '/opt/atc-node.node' } } });
 * ```
 * @packageDocumentation
 */
import { type BackendFactory, registerBackend, verifyBackend } from '@adaptive-trend/core';
import { createNativeBackend } from './backend.js';
import { loadBinding } from './binding.js';

export { createNativeBackend } from './backend.js';
export { BINDING_ENV, type BindingCandidate, type NativeBinding, bindingCandidates, glibcTooOld, loadBinding } from './binding.js';
export { GLIBC_BASELINE, type Host, currentHost, platformTriple, platformTriples } from './platform.js';

/** Load options of the native backend (`createAtc({ backendOptions: { native } })`). */
export interface NativeLoadOptions {
  /** Path of the `.node` file to load; exclusive: a wrong path fails rather than loading another binary. */
  binding?: string;
}

declare module '@adaptive-trend/core' {
  interface BackendOptions {
    native?: NativeLoadOptions;
  }
}

/** Factory used by `createAtc`: loads the addon, checks it with core's `verifyBackend`, wraps it. */
export const backendFactory: BackendFactory<NativeLoadOptions> = {
  name: 'native',
  priority: 300,
  load: async (options) => {
    const backend = createNativeBackend(loadBinding(options?.binding));
    verifyBackend(backend);
    return backend;
  },
};

registerBackend(backendFactory);
