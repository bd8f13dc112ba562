import type { CreateAtcOptions } from '@adaptive-trend/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { engineFor } from '../engine.js';
import { type InputOptions, addInputOptions } from '../options.js';
import { loadScanInput } from '../scan-load.js';
import { clusterCall } from './cluster-errors.js';

export interface WorkerCommandOptions extends InputOptions {
  queue: string;
  concurrency: number;
  threads?: number;
  root?: string;
}

/**
 * `adaptive-trend worker --queue redis://HOST:PORT [--root DIR] [--concurrency N]`: takes scan
 * and sweep chunks off the queue until SIGINT / SIGTERM, then finishes the jobs in hand. Logs
 * one line per job on stderr (never the password).
 */
export async function workerCommand(options: WorkerCommandOptions, defaults: CreateAtcOptions): Promise<number> {
  const engine = await engineFor(options, defaults);
  const worker = await clusterCall(({ runWorker }) =>
    runWorker({
      queue: options.queue,
      concurrency: options.concurrency,
      ...(options.threads ? { threads: options.threads } : {}),
      engine,
      ...(options.root ? { root: options.root, reader: { loadScanInput } } : {}),
      log: (line) => console.error(`adaptive-trend worker: ${line}`),
    }),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  console.error('adaptive-trend worker: finishing the jobs in hand');
  await worker.close();
  // A worker ends here: sockets to a Redis that is gone would otherwise keep retrying (and the
  // process alive).
  process.exit(0);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || value.trim() === '') throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  return n;
}

/**
 * `--queue URL`. The worker's is required and may come from ATC_QUEUE (help shows the
 * variable's name, never its value); scan's and sweep's are explicit (without it they run here).
 */
export function addQueueOption(command: Command, worker: boolean): Command {
  const about = `${worker ? '' : 'compute through workers on this '}Redis job queue: redis://[:PASSWORD@]HOST:PORT[/DB][?name=QUEUE] or rediss://… (TLS); prefer ATC_REDIS_PASSWORD to a password in the URL`;
  const option = new Option('--queue <url>', about);
  if (worker) option.env('ATC_QUEUE').makeOptionMandatory();
  return command.addOption(option);
}

/** Adds `adaptive-trend worker`. */
export function addWorkerCommand(program: Command, defaults: CreateAtcOptions, setExitCode: (code: number) => void): Command {
  const worker = program
    .command('worker')
    .description('take scan and sweep jobs off a Redis queue (BullMQ) and compute them; run as many as you like, on any machine that reaches Redis')
    .option('--root <dir>', 'directory this worker may read files under (jobs of `scan --queue --shared DIR` name files relative to it); nothing outside it is read')
    .addOption(new Option('--concurrency <n>', 'jobs at once in this process').argParser(positiveInteger).default(1))
    .addOption(new Option('--threads <n>', "threads of each job's computeBatch (default: all cores; 1 when running one worker per core)").argParser(positiveInteger))
    .action(async (options: WorkerCommandOptions) => {
      setExitCode(await workerCommand(options, defaults));
    });
  addInputOptions(addQueueOption(worker, true));
  worker.addHelpText('after', `
Examples:
  ATC_REDIS_PASSWORD=… adaptive-trend worker --queue redis://10.0.0.5:6379
  ATC_REDIS_PASSWORD=… adaptive-trend worker --queue rediss://redis.internal:6380 --root /mnt/candles --concurrency 2`);
  return worker;
}
