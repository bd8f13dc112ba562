// The persistent worker_threads pool behind `engine.computeBatch` on backends without their own
// threads (js, wasm). Node-only: browsers resolve `#worker-pool` to worker-pool.browser.ts
// (package.json "imports"), so no bundler ever sees `node:worker_threads` or the worker script.
//
// Each worker loads the engine's backend module once (batch-worker.ts) and then serves any
// number of chunk messages. A worker is `unref()`ed whenever it has nothing to do, so an idle
// pool never keeps the process alive; `close()` terminates it. A worker that dies (uncaught
// error, exit) rejects what it was running and is replaced by a fresh one on the next `take`.
import { Worker } from 'node:worker_threads';
import { AtcError } from './errors.js';

/** What every worker of a pool is started with (batch-worker.ts reads it as `workerData`). */
export interface WorkerSpec {
  /** URL of a module exporting `backendFactory`. */
  readonly moduleUrl: string;
  /** Structured-clonable options for that factory's `load`. */
  readonly loadOptions: unknown;
}

/** Every reply of a pooled worker carries the `id` of the message it answers. */
export interface WorkerReply {
  readonly id: number;
}

const WORKER_SCRIPT = new URL('./batch-worker.js', import.meta.url);

/**
 * The parent's Node flags minus `--input-type`, which a worker started from a file refuses
 * (a `node --input-type=module -e …` script would otherwise get workers that die at once).
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--input-type') i++;
    else if (!argv[i]!.startsWith('--input-type=')) out.push(argv[i]!);
  }
  return out;
}

/**
 * A worker with the parent's flags, minus those Node refuses for a worker: per-process and V8
 * flags such as `--max-old-space-size=4096`, `--expose-gc` or `--trace-gc` make `new Worker`
 * throw ERR_WORKER_INVALID_EXEC_ARGV, listing them; they apply to the whole process anyway.
 */
function startWorker(spec: WorkerSpec): Worker {
  const execArgv = workerExecArgv();
  try {
    return new Worker(WORKER_SCRIPT, { workerData: spec, execArgv });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    const refused = new Set(String((error as Error).message).replace(/^[^:]*:\s*/, '').split(', '));
    return new Worker(WORKER_SCRIPT, { workerData: spec, execArgv: execArgv.filter((flag) => !refused.has(flag)) });
  }
}

/** One pooled thread; answers each `run` message with exactly one reply. */
export class PoolWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  #death: Error | undefined;

  constructor(spec: WorkerSpec) {
    this.#worker = startWorker(spec);
    this.#worker.on('message', (reply: WorkerReply) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      waiting.resolve(reply);
    });
    this.#worker.on('error', (error) => this.#die(error));
    this.#worker.on('exit', (code) => this.#die(new Error(`the worker thread exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker's port again, and a
    // worker that never got a task would then keep the process alive.
    this.#worker.unref();
  }

  /** Node's id of the thread (distinct for every worker a process ever starts). */
  get threadId(): number {
    return this.#worker.threadId;
  }

  /** False once the thread died or was terminated. */
  get alive(): boolean {
    return this.#death === undefined;
  }

  /** Posts `message` (its `id` is set here) and resolves with the worker's reply to it. */
  run<R extends WorkerReply>(message: object, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.#death) return Promise.reject(this.#death);
    const id = this.#nextId++;
    return new Promise<R>((resolve, reject) => {
      // Keep the process alive while an answer is owed, not longer.
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve: resolve as (reply: WorkerReply) => void, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Stops the thread; anything still running is rejected. */
  async terminate(): Promise<void> {
    this.#die(new Error('the worker pool was closed'));
    await this.#worker.terminate();
  }

  #die(error: Error): void {
    this.#death ??= error;
    for (const waiting of this.#pending.values()) waiting.reject(this.#death);
    this.#pending.clear();
  }
}

/**
 * Worker threads for one backend, started on demand and reused by every later batch.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ moduleUrl: backend.workerModule, loadOptions: backend.workerLoadOptions });
 * const [a, b] = pool.take(2);
 * await Promise.all([a.run(taskA), b.run(taskB)]);
 * await pool.close();
 * ```
 */
export class WorkerPool {
  readonly #spec: WorkerSpec;
  #workers: PoolWorker[] = [];
  #closed = false;

  constructor(spec: WorkerSpec) {
    this.#spec = spec;
  }

  /**
   * `count` live workers: the pool's own, with dead ones replaced and more started if needed.
   * @throws {@link AtcError} once the pool is closed (the engine opens a new one).
   */
  take(count: number): PoolWorker[] {
    if (this.#closed) throw new AtcError('the computeBatch worker pool was closed (engine.close()) while the batch started');
    this.#workers = this.#workers.filter((w) => w.alive);
    while (this.#workers.length < count) this.#workers.push(new PoolWorker(this.#spec));
    return this.#workers.slice(0, count);
  }

  /** Thread ids of the live workers (diagnostics and tests). */
  get threadIds(): number[] {
    return this.#workers.filter((w) => w.alive).map((w) => w.threadId);
  }

  /** Terminates every worker, for good: `take` refuses from now on. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Node has worker_threads: a pool can be opened. */
export const canOpenWorkerPool = true;
