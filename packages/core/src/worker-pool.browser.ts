// Browser stand-in for worker-pool.ts, chosen by the "browser" condition of package.json
// "imports" (#worker-pool): no worker_threads, so computeBatch runs on the calling thread.
import { AtcError } from './errors.js';
import type { PoolWorker, WorkerSpec } from './worker-pool.js';

/** Browsers have no worker_threads: computeBatch computes on the calling thread. */
export const canOpenWorkerPool = false;

/** Never constructed in a browser (`canOpenWorkerPool` is false); throws if it is. */
export class WorkerPool {
  constructor(_spec: WorkerSpec) {
    throw new AtcError('computeBatch thread pools exist only in Node');
  }
  take(_count: number): PoolWorker[] {
    return [];
  }
  get threadIds(): number[] {
    return [];
  }
  async close(): Promise<void> {}
}
