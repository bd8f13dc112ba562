// `engine.computeBatch`: many series, all cores. Backends with their own threads (native:
// Rust threads) get the series in a few large calls; the others (js, wasm) run on the calling
// thread plus `threads − 1` workers of the engine's persistent pool (worker-pool.ts). Series
// are handed out in chunks, largest first and shrinking towards the end (guided scheduling),
// to whichever thread is free: every thread stays busy until the last few series. A worker
// chunk's prices are copied into one buffer (the caller's arrays are never transferred or
// detached) and its outputs come back as one transferred ArrayBuffer that the results view;
// the calling thread computes its chunks in place, a turn of its event loop at least every
// millisecond (so it keeps answering the workers and anything else that is waiting).
import type { Backend } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { AtcError, AtcInputError, type AtcInputErrorCode } from './errors.js';
import { requireFiniteOutputs } from './growth.js';
import { OUTPUT_ROWS, allocateBuffers, resultArray, runPipeline } from './pipeline.js';
import { outputBars } from './semantics.js';
import { toPrices } from './series.js';
import type { uninitializedArray } from './uninitialized.js';
import type { PoolWorker, WorkerPool } from './worker-pool.js';

/** Options of {@link AtcEngine.computeBatch}. */
export interface BatchOptions {
  /**
   * Threads to use, the calling thread included (default: all cores, at most one per series).
   * 1 computes on this thread only; js and wasm start `threads − 1` worker threads.
   */
  threads?: number;
  /** Called after each finished chunk of series with the number done so far (never decreasing, ends at `total`). */
  onProgress?: (done: number, total: number) => void;
}

/** One chunk sent to a pooled worker: `lengths.length` series packed back to back in `prices`. */
export interface ChunkTask {
  readonly id: number;
  /** Index of the chunk's first series in the batch. */
  readonly first: number;
  readonly lengths: readonly number[];
  readonly prices: Float64Array;
  readonly config: ResolvedAtcConfig;
  /**
   * Where the worker writes the chunk's outputs (uninitialised, transferred there and back):
   * allocated by the calling thread, whose allocator reuses the memory of earlier batches'
   * freed results. A buffer the worker allocated itself came fresh from the kernel every time
   * (freed on another thread), and faulting in its pages cost the worker ~20 % more CPU per series.
   */
  readonly outputs: ArrayBuffer;
}

/** A worker's answer: the chunk's outputs back to back, or the series it failed on. */
export interface ChunkReply {
  readonly id: number;
  readonly outputs?: ArrayBuffer;
  /**
   * The task's `prices` buffer, handed back (transferred) so the next chunk for this worker is
   * packed into it instead of a new allocation.
   */
  readonly prices?: ArrayBuffer;
  /** Batch index of the series that failed. */
  readonly failed?: number;
  readonly inputError?: WorkerInputError;
  readonly error?: string;
}

/** What a worker posts back for a series whose outputs core refused (a typed input error). */
export interface WorkerInputError {
  readonly code: AtcInputErrorCode;
  readonly field: string;
  readonly message: string;
  readonly index: number | undefined;
}

/** Fewest series per native call when the batch is split for progress reports. */
const NATIVE_CHUNK = 64;
/**
 * Most output values in one worker chunk (8 MB; at least one series): bounds one message and
 * keeps each output buffer a size the allocator recycles rather than maps fresh every call.
 */
const MAX_CHUNK_VALUES = 1 << 20;

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

async function defaultThreads(): Promise<number> {
  if (!isNode()) return 1;
  const host = (await import('#node-host')) as typeof import('./node-host.js');
  return host.availableThreads();
}

const label = (i: number) => `series[${i}]`;

/**
 * A new ArrayBuffer of `bytes` (a whole number of doubles) for `backend`'s outputs: from its
 * `allocateOutput` when it has one — the backend's promise that its kernels write every value
 * (the shipped ones: unzeroed, {@link uninitializedArray}; zeroing 500 × 156 kB on the calling
 * thread cost a tenth of a native batch) — else zeroed.
 */
export function outputsBuffer(backend: Backend, bytes: number): ArrayBuffer {
  return resultArray(backend, 'f64', bytes / Float64Array.BYTES_PER_ELEMENT).buffer as ArrayBuffer;
}

/**
 * The engine's worker pool for `backend`, or undefined where there is none to open (a backend
 * without `workerModule`, or not Node: package.json "imports" maps `#worker-pool` to a stub
 * for browsers).
 */
export async function openWorkerPool(backend: Backend): Promise<WorkerPool | undefined> {
  if (!backend.workerModule || !isNode()) return undefined;
  const pool = (await import('#worker-pool')) as typeof import('./worker-pool.js');
  if (!pool.canOpenWorkerPool) return undefined;
  return new pool.WorkerPool({ moduleUrl: backend.workerModule, loadOptions: backend.workerLoadOptions });
}

/**
 * Hands out consecutive chunks of `[0, total)`: each takes half of the remaining series' fair
 * share per thread (at least 1 series, at most {@link MAX_CHUNK_VALUES} outputs), so the first
 * chunks are large (few messages) and the last ones small (threads finish together).
 */
class ChunkQueue {
  #next = 0;
  constructor(
    private readonly series: readonly Float64Array[],
    private readonly config: ResolvedAtcConfig,
    private readonly threads: number,
  ) {}

  take(): [number, number] | undefined {
    const start = this.#next;
    const total = this.series.length;
    if (start >= total) return undefined;
    const size = Math.max(1, Math.ceil((total - start) / (2 * this.threads)));
    let end = start + 1;
    let values = OUTPUT_ROWS * outputBars(this.config, this.series[start]!.length);
    while (end < total && end - start < size) {
      values += OUTPUT_ROWS * outputBars(this.config, this.series[end]!.length);
      if (values > MAX_CHUNK_VALUES) break;
      end++;
    }
    this.#next = end;
    return [start, end];
  }
}

/**
 * The outputs (13 rows × bars) of every series, each equal bit for bit to one `computeAtc`.
 * `series` must be validated already (engine.computeBatch does it for all of them first),
 * their values too unless `pricesUnchecked` (only for one call of a backend with
 * `batchChecksPrices`, {@link canDeferPriceScan}: its threads check them before any work).
 */
export async function runBatch(
  backend: Backend,
  series: readonly Float64Array[],
  config: ResolvedAtcConfig,
  options: BatchOptions,
  pool: () => Promise<WorkerPool | undefined>,
  pricesUnchecked = false,
): Promise<Float64Array[]> {
  const total = series.length;
  const threads = Math.max(1, Math.min(options.threads ?? (await defaultThreads()), total));
  if (backend.computeAtcBatch) {
    // A turn of the event loop first: Node runs the finalizers of garbage-collected external
    // buffers there, which hands earlier batches' output memory back to the backend's pool
    // (`batchOutputs`) before this batch takes from it.
    if (backend.batchOutputs && typeof setImmediate === 'function') await yieldTurn();
    return runNative(backend, series, config, threads, options.onProgress, pricesUnchecked);
  }
  const progress = options.onProgress ?? (() => {});
  const workers = threads > 1 ? await pool() : undefined;
  if (!workers) {
    return series.map((prices, i) => {
      const outputs = computeHere(backend, prices, config, i);
      progress(i + 1, total);
      return outputs;
    });
  }
  return runInPool(workers, backend, series, config, threads, progress);
}

/** Series `index` computed on this thread into `outputs` (new when not given). */
function computeHere(backend: Backend, prices: Float64Array, config: ResolvedAtcConfig, index: number, outputs?: Float64Array): Float64Array {
  const buffers = outputs ? allocateBuffers(0, false, outputs) : allocateBuffers(outputBars(config, prices.length), false);
  try {
    runPipeline(backend, prices, config, buffers, label(index));
  } catch (error) {
    if (error instanceof AtcError) throw error;
    throw new AtcError(`computeBatch failed on ${label(index)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return buffers.outputs;
}

/**
 * True when `computeBatch` may leave the price scan to the backend's threads: a backend that
 * checks prices in its batch (`batchChecksPrices`), called once (no `onProgress`, which splits
 * the batch into several calls: the first would compute before the last series was checked).
 */
export function canDeferPriceScan(backend: Backend, options: BatchOptions): boolean {
  return backend.computeAtcBatch !== undefined && backend.batchChecksPrices === true && options.onProgress === undefined;
}

/** The error `toPrices` throws for series `index`, which the backend refused for a bad price. */
function priceError(series: readonly Float64Array[], index: number): Error {
  try {
    toPrices(label(index), series[index]);
  } catch (error) {
    return error as Error;
  }
  return new AtcError(`computeBatch: the backend refused the prices of ${label(index)}, which core accepts`);
}

function runNative(
  backend: Backend,
  series: readonly Float64Array[],
  config: ResolvedAtcConfig,
  threads: number,
  progress: ((done: number, total: number) => void) | undefined,
  pricesUnchecked: boolean,
): Float64Array[] {
  const total = series.length;
  // Every value is written by the kernel (or the batch throws and nothing is returned).
  const outputs = packedOutputs(backend, series, config);
  const buffers = outputs.map((o) => allocateBuffers(0, false, o));
  // One call (its Rust threads balance the series through an atomic index); with onProgress,
  // four calls with a report after each, every call still long enough for all threads.
  const chunk = progress ? Math.max(NATIVE_CHUNK, Math.ceil(total / 4)) : total;
  for (let start = 0; start < total; start += chunk) {
    const end = Math.min(total, start + chunk);
    const nonFinite = backend.computeAtcBatch!(series.slice(start, end), config, buffers.slice(start, end), threads, pricesUnchecked);
    // (only when asked to check prices: nothing was computed, series[start + nonFinite] is bad)
    if (typeof nonFinite === 'number') throw priceError(series, start + nonFinite);
    // The backend's threads ran the growth check: rescan only what they reported (to throw
    // the same error as `compute`); without a report, scan everything here.
    for (let i = start; i < end; i++) {
      if (!nonFinite || !(nonFinite[i - start]! < 0)) requireFiniteOutputs(outputs[i]!, outputBars(config, series[i]!.length), config, label(i));
    }
    progress?.(end, total);
  }
  return outputs;
}

/**
 * Uninitialised output arrays for every series, consecutive views of a few shared buffers of
 * at most {@link MAX_CHUNK_VALUES} values (one allocation per ~50 series of 1,500 bars instead
 * of one each; a result keeps only its buffer alive, as with the worker chunks), from the
 * backend's reused memory when it has some (`batchOutputs`).
 */
function packedOutputs(backend: Backend, series: readonly Float64Array[], config: ResolvedAtcConfig): Float64Array[] {
  const sizes = series.map((s) => OUTPUT_ROWS * outputBars(config, s.length));
  const out: Float64Array[] = [];
  for (let start = 0; start < sizes.length; ) {
    let end = start + 1;
    let values = sizes[start]!;
    while (end < sizes.length && values + sizes[end]! <= MAX_CHUNK_VALUES) values += sizes[end++]!;
    const bytes = values * Float64Array.BYTES_PER_ELEMENT;
    const buffer = (bytes > 0 && backend.batchOutputs?.(bytes)) || outputsBuffer(backend, bytes);
    for (let i = start, at = 0; i < end; at += sizes[i++]!) out.push(new Float64Array(buffer, at * Float64Array.BYTES_PER_ELEMENT, sizes[i]!));
    start = end;
  }
  return out;
}

/**
 * The outputs of series `[start, end)` as consecutive views of `buffer` (a worker's reply), or
 * of a new uninitialised buffer for `backend` when `buffer` is undefined.
 */
function viewsOf(buffer: ArrayBuffer | undefined, series: readonly Float64Array[], start: number, end: number, config: ResolvedAtcConfig, backend?: Backend): Float64Array[] {
  const sizes = series.slice(start, end).map((s) => OUTPUT_ROWS * outputBars(config, s.length));
  const into = buffer ?? outputsBuffer(backend!, sizes.reduce((a, b) => a + b, 0) * Float64Array.BYTES_PER_ELEMENT);
  const views: Float64Array[] = [];
  let at = 0;
  for (const size of sizes) {
    views.push(new Float64Array(into, at * Float64Array.BYTES_PER_ELEMENT, size));
    at += size;
  }
  return views;
}

/**
 * Copies series `[start, end)` into one buffer — `reuse` (a buffer an earlier chunk's reply
 * handed back) when it is large enough, else a new one — and allocates the buffer for their
 * outputs (both transferred; the caller's arrays stay theirs).
 */
function pack(backend: Backend, series: readonly Float64Array[], start: number, end: number, config: ResolvedAtcConfig, reuse: ArrayBuffer | undefined): Omit<ChunkTask, 'id'> {
  const lengths = series.slice(start, end).map((s) => s.length);
  const count = lengths.reduce((a, b) => a + b, 0);
  const bytes = count * Float64Array.BYTES_PER_ELEMENT;
  // (the worker reads exactly `lengths` values: the rest of a larger reused buffer is ignored)
  const prices = reuse && reuse.byteLength >= bytes ? new Float64Array(reuse, 0, count) : new Float64Array(count);
  let at = 0;
  let values = 0;
  for (let i = start; i < end; i++) {
    prices.set(series[i]!, at);
    at += series[i]!.length;
    values += OUTPUT_ROWS * outputBars(config, series[i]!.length);
  }
  return { first: start, lengths, prices, config, outputs: outputsBuffer(backend, values * Float64Array.BYTES_PER_ELEMENT) };
}

function replyError(reply: ChunkReply): AtcError {
  const refused = reply.inputError;
  if (refused) return new AtcInputError(refused.code, refused.field, refused.message, refused.index);
  return new AtcError(`batch worker failed on ${label(reply.failed!)}: ${reply.error}`);
}

/** Lets the event loop run (worker replies, the next chunk's dispatch) between series computed here. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Longest stretch of computing on the calling thread between two turns of its event loop. */
const CALLER_SLICE_MS = 1;

async function runInPool(
  pool: WorkerPool,
  backend: Backend,
  series: readonly Float64Array[],
  config: ResolvedAtcConfig,
  threads: number,
  progress: (done: number, total: number) => void,
): Promise<Float64Array[]> {
  const total = series.length;
  const outputs = new Array<Float64Array>(total);
  const queue = new ChunkQueue(series, config, threads);
  let failure: unknown;
  let done = 0;
  const finished = (start: number, end: number) => {
    done += end - start;
    try {
      progress(done, total);
    } catch (error) {
      failure ??= error;
    }
  };

  // Packing buffers handed back by the workers, reused for the next chunks: a batch allocates
  // about one per chunk in flight instead of one per chunk.
  const spare: ArrayBuffer[] = [];
  const serve = async (worker: PoolWorker) => {
    for (let chunk = queue.take(); chunk && failure === undefined; chunk = queue.take()) {
      const [start, end] = chunk;
      const task = pack(backend, series, start, end, config, spare.pop());
      let reply: ChunkReply;
      try {
        reply = await worker.run<ChunkReply>(task, [task.prices.buffer as ArrayBuffer, task.outputs]);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        const which = end - start === 1 ? label(start) : `${label(start)}…${label(end - 1)}`;
        failure ??= new AtcError(`batch worker died while computing ${which}: ${detail}`, { cause: error });
        return;
      }
      if (reply.prices) spare.push(reply.prices);
      if (!reply.outputs) {
        failure ??= replyError(reply);
        return;
      }
      viewsOf(reply.outputs, series, start, end, config).forEach((view, k) => (outputs[start + k] = view));
      finished(start, end);
    }
  };

  // The calling thread is one of the `threads`: it takes chunks from the same queue and
  // computes them in place (no copy, no message), returning to its event loop at least every
  // CALLER_SLICE_MS so the workers' replies are taken and their next chunks sent without delay.
  const computeOnCaller = async (first: [number, number] | undefined) => {
    let slice = performance.now();
    for (let chunk = first; chunk && failure === undefined; chunk = queue.take()) {
      const [start, end] = chunk;
      const views = viewsOf(undefined, series, start, end, config, backend);
      for (let i = start; i < end; i++) {
        try {
          computeHere(backend, series[i]!, config, i, views[i - start]);
        } catch (error) {
          failure ??= error;
          return;
        }
        if (performance.now() - slice >= CALLER_SLICE_MS) {
          await yieldTurn();
          if (failure !== undefined) return;
          slice = performance.now();
        }
      }
      views.forEach((view, k) => (outputs[start + k] = view));
      finished(start, end);
    }
  };

  // Two chunks in flight per worker: the next one is already queued when a worker posts its
  // reply, so it never waits for this thread while this thread computes its own share. Every
  // worker's first chunk goes out first, then this thread takes its own, then the second ones.
  const workers = pool.take(threads - 1);
  const loops = workers.map(serve);
  const own = queue.take();
  loops.push(...workers.map(serve), computeOnCaller(own));
  await Promise.all(loops);
  if (failure !== undefined) throw failure;
  return outputs;
}
