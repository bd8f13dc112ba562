// The producer's side of a run: enqueue one job per chunk under ids derived from (run id,
// chunk), then wait for each job's return value. A run ends complete, or with a ClusterError
// saying why it cannot — never with a silently partial result.
import { randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type QueueAddress, checkRedis, describeRedisError, parseQueueUrl } from './connection.js';
import { ClusterError } from './errors.js';
import type { ClusterJob } from './payload.js';
import { sleep, withTimeout } from './time.js';

/** How a distributed run is enqueued and awaited. */
export interface RunOptions {
  /**
   * Names the run's jobs (`<task>.<runId>.<chunk>`). Enqueueing the same run id again adds no
   * job that exists already: a producer restarted with the same id picks up the results of
   * chunks already done. Default: a random id (a fresh run).
   */
  runId?: string;
  /** Attempts per chunk before it lands in `errors` (default 3). */
  attempts?: number;
  /** First retry delay, doubled per attempt (default 1000 ms). */
  backoffMs?: number;
  /** How long Redis may be unreachable before the run fails (default 30 000 ms). */
  redisDownMs?: number;
  /** Fail the run when it has not finished after this long (default: wait for workers forever). */
  timeoutMs?: number;
  /**
   * Jobs in Redis at once, not yet collected (default 256): the rest are built and enqueued as
   * chunks finish, so a run of 10⁴ jobs holds neither all its payloads in this process nor in Redis.
   */
  window?: number;
  /** Seconds a finished job (payload and result) stays in Redis for a producer rerun with the same id (default 3600). */
  keepSeconds?: number;
  /** Polling period of the unfinished chunks' states (default 250 ms). */
  pollMs?: number;
  /** Completed chunks so far, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/** A chunk's return value, or why it failed after its attempts. */
export type ChunkOutcome<T> = { value: T } | { error: string };

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `<task>.<runId>.<chunk>` (BullMQ refuses `:` in ids, and a bare number would clash with its own ids). */
export function jobId(task: string, runId: string, chunk: number): string {
  return `${task}.${runId}.${chunk}`;
}

/** The address of `queue` (a URL, or one parsed already). */
export function addressOf(queue: string | QueueAddress): QueueAddress {
  return typeof queue === 'string' ? parseQueueUrl(queue) : queue;
}

/**
 * Enqueues the `count` jobs `job(0)`, `job(1)`, … (built when their turn comes, at most
 * `window` waiting at once) and resolves with each chunk's outcome, in order.
 * @throws {@link ClusterError} when Redis refuses or stays unreachable, a job disappears
 * (Redis restarted without persistence), or `timeoutMs` passes.
 */
export async function runChunks<T>(queue: string | QueueAddress, task: 'scan' | 'sweep', count: number, job: (chunk: number) => ClusterJob, options: RunOptions = {}): Promise<ChunkOutcome<T>[]> {
  const address = addressOf(queue);
  const runId = options.runId ?? randomUUID();
  if (!RUN_ID.test(runId)) throw new ClusterError('--run-id must be 1–64 letters, digits, _ or -');
  await checkRedis(address);
  // Our own client, so that we can drop it whatever state Redis is in (BullMQ's close() waits
  // for a connection that may never come back); a command fails after one retry instead of
  // waiting in ioredis' queue, and the loop below decides how long Redis may be gone.
  const client = new Redis({ ...address.redis, maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  client.on('error', () => {}); // connection errors surface through the calls below
  const q = new Queue(address.name, { connection: client });
  q.on('error', () => {});
  const keep = { age: options.keepSeconds ?? 3_600 };
  const opts = { attempts: options.attempts ?? 3, backoff: { type: 'exponential', delay: options.backoffMs ?? 1_000 }, removeOnComplete: keep, removeOnFail: keep };
  const ids = Array.from({ length: count }, (_, chunk) => jobId(task, runId, chunk));
  let added = 0;
  const enqueue = async (collected: number) => {
    const until = Math.min(count, collected + (options.window ?? 256));
    if (added >= until) return;
    await q.addBulk(Array.from({ length: until - added }, (_, k) => ({ name: task, data: job(added + k), opts: { ...opts, jobId: ids[added + k]! } })));
    added = until;
  };
  try {
    return await waitForChunks<T>(q, address, ids, enqueue, () => added, { ...options, redisDownMs: options.redisDownMs ?? 30_000 });
  } catch (error) {
    if (error instanceof ClusterError) throw error;
    throw describeRedisError(address, error);
  } finally {
    await withTimeout(q.close(), 2_000).catch(() => {});
    client.disconnect(); // stops reconnecting, whatever close() managed
  }
}

async function waitForChunks<T>(
  q: Queue,
  address: QueueAddress,
  ids: readonly string[],
  enqueue: (collected: number) => Promise<void>,
  added: () => number,
  options: RunOptions & { redisDownMs: number },
): Promise<ChunkOutcome<T>[]> {
  const outcomes: (ChunkOutcome<T> | undefined)[] = ids.map(() => undefined);
  const started = Date.now();
  let done = 0;
  let lastAnswer = Date.now();
  options.onProgress?.(0, ids.length);
  while (done < ids.length) {
    try {
      // A round waits at most until Redis has been silent for redisDownMs (ioredis would queue
      // the commands and retry them for minutes).
      const limit = Math.max(100, options.redisDownMs - (Date.now() - lastAnswer));
      const round = async () => {
        await enqueue(done);
        const pending: number[] = [];
        for (let i = 0; i < added(); i++) if (!outcomes[i]) pending.push(i);
        return { pending, states: await Promise.all(pending.map((i) => chunkState<T>(q, ids[i]!))) };
      };
      const { pending, states } = await withTimeout(round(), limit);
      lastAnswer = Date.now();
      states.forEach((state, k) => {
        if (state === 'missing') {
          throw new ClusterError(`job ${ids[pending[k]!]} is missing from Redis at ${address.display} (restarted without persistence, or removed): the run is incomplete (${done} of ${ids.length} chunks); rerun it`);
        }
        if (state !== undefined) {
          outcomes[pending[k]!] = state;
          done++;
        }
      });
      if (states.some((s) => s !== undefined)) options.onProgress?.(done, ids.length);
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      if (Date.now() - lastAnswer >= options.redisDownMs) {
        throw new ClusterError(`${describeRedisError(address, error, options.redisDownMs).message}; unreachable for more than ${Math.round(options.redisDownMs / 1000)} s: the run is incomplete (${done} of ${ids.length} chunks)`);
      }
    }
    if (done === ids.length) break;
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
      throw new ClusterError(`the run did not finish within ${Math.round(options.timeoutMs / 1000)} s (${done} of ${ids.length} chunks done): are workers running on ${address.display}?`);
    }
    await sleep(options.pollMs ?? 250);
  }
  return outcomes as ChunkOutcome<T>[];
}

/**
 * A job's outcome once final, `undefined` while it may still run, `'missing'` when Redis lost
 * it. Only the state is polled (a small script), and only the return value is read once done:
 * a job's hash also holds its payload (the chunk's prices), which the producer never reloads.
 */
async function chunkState<T>(q: Queue, id: string): Promise<ChunkOutcome<T> | undefined | 'missing'> {
  const state = await q.getJobState(id);
  if (state === 'unknown') return 'missing';
  if (state === 'completed') {
    const raw = await (await q.client).hget(q.toKey(id), 'returnvalue');
    return raw === null ? 'missing' : { value: JSON.parse(raw) as T };
  }
  if (state === 'failed') {
    const job = await Job.fromId(q, id);
    if (!job) return 'missing';
    return { error: `failed after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'}: ${job.failedReason}` };
  }
  return undefined;
}
