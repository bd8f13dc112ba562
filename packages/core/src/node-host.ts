// What core asks of Node itself: the CPU count and package resolution from the working
// directory. Loaded only in Node, through package.json "imports" (`#node-host`), whose browser
// condition maps it to node-host.browser.ts — so no bundler ever sees a Node built-in.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';

/** Threads `computeBatch` uses by default: the cores Node reports. */
export function availableThreads(): number {
  return availableParallelism();
}

/**
 * Imports `specifier` as resolved from the working directory (pnpm's strict layout can hide a
 * backend package from core's own location).
 */
export async function importFromWorkingDirectory(specifier: string): Promise<unknown> {
  const resolved = createRequire(`${process.cwd()}/`).resolve(specifier);
  return import(pathToFileURL(resolved).href);
}
