import type { DistributedScanInput, ScanReport } from '@adaptive-trend/cluster';
import type { ResolvedAtcConfig } from '@adaptive-trend/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Progress } from '../progress.js';
import { clusterCall } from './cluster-errors.js';
import { addQueueOption } from './worker.js';

/** `scan`'s flags for a distributed run. */
export interface ScanQueueOptions {
  queue?: string;
  shared?: string;
  chunkSize: number;
  runId?: string;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || value.trim() === '') throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  return n;
}

/** Adds `--queue`, `--shared`, `--chunk-size`, `--run-id` to `scan`. */
export function addScanQueueOptions(scan: Command): Command {
  return addQueueOption(scan, false)
    .option('--shared <dir>', 'with --queue: the directory the workers see as their --root; they read the files themselves (else this machine reads them and sends the prices)')
    .addOption(new Option('--chunk-size <n>', 'with --queue: series per job').argParser(positiveInteger).default(50))
    .option('--run-id <id>', 'with --queue: name of the run (rerunning with the same id reuses the chunks already done)');
}

/** Whether the workers read the files (`--queue --shared DIR`, files not an exchange): then this machine does not. */
export function workersReadFiles(options: ScanQueueOptions, fromExchange: boolean): boolean {
  return options.queue !== undefined && options.shared !== undefined && !fromExchange;
}

/**
 * The scan's report computed by workers: `inputs` are the loaded series (the CLI's
 * `ScanInput`s) or, when {@link workersReadFiles}, `{ file }` for each file.
 */
export function scanOnQueue(
  inputs: readonly DistributedScanInput[],
  options: ScanQueueOptions & { queue: string; minSignal: number; top?: number; source: string; closedOnly?: boolean },
  config: ResolvedAtcConfig,
  progress: Progress,
): Promise<ScanReport> {
  return clusterCall(({ distributedScan }) =>
    distributedScan({
      queue: options.queue,
      inputs,
      options: {
        config,
        minSignal: options.minSignal,
        ...(options.top === undefined ? {} : { top: options.top }),
        source: options.source,
        closedOnly: options.closedOnly === true,
        chunkSize: options.chunkSize,
        ...(options.shared ? { root: options.shared } : {}),
        ...(options.runId ? { runId: options.runId } : {}),
        onProgress: (done, total) => progress.update('chunks', done, total),
      },
    }),
  );
}
