import { type BackendName, KNOWN_BACKENDS } from '@adaptive-trend/core';

/**
 * Imports (and so registers) every backend package installed next to the CLI, from core's one
 * list of package names ({@link KNOWN_BACKENDS}). A package that is not installed is skipped;
 * whether an installed one can run is decided by `createAtc`.
 */
export async function registerInstalledBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  for (const [name, specifier] of Object.entries(KNOWN_BACKENDS)) {
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
