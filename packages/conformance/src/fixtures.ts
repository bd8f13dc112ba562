// Reading the reference material in `../shared` (next to the repository) at run time. Nothing
// from it is copied into the repo: if it is missing, the parity tier is skipped loudly.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ReferenceParams } from '@adaptive-trend/core';

/** Where the shared reference material lives, or undefined when it cannot be found. */
export function findSharedDir(): string | undefined {
  const fromEnv = process.env.ATC_SHARED_DIR;
  if (fromEnv) return existsSync(join(fromEnv, 'golden')) ? resolve(fromEnv) : undefined;
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared');
    if (existsSync(join(candidate, 'golden')) && existsSync(join(candidate, 'data'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const closeCache = new Map<string, Float64Array>();

/** The `close` column of `data/<dataset>.csv`. */
export function loadCloses(sharedDir: string, dataset: string): Float64Array {
  const path = join(sharedDir, 'data', `${dataset}.csv`);
  const cached = closeCache.get(path);
  if (cached) return cached;
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const column = header.indexOf('close');
  if (column < 0) throw new Error(`${path} has no close column`);
  const closes = Float64Array.from(lines.slice(1), (line) => Number(line.split(',')[column]));
  closeCache.set(path, closes);
  return closes;
}

/** Reference output series: null in JSON means NaN. */
function toSeries(values: (number | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? NaN : v));
}

/** One `golden/pipeline/<dataset>__<variant>.json`. */
export interface PipelineFixture {
  readonly name: string;
  readonly dataset: string;
  readonly params: ReferenceParams;
  readonly barsIn: number;
  /** The 13 reference outputs. */
  readonly outputs: Record<string, Float64Array>;
  /** Per-MA signal strings by reference family name and length. */
  readonly maSignals: Record<string, Record<string, string>>;
}

export function pipelineFixtureNames(sharedDir: string): string[] {
  return readdirSync(join(sharedDir, 'golden', 'pipeline'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadPipelineFixture(sharedDir: string, name: string): PipelineFixture {
  const raw = JSON.parse(readFileSync(join(sharedDir, 'golden', 'pipeline', `${name}.json`), 'utf8'));
  const outputs: Record<string, Float64Array> = {};
  for (const [key, values] of Object.entries(raw.outputs as Record<string, (number | null)[]>)) outputs[key] = toSeries(values);
  return { name, dataset: raw.dataset, params: raw.params, barsIn: raw.bars_in, outputs, maSignals: raw.ma_signals };
}

/** One `golden/ma/<dataset>.json`: all 54 MAs at base 28, Medium. */
export interface MaFixture {
  readonly dataset: string;
  readonly lengths: number[];
  readonly series: Record<string, Record<string, Float64Array>>;
}

export function maFixtureNames(sharedDir: string): string[] {
  return readdirSync(join(sharedDir, 'golden', 'ma'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadMaFixture(sharedDir: string, dataset: string): MaFixture {
  const raw = JSON.parse(readFileSync(join(sharedDir, 'golden', 'ma', `${dataset}.json`), 'utf8'));
  const series: Record<string, Record<string, Float64Array>> = {};
  for (const [family, byLength] of Object.entries(raw.series as Record<string, Record<string, (number | null)[]>>)) {
    series[family] = {};
    for (const [length, values] of Object.entries(byLength)) series[family]![length] = toSeries(values);
  }
  return { dataset, lengths: (raw.lengths_order as (string | number)[]).map(Number), series };
}
