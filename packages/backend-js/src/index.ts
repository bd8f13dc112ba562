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
import { type BackendFactory, registerBackend, verifyBackend } from '@adaptive-trend/core';
import { createJsBackend } from './backend.js';

export { createJsBackend } from './backend.js';
export { averageSignal } from './kernels/average.js';
export { EQUITY_FLOOR } from './kernels/equity.js';
export { fdlibmExp } from './kernels/exp.js';
export { round2 } from './kernels/layer1.js';
export { composeAtcFromKernels } from './reference.js';
/** The Pine script's arithmetic (`semantics: 'pine'`), step by step: for audits and other backends' tests. */
export * as pine from './pine/index.js';

/** Factory used by `createAtc`: the js backend has no options and loads wherever JavaScript runs. */
export const backendFactory: BackendFactory<undefined> = {
  name: 'js',
  priority: 100,
  load: async () => {
    const backend = createJsBackend();
    verifyBackend(backend);
    return backend;
  },
};

registerBackend(backendFactory);
