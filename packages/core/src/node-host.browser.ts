// Browser stand-in for node-host.ts (package.json "imports", `#node-host`, browser condition).

/** One thread: browsers have no worker_threads pool. */
export function availableThreads(): number {
  return 1;
}

/** Browsers have no working directory to resolve packages from. */
export async function importFromWorkingDirectory(specifier: string): Promise<unknown> {
  throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
}
