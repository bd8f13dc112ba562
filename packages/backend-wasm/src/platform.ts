// What the wasm backend needs of Node, in one file that browser builds never see: package.json's
// "imports" maps `#platform` to `dist/platform.browser.js` under the `browser` condition (Vite,
// webpack, esbuild, Rollup's node-resolve), so no `node:` import or worker entry reaches a page.

/** Reads a file as bytes (the module from a path or `file:` URL). */
export async function readFileBytes(path: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  // A computed specifier keeps bundlers that ignore the `browser` condition from resolving `node:fs`.
  const specifier = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ specifier)) as typeof import('node:fs/promises');
  // A Node Buffer is a Uint8Array over a (non-shared) ArrayBuffer.
  return (await fs.readFile(path)) as Uint8Array<ArrayBuffer>;
}

/** The module computeBatch's worker threads import to get the same backend (this package's entry). */
export function workerEntry(): string | undefined {
  // Not a `new URL('<literal>', import.meta.url)`: a bundler would copy or inline the entry as an asset.
  const entry = './index.js';
  return new URL(entry, import.meta.url).href;
}
