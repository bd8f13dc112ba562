// `scan --queue`: the local scan's report, computed by workers.
import { type AtcConfigInput, type ResolvedAtcConfig, resolveConfig } from '@adaptive-trend/core';
import type { SeriesInput, ScanChunkResult } from './chunk.js';
import type { QueueAddress } from './connection.js';
import { ClusterError } from './errors.js';
import { type JobInput, JOB_FORMAT, type ScanJob, configObject, encodePrices } from './payload.js';
import { type RunOptions, runChunks } from './producer.js';
import { relativeToRoot } from './root.js';
import { type ScanReport, type ScanRow, rank } from './scan-report.js';

/** A scan input: loaded by the producer (the CLI's `ScanInput`), or a file for the workers to read. */
export type DistributedScanInput = SeriesInput | { file: string };

export interface DistributedScanOptions extends RunOptions {
  /** The scan's config (resolved by the producer: a bad config stops the run before any job). */
  config?: AtcConfigInput | ResolvedAtcConfig;
  minSignal: number;
  top?: number;
  /**
   * The shared directory as this machine sees it. Needed for `{ file }` inputs: jobs carry
   * their paths relative to it, and each worker reads them under its own `--root`.
   */
  root?: string;
  /** For `{ file }` inputs: the price column (default close). */
  source?: string;
  /** For `{ file }` inputs: drop a still-forming last candle. */
  closedOnly?: boolean;
  /** Series per job (default 50). */
  chunkSize?: number;
}

/** Splits `items` into chunks of `size` (the last may be shorter). */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new ClusterError('--chunk-size must be a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type Pending = { file: string; index: number };

/** The job input of one chunk: series (all sent) or files (all read by workers) — never mixed. */
export function jobInput(chunk: readonly DistributedScanInput[], options: { root?: string; source?: string; closedOnly?: boolean }): JobInput {
  if (chunk.every((c) => 'prices' in c)) {
    return {
      kind: 'series',
      series: chunk.map((c) => {
        const s = c as Extract<SeriesInput, { prices: Float64Array }>;
        return { file: s.file, ...(s.symbol === undefined ? {} : { symbol: s.symbol }), prices: encodePrices(s.prices), lastClose: s.lastClose };
      }),
    };
  }
  if (options.root === undefined) throw new ClusterError('file inputs need root: the shared directory workers read under their --root');
  return { kind: 'files', files: chunk.map((c) => relativeToRoot(options.root!, c.file)), source: options.source ?? 'close', closedOnly: options.closedOnly === true };
}

/**
 * The local scan's report (`{ long, short, errors }`, same rows, same order), with the
 * computation split into jobs for workers started with {@link runWorker}. Inputs that failed
 * to load on this machine go straight to `errors`; a chunk that still fails after its attempts
 * puts each of its files in `errors` with the reason.
 *
 * @example
 * ```ts
 * const report = await distributedScan({
 *   queue: 'redis://127.0.0.1:6379', // password from ATC_REDIS_PASSWORD
 *   inputs: ['/mnt/candles/BTC.csv', '/mnt/candles/ETH.csv'].map((file) => ({ file })),
 *   options: { root: '/mnt/candles', minSignal: 0, config: { lambda: 0.02 } }, // workers: --root (their mount of it)
 * });
 * ```
 */
export async function distributedScan({ queue, inputs, options }: { queue: string | QueueAddress; inputs: readonly DistributedScanInput[]; options: DistributedScanOptions }): Promise<ScanReport> {
  const config = resolveConfig(options.config);
  const loadErrors: ({ index: number } & ScanReport['errors'][number])[] = [];
  const sendable: (DistributedScanInput & { index: number })[] = [];
  inputs.forEach((input, index) => {
    if ('message' in input) loadErrors.push({ index, file: input.file, message: input.message });
    else sendable.push({ ...input, index });
  });
  // Series and files go in separate chunks (a job is one kind).
  const series = sendable.filter((s) => 'prices' in s);
  const files = sendable.filter((s) => !('prices' in s));
  const chunks = [...chunksOf(series, options.chunkSize ?? 50), ...chunksOf(files, options.chunkSize ?? 50)];
  const job = (c: number): ScanJob => ({ format: JOB_FORMAT, task: 'scan', config: configObject(config), input: jobInput(chunks[c]!, options) });
  if (files.length > 0) {
    if (options.root === undefined) throw new ClusterError('file inputs need root: the shared directory workers read under their --root');
    for (const f of files) relativeToRoot(options.root, f.file); // every path checked before the first job
  }
  const outcomes = chunks.length === 0 ? [] : await runChunks<ScanChunkResult>(queue, 'scan', chunks.length, job, options);
  const rows: (ScanRow & { index: number })[] = [];
  const computeErrors: typeof loadErrors = [];
  const chunkErrors: typeof loadErrors = [];
  outcomes.forEach((outcome, c) => {
    const chunk = chunks[c]!;
    if ('error' in outcome) {
      for (const input of chunk) chunkErrors.push({ index: input.index, file: input.file, message: `chunk ${c} ${outcome.error}` });
      return;
    }
    const items = outcome.value?.items;
    if (!Array.isArray(items) || items.length !== chunk.length) {
      for (const input of chunk) chunkErrors.push({ index: input.index, file: input.file, message: `chunk ${c}: the worker returned ${Array.isArray(items) ? items.length : 'no'} results for ${chunk.length} series` });
      return;
    }
    items.forEach((item, k) => {
      const input = chunk[k]!;
      if ('row' in item) rows.push({ ...item.row, index: input.index });
      else (item.computed ? computeErrors : loadErrors).push({ index: input.index, file: input.file, message: item.message });
    });
  });
  const byIndex = (a: { index: number }, b: { index: number }) => a.index - b.index;
  // The local scan's order: load errors, then computation errors, each in input order.
  const errors = [...loadErrors.sort(byIndex), ...computeErrors.sort(byIndex), ...chunkErrors.sort(byIndex)].map(({ file, message }) => ({ file, message }));
  const ordered = rows.sort(byIndex).map(({ index: _, ...row }) => row);
  return { ...rank(ordered, options.minSignal, options.top), errors };
}
