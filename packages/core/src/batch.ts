// `engine.computeBatch`: many series, all cores. Backends with their own threads (native:
// Rust `std::thread::scope`) get the whole chunk in one call; the others run in a pool of
// worker_threads that load the same backend module.
import type { AtcBuffers, Backend } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { AtcError, AtcInputError, type AtcInputErrorCode } from './errors.js';
import { requireFiniteOutputs } from './growth.js';
import { allocateBuffers, runPipeline } from './pipeline.js';
import { outputBars } from './semantics.js';

/** Options of {@link AtcEngine.computeBatch}. */
export interface BatchOptions {
  /** Threads to use (default: all cores, at most one per series). 1 computes on this thread. */
  threads?: number;
  /** Called after each finished series (or chunk) with the number done so far. */
  onProgress?: (done: number, total: number) => void;
}

// Computed specifiers keep browser bundlers away from Node built-ins (this path is Node-only).
const NODE_OS = 'node:os';
const NODE_WORKER_THREADS = 'node:worker_threads';

/** Series per native call between progress reports. */
const NATIVE_CHUNK = 64;

async function defaultThreads(): Promise<number> {
  if (typeof process === 'undefined' || !process.versions?.node) return 1;
  const os = (await import(/* @vite-ignore */ NODE_OS)) as typeof import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

const label = (i: number) => `series[${i}]`;

/** What a worker posts back for a series whose outputs core refused (a typed input error). */
export interface WorkerInputError {
  readonly code: AtcInputErrorCode;
  readonly field: string;
  readonly message: string;
  readonly index: number | undefined;
}

/** Fills `buffers[i]` for every series; same numbers as one call per series. */
export async function runBatch(
  backend: Backend,
  series: readonly Float64Array[],
  config: ResolvedAtcConfig,
  buffers: AtcBuffers[],
  options: BatchOptions,
): Promise<void> {
  const total = series.length;
  const threads = Math.max(1, Math.min(options.threads ?? (await defaultThreads()), total));
  const progress = options.onProgress ?? (() => {});
  if (backend.computeAtcBatch) {
    for (let start = 0; start < total; start += NATIVE_CHUNK) {
      const end = Math.min(total, start + NATIVE_CHUNK);
      backend.computeAtcBatch(series.slice(start, end), config, buffers.slice(start, end), threads);
      for (let i = start; i < end; i++) requireFiniteOutputs(buffers[i]!.outputs, outputBars(config, series[i]!.length), config, label(i));
      progress(end, total);
    }
    return;
  }
  if (threads === 1 || !backend.workerModule || typeof process === 'undefined' || !process.versions?.node) {
    series.forEach((prices, i) => {
      runPipeline(backend, prices, config, buffers[i]!, label(i));
      progress(i + 1, total);
    });
    return;
  }
  await runInWorkers(backend, series, config, buffers, threads, progress);
}

async function runInWorkers(
  backend: Backend,
  series: readonly Float64Array[],
  config: ResolvedAtcConfig,
  buffers: AtcBuffers[],
  threads: number,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const { Worker } = (await import(/* @vite-ignore */ NODE_WORKER_THREADS)) as typeof import('node:worker_threads');
  const workerUrl = new URL('./batch-worker.js', import.meta.url);
  const total = series.length;
  let next = 0;
  let done = 0;
  const workers: InstanceType<typeof Worker>[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = (worker: InstanceType<typeof Worker>) => {
        if (next >= total) return;
        const index = next++;
        worker.postMessage({ index, prices: series[index], config, label: label(index) });
      };
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(workerUrl, { workerData: { moduleUrl: backend.workerModule, loadOptions: backend.workerLoadOptions } });
        workers.push(worker);
        worker.on('error', reject);
        worker.on('message', (message: { ready?: boolean; index?: number; outputs?: Float64Array; error?: string; inputError?: WorkerInputError }) => {
          if (message.ready) return dispatch(worker);
          const refused = message.inputError;
          if (refused) return reject(new AtcInputError(refused.code, refused.field, refused.message, refused.index));
          if (message.error !== undefined) return reject(new AtcError(`batch worker failed on series ${message.index}: ${message.error}`));
          buffers[message.index!]!.outputs.set(message.outputs!);
          done++;
          progress(done, total);
          if (done === total) resolve();
          else dispatch(worker);
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Allocates the output buffers of a batch. */
export function allocateBatch(series: readonly Float64Array[], config: ResolvedAtcConfig): AtcBuffers[] {
  return series.map((prices) => allocateBuffers(outputBars(config, prices.length), false));
}
