// One job's work, the same code whether a worker runs it or the local sweep does: load the
// chunk's series (sent in the job, or read under the worker's root), compute, and return only
// plain JSON (the job's return value).
import { accessSync, constants, statSync } from 'node:fs';
import { AtcError, type AtcEngine, type AtcResult, type ResolvedAtcConfig, firstInputBar } from '@adaptive-trend/core';
import { type BacktestScore, backtest } from './backtest.js';
import { InvalidJobError } from './errors.js';
import { type ConfigObject, type JobInput, type ScanJob, type SweepJob, decodePrices } from './payload.js';
import { pathInRoot } from './root.js';
import { type LoadedSeries, type ScanRow, rowOf } from './scan-report.js';

/** A series that loaded, or why it did not (the CLI's `ScanInput`). */
export type SeriesInput = LoadedSeries | { file: string; message: string };

/**
 * How a worker reads a file job: the CLI's `loadScanInput` (parse, price source, validation),
 * given by whoever starts the worker, so the worker reads files exactly as the local scan does.
 */
export interface ScanReader {
  loadScanInput(file: string, options: { source: string; closedOnly: boolean; config: ResolvedAtcConfig }): SeriesInput | Promise<SeriesInput>;
}

/** What a chunk needs besides its payload. */
export interface ChunkContext {
  engine: AtcEngine;
  /** The worker's real `--root`; without it, file jobs are refused. */
  root?: string;
  reader?: ScanReader;
  /**
   * False while BullMQ will retry the job: a file that cannot be opened then fails the job
   * (a shared disk not mounted yet, a file still being copied); on the last attempt it lands in
   * the chunk's errors with the local scan's message, and the rest of the chunk completes.
   */
  finalAttempt: boolean;
  /**
   * Threads of each `computeBatch` (default: all cores). With several workers on one machine,
   * 1 each: the workers are the parallelism.
   */
  threads?: number;
}

/** One item of a scan job's return value, in the job's order (`computed`: it loaded, the computation refused it). */
export type ScanItem = { row: ScanRow } | { message: string; computed?: true };
export interface ScanChunkResult {
  items: ScanItem[];
}

/** One series of a sweep job: a score (or why not) per config of the job, or why it did not load. */
export type SweepItem = { scores: (BacktestScore | { message: string })[] } | { message: string };
export interface SweepChunkResult {
  items: SweepItem[];
}

/** The message of a per-series error without the file name in front (the report names the file). */
function messageOf(file: string, error: unknown): string {
  const message = (error as Error).message;
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

function resolveJobConfig(engine: AtcEngine, config: ConfigObject, where: string): ResolvedAtcConfig {
  try {
    return engine.resolveConfig(config);
  } catch (error) {
    if (error instanceof AtcError) throw new InvalidJobError(`${where}: ${error.message}`);
    throw error;
  }
}

async function loadInput(input: JobInput, config: ResolvedAtcConfig, context: ChunkContext): Promise<SeriesInput[]> {
  if (input.kind === 'series') {
    return input.series.map((item, i) => ({
      file: item.file,
      ...(item.symbol === undefined ? {} : { symbol: item.symbol }),
      prices: decodePrices(item.prices, `input.series[${i}].prices`),
      lastClose: item.lastClose,
    }));
  }
  const { root, reader } = context;
  if (root === undefined || reader === undefined) throw new InvalidJobError('this worker reads no files: start it with --root DIR to take file jobs');
  const paths = input.files.map((file) => pathInRoot(root, file)); // every path checked before any is read
  const loaded: SeriesInput[] = [];
  for (const [i, path] of paths.entries()) {
    const file = input.files[i]!;
    if (!context.finalAttempt) assertReadable(path, file);
    const series = await reader.loadScanInput(path, { source: input.source, closedOnly: input.closedOnly, config });
    loaded.push({ ...series, file }); // the job's name for it, not this machine's path
  }
  return loaded;
}

function assertReadable(path: string, file: string): void {
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  } catch (error) {
    throw new Error(`cannot read ${file} on this worker (${(error as { code?: string }).code ?? (error as Error).message}); retrying`);
  }
}

/**
 * Every loaded series of the chunk for one config: one `computeBatch`, and when the batch
 * refuses (one series' growth overflows, one too short for the config), each series alone.
 */
async function computeEach(engine: AtcEngine, loaded: LoadedSeries[], config: ResolvedAtcConfig, threads: number | undefined): Promise<(AtcResult | { message: string })[]> {
  if (loaded.length === 0) return [];
  try {
    return await engine.computeBatch(loaded.map((l) => l.prices), config, threads === undefined ? {} : { threads });
  } catch (error) {
    if (!(error instanceof AtcError)) throw error;
    return loaded.map((l) => {
      try {
        return engine.compute(l.prices, config);
      } catch (single) {
        if (!(single instanceof AtcError)) throw single;
        return { message: messageOf(l.file, single) };
      }
    });
  }
}

function isLoaded(input: SeriesInput): input is LoadedSeries {
  return 'prices' in input;
}

/** A scan job: each series' row (or why it failed), in the job's order. */
export async function runScanChunk(job: ScanJob, context: ChunkContext): Promise<ScanChunkResult> {
  const config = resolveJobConfig(context.engine, job.config, 'config');
  const inputs = await loadInput(job.input, config, context);
  const loaded = inputs.filter(isLoaded);
  const results = await computeEach(context.engine, loaded, config, context.threads);
  let next = 0;
  const items = inputs.map((input): ScanItem => {
    if (!isLoaded(input)) return { message: input.message };
    const result = results[next++]!;
    return 'message' in result ? { message: result.message, computed: true } : { row: rowOf(input, result) };
  });
  return { items };
}

/** A sweep job: each series × each config of the job, scored by {@link backtest}. */
export async function runSweepChunk(job: SweepJob, context: ChunkContext): Promise<SweepChunkResult> {
  const configs = job.configs.map((c, i) => resolveJobConfig(context.engine, c, `configs[${i}]`));
  // Files are read (and checked) once, with the first config's source checks.
  const inputs = await loadInput(job.input, configs[0]!, context);
  const loaded = inputs.filter(isLoaded);
  const scores: (BacktestScore | { message: string })[][] = loaded.map(() => []);
  for (const config of configs) {
    const results = await computeEach(context.engine, loaded, config, context.threads);
    const first = firstInputBar(config);
    results.forEach((result, s) => {
      scores[s]!.push('message' in result ? result : backtest(loaded[s]!.prices, result.averageSignal, first));
    });
  }
  let next = 0;
  return { items: inputs.map((input): SweepItem => (isLoaded(input) ? { scores: scores[next++]! } : { message: input.message })) };
}
