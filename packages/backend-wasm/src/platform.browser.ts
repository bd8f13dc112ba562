// The browser build's `platform.ts` (package.json "imports", `browser` condition): no files and no worker
// threads in a page, so nothing of Node is bundled.

/** Browsers have no file system: a module path must be a URL there. */
export async function readFileBytes(path: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  throw new Error(`cannot read the file ${String(path)} in a browser: pass the module's URL or bytes`);
}

/** computeBatch's worker threads are Node's: none in a browser. */
export function workerEntry(): string | undefined {
  return undefined;
}
