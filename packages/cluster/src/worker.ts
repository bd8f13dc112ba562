// `adaptive-trend worker --queue redis://…`: takes chunk jobs off the queue and returns their
// results through BullMQ. Many can run, on any machine that reaches Redis.
import { type AtcEngine, type BackendChoice, createAtc } from '@adaptive-trend/core';
import { type Job, Worker } from 'bullmq';
import { type ChunkContext, type ScanReader, runScanChunk, runSweepChunk } from './chunk.js';
import { type QueueAddress, checkRedis, redact } from './connection.js';
import { validateJob } from './payload.js';
import { addressOf } from './producer.js';
import { realRoot } from './root.js';
import { withTimeout } from './time.js';

export interface WorkerOptions {
  /** `redis://[:password@]host:port[/db][?name=queue]` or `rediss://…` (TLS). */
  queue: string | QueueAddress;
  /** Jobs this process runs at once (default 1: a chunk's batch already uses the backend's threads). */
  concurrency?: number;
  /** Threads of each chunk's `computeBatch` (default: all cores; 1 when you run one worker per core). */
  threads?: number;
  /** Backend to compute with (default auto); ignored when `engine` is given. */
  backend?: BackendChoice;
  /** The engine (the CLI passes the one its `--backend` chose). */
  engine?: AtcEngine;
  /**
   * Directory the worker may read files under (file jobs name paths relative to it); without
   * it, file jobs fail. Nothing outside it is read, symlinks included.
   */
  root?: string;
  /** Reads a file job's files (the CLI's `loadScanInput`); needed with `root`. */
  reader?: ScanReader;
  /**
   * How long a job's lock lasts without renewal (default 30 000 ms): after a worker dies, its
   * job goes back to the queue within about this long. Keep a chunk's compute well below it.
   */
  lockDurationMs?: number;
  /** One line per event (job taken, done, failed; connection trouble). Default: none. */
  log?: (line: string) => void;
}

/** A running worker. */
export interface RunningWorker {
  /**
   * Finishes the jobs in hand (for at most `lockDurationMs`), then disconnects. When Redis is
   * gone, sockets may keep retrying in the background: a worker process should exit after this.
   */
  close(): Promise<void>;
}

/**
 * Starts a worker: checks Redis (a wrong password is an error here, not a retry loop), then
 * takes jobs until {@link RunningWorker.close}. Every job payload is validated before anything
 * is computed; a malformed job fails alone, without retries, with the reason.
 *
 * @example
 * ```ts
 * const worker = await runWorker({ queue: 'redis://10.0.0.5:6379', root: '/data/candles', reader: { loadScanInput } });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export async function runWorker(options: WorkerOptions): Promise<RunningWorker> {
  const address = addressOf(options.queue);
  const log = options.log ?? (() => {});
  await checkRedis(address);
  if (!options.engine) await import('@adaptive-trend/backend-js'); // at least one backend registered
  const engine = options.engine ?? (await createAtc({ backend: options.backend ?? 'auto' }));
  const root = options.root === undefined ? undefined : realRoot(options.root);
  const lockDuration = options.lockDurationMs ?? 30_000;
  const processJob = async (job: Job) => {
    const attempts = job.opts.attempts ?? 1;
    log(`job ${job.id}: attempt ${job.attemptsMade + 1} of ${attempts}`);
    const data = validateJob(job.data);
    const context: ChunkContext = { engine, ...(root ? { root } : {}), ...(options.reader ? { reader: options.reader } : {}), finalAttempt: job.attemptsMade + 1 >= attempts, ...(options.threads ? { threads: options.threads } : {}) };
    const result = data.task === 'scan' ? await runScanChunk(data, context) : await runSweepChunk(data, context);
    log(`job ${job.id}: done`);
    return result;
  };
  const worker = new Worker(address.name, processJob, {
    connection: { ...address.redis, maxRetriesPerRequest: null },
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
    // A job whose worker died is retried; one that kills two workers is failed, not passed on forever.
    maxStalledCount: 2,
  });
  worker.on('failed', (job, error) => log(`job ${job?.id ?? '?'}: failed: ${redact(error.message, address)}`));
  let lastError = '';
  worker.on('error', (error) => {
    const line = redact(error.message, address);
    if (line !== lastError) log(`redis ${address.display}: ${line}`); // once per distinct error, not per reconnect
    lastError = line;
  });
  await worker.waitUntilReady();
  log(`worker ready on ${address.display} (backend ${engine.backend}, concurrency ${options.concurrency ?? 1}${root ? `, root ${root}` : ''})`);
  return {
    // The jobs in hand get a lock's duration to finish; then (or when Redis is gone and BullMQ's
    // close would wait for it) the worker is closed without waiting.
    close: async () => {
      try {
        await withTimeout(worker.close(), lockDuration);
      } catch {
        await withTimeout(worker.close(true), 2_000).catch(() => {});
      }
    },
  };
}
