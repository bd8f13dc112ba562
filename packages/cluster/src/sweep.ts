// `sweep <files…> --grid 'lambda=0.01,0.02' --grid 'robustness=Narrow,Wide'`: every config of the
// grid × every series, scored by the backtest; locally or through workers, with the same jobs.
import { basename, extname } from 'node:path';
import { AtcError, type AtcConfigInput, type AtcEngine, DEFAULT_CONFIG, ROBUSTNESS, SEMANTICS, createAtc, resolveConfig } from '@adaptive-trend/core';
import type { BacktestScore } from './backtest.js';
import { type ScanReader, type SweepChunkResult, runSweepChunk } from './chunk.js';
import type { QueueAddress } from './connection.js';
import { ClusterError } from './errors.js';
import { type ConfigObject, JOB_FORMAT, JOB_LIMITS, type SweepJob, configObject } from './payload.js';
import { type ChunkOutcome, type RunOptions, runChunks } from './producer.js';
import { realRoot, relativeToRoot } from './root.js';
import { type DistributedScanInput, chunksOf, jobInput } from './scan.js';

/** Most configs one grid may expand to. */
export const MAX_GRID = 1_000_000;

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The configs of `--grid key=v1,v2,…` flags: their cartesian product, the first flag varying
 * slowest. Keys are core's config keys (`lambda`, `ema-length` or `emaLength`, …); values are
 * typed by the key's default (numbers, `true`/`false`, names). Each config holds only the varied
 * keys; core validates the values when the sweep resolves them over the base config.
 *
 * @example
 * ```ts
 * parseGrid(['lambda=0.01,0.02', 'robustness=Narrow,Wide']);
 * // [{ lambda: 0.01, robustness: 'Narrow' }, { lambda: 0.01, robustness: 'Wide' }, { lambda: 0.02, … }, …]
 * ```
 */
export function parseGrid(specs: readonly string[]): ConfigObject[] {
  let configs: ConfigObject[] = [{}];
  const seen = new Set<string>();
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const key = camel(spec.slice(0, at).trim());
    if (at < 1 || !(key in DEFAULT_CONFIG)) throw new ClusterError(`--grid ${spec}: expected key=v1,v2,… with a config key (${Object.keys(DEFAULT_CONFIG).join(', ')})`);
    if (seen.has(key)) throw new ClusterError(`--grid: ${key} given twice`);
    seen.add(key);
    const values = spec.slice(at + 1).split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) throw new ClusterError(`--grid ${spec}: no values`);
    const typed = values.map((v) => gridValue(key, v, spec));
    if (configs.length * typed.length > MAX_GRID) throw new ClusterError(`--grid: more than ${MAX_GRID} configs`);
    configs = configs.flatMap((c) => typed.map((v) => ({ ...c, [key]: v })));
  }
  return configs;
}

function gridValue(key: string, value: string, spec: string): number | string | boolean {
  const kind = typeof DEFAULT_CONFIG[key as keyof typeof DEFAULT_CONFIG];
  if (kind === 'boolean') {
    if (value !== 'true' && value !== 'false') throw new ClusterError(`--grid ${spec}: ${key} takes true or false, got ${value}`);
    return value === 'true';
  }
  if (kind === 'number') {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new ClusterError(`--grid ${spec}: ${value} is not a number`);
    return n;
  }
  const choices: readonly string[] | undefined = key === 'robustness' ? ROBUSTNESS : key === 'semantics' ? SEMANTICS : undefined;
  if (choices && !choices.includes(value)) throw new ClusterError(`--grid ${spec}: ${key} is one of ${choices.join(', ')}, got ${value}`);
  return value;
}

/** One config's score over every series it computed on. */
export interface SweepConfigRow {
  /** Index into {@link SweepReport.grid}. */
  config: number;
  params: ConfigObject;
  /** Series scored (a config a series is too short for is not). */
  symbols: number;
  /** Mean over those series of the total return (summed in input order). */
  meanReturn: number;
  meanDrawdown: number;
  trades: number;
}

/** One series' best config: highest total return, then lowest drawdown, then first in the grid. */
export interface SweepSymbolRow extends BacktestScore {
  symbol: string;
  config: number;
  params: ConfigObject;
}

/** What `sweep --format json` prints. */
export interface SweepReport {
  /** The grid's configs (only the varied keys; the rest is the base config). */
  grid: ConfigObject[];
  /** Configs by mean return (best first), at most `top`. */
  overall: SweepConfigRow[];
  /** Each series' best config, in input order. */
  perSymbol: SweepSymbolRow[];
  errors: { file: string; message: string }[];
}

export interface SweepOptions extends RunOptions {
  /** The base config the grid varies (flags and `--config` of the CLI). */
  config?: AtcConfigInput;
  /** Rows of `overall` (default 10). */
  top?: number;
  /** For `{ file }` inputs (distributed only): see {@link DistributedScanOptions.root}. */
  root?: string;
  source?: string;
  closedOnly?: boolean;
  /** Series per job (default 50) and configs per job (default 100). */
  symbolsPerJob?: number;
  configsPerJob?: number;
  /** Local sweep only: threads of each `computeBatch` (default: all cores). */
  threads?: number;
}

interface SweepPlan {
  grid: ConfigObject[];
  /** Each series-chunk × config-chunk job: the input indices and the configs it covers (its payload is built when enqueued). */
  jobs: { inputs: number[]; firstConfig: number; configCount: number; job(): SweepJob }[];
}

function plan(inputs: readonly DistributedScanInput[], grid: readonly ConfigObject[], options: SweepOptions): SweepPlan {
  if (grid.length === 0) throw new ClusterError('sweep: the grid is empty');
  const base = options.config ?? {};
  const configs = grid.map((params, c) => {
    try {
      return configObject(resolveConfig({ ...base, ...params } as AtcConfigInput));
    } catch (error) {
      if (error instanceof AtcError) throw new ClusterError(`sweep: config ${c} (${JSON.stringify(params)}): ${error.message}`);
      throw error;
    }
  });
  const configsPerJob = Math.min(options.configsPerJob ?? 100, JOB_LIMITS.configs);
  const indexed = inputs.flatMap((input, index) => ('message' in input ? [] : [{ ...input, index }]));
  const seriesChunks = [...chunksOf(indexed.filter((s) => 'prices' in s), options.symbolsPerJob ?? 50), ...chunksOf(indexed.filter((s) => !('prices' in s)), options.symbolsPerJob ?? 50)];
  const configChunks = chunksOf(configs.map((c, i) => ({ c, i })), configsPerJob);
  for (const s of indexed) {
    if ('prices' in s) continue;
    if (options.root === undefined) throw new ClusterError('file inputs need root: the shared directory workers read under their --root');
    relativeToRoot(options.root, s.file); // every path checked before the first job
  }
  const jobs = seriesChunks.flatMap((chunk) =>
    configChunks.map((cs) => ({
      inputs: chunk.map((s) => s.index),
      firstConfig: cs[0]!.i,
      configCount: cs.length,
      job: (): SweepJob => ({ format: JOB_FORMAT, task: 'sweep', configs: cs.map((x) => x.c), input: jobInput(chunk, options) }),
    })),
  );
  return { grid: [...grid], jobs };
}

function symbolOf(input: DistributedScanInput): string {
  return 'symbol' in input && input.symbol !== undefined ? input.symbol : basename(input.file, extname(input.file));
}

function report(inputs: readonly DistributedScanInput[], { grid, jobs }: SweepPlan, outcomes: ChunkOutcome<SweepChunkResult>[], top: number): SweepReport {
  const scores: (BacktestScore | undefined)[][] = inputs.map(() => new Array<BacktestScore | undefined>(grid.length));
  const errors: { index: number; order: number; file: string; message: string }[] = [];
  inputs.forEach((input, index) => {
    if ('message' in input) errors.push({ index, order: -1, file: input.file, message: input.message });
  });
  outcomes.forEach((outcome, j) => {
    const { inputs: indices, firstConfig, configCount: count } = jobs[j]!;
    const range = count === grid.length ? '' : `configs ${firstConfig}–${firstConfig + count - 1}: `;
    const items = 'value' in outcome ? outcome.value?.items : undefined;
    if (!Array.isArray(items) || items.length !== indices.length) {
      const why = 'error' in outcome ? outcome.error : 'the worker returned a result of the wrong size';
      for (const index of indices) errors.push({ index, order: firstConfig, file: inputs[index]!.file, message: `${range}chunk ${j} ${why}` });
      return;
    }
    items.forEach((item, k) => {
      const index = indices[k]!;
      if ('message' in item) {
        if (firstConfig === 0) errors.push({ index, order: -1, file: inputs[index]!.file, message: item.message }); // once, not per config chunk
        return;
      }
      item.scores.forEach((score, c) => {
        if ('message' in score) errors.push({ index, order: firstConfig + c, file: inputs[index]!.file, message: `config ${firstConfig + c}: ${score.message}` });
        else scores[index]![firstConfig + c] = score;
      });
    });
  });
  const perSymbol: SweepSymbolRow[] = [];
  inputs.forEach((input, index) => {
    let best = -1;
    scores[index]!.forEach((s, c) => {
      const b = best < 0 ? undefined : scores[index]![best]!;
      if (s && (!b || s.totalReturn > b.totalReturn || (s.totalReturn === b.totalReturn && s.maxDrawdown < b.maxDrawdown))) best = c;
    });
    if (best >= 0) perSymbol.push({ symbol: symbolOf(input), config: best, params: grid[best]!, ...scores[index]![best]! });
  });
  const overall: SweepConfigRow[] = grid.map((params, c) => {
    let symbols = 0;
    let sumReturn = 0;
    let sumDrawdown = 0;
    let trades = 0;
    for (const row of scores) {
      const s = row[c];
      if (!s) continue;
      symbols++;
      sumReturn += s.totalReturn;
      sumDrawdown += s.maxDrawdown;
      trades += s.trades;
    }
    return { config: c, params, symbols, meanReturn: symbols ? sumReturn / symbols : NaN, meanDrawdown: symbols ? sumDrawdown / symbols : NaN, trades };
  });
  const ranked = overall
    .filter((r) => r.symbols > 0)
    .sort((a, b) => b.meanReturn - a.meanReturn || a.meanDrawdown - b.meanDrawdown || a.config - b.config)
    .slice(0, top);
  errors.sort((a, b) => a.index - b.index || a.order - b.order);
  return { grid: [...grid], overall: ranked, perSymbol, errors: errors.map(({ file, message }) => ({ file, message })) };
}

/**
 * Scores every config of `grid` (see {@link parseGrid}) on every series with the
 * {@link backtest}: with `queue`, through workers; without, on this machine with `engine` (or
 * an engine of core's 'auto' choice). Both run the same jobs, so both give the same report.
 *
 * @example
 * ```ts
 * const grid = parseGrid(['lambda=0.01,0.02,0.05', 'robustness=Narrow,Medium,Wide']);
 * const local = await sweep({ inputs: loadedSeries, grid, options: {} });
 * const spread = await sweep({ queue: 'redis://10.0.0.5:6379', inputs: loadedSeries, grid, options: {} });
 * ```
 */
export async function sweep({ queue, engine, reader, inputs, grid, options = {} }: { queue?: string | QueueAddress; engine?: AtcEngine; reader?: ScanReader; inputs: readonly DistributedScanInput[]; grid: readonly ConfigObject[]; options?: SweepOptions }): Promise<SweepReport> {
  const planned = plan(inputs, grid, options);
  let outcomes: ChunkOutcome<SweepChunkResult>[];
  if (queue !== undefined) {
    outcomes = planned.jobs.length === 0 ? [] : await runChunks<SweepChunkResult>(queue, 'sweep', planned.jobs.length, (j) => planned.jobs[j]!.job(), options);
  } else {
    if (!engine) await import('@adaptive-trend/backend-js'); // at least one backend registered
    const local = engine ?? (await createAtc());
    const root = options.root === undefined ? undefined : realRoot(options.root);
    outcomes = [];
    for (const [j, { job }] of planned.jobs.entries()) {
      outcomes.push({ value: await runSweepChunk(job(), { engine: local, ...(root ? { root } : {}), ...(reader ? { reader } : {}), ...(options.threads ? { threads: options.threads } : {}), finalAttempt: true }) });
      options.onProgress?.(j + 1, planned.jobs.length);
    }
  }
  return report(inputs, planned, outcomes, options.top ?? 10);
}

