/**
 * `@adaptive-trend/backend-js`: the pure-TypeScript backend. Importing this module registers
 * it with `@adaptive-trend/core`.
 *
 * @example
 * ```ts
 * import { createAtc } from '@adaptive-trend/core';
 * import '@adaptive-trend/backend-js';
 * const engine = await createAtc({ backend: 'js' });
 * ```
 * @packageDocumentation
 */
import { type BackendFactory, registerBackend } from '@adaptive-trend/core';
import { createJsBackend } from './backend.js';

export { createJsBackend } from './backend.js';
export { fdlibmExp } from './kernels/exp.js';
export { round2 } from './kernels/layer1.js';

/** Factory used by `createAtc`; the js backend always loads. */
export const backendFactory: BackendFactory = {
  name: 'js',
  priority: 100,
  load: async () => createJsBackend(),
};

registerBackend(backendFactory);
