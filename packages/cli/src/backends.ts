import type { BackendName } from '@adaptive-trend/core';

const PACKAGES: Record<BackendName, string> = {
  native: '@adaptive-trend/backend-native',
  wasm: '@adaptive-trend/backend-wasm',
  js: '@adaptive-trend/backend-js',
};

/**
 * Imports (and so registers) every backend package installed next to the CLI. A package that
 * is not installed is skipped; whether an installed one can run is decided by `createAtc`.
 */
export async function registerInstalledBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  for (const [name, specifier] of Object.entries(PACKAGES) as [BackendName, string][]) {
    try {
      await import(specifier);
      found.push(name);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return found;
}
