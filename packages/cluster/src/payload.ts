// The one job format producers send and workers accept, and the checks a worker makes on every
// job before computing: shape, sizes, numbers. A job is data from the network: nothing in it is
// trusted, and a job that fails these checks fails alone (InvalidJobError, no retries).
import { type AtcConfig, DEFAULT_CONFIG } from '@adaptive-trend/core';
import { InvalidJobError } from './errors.js';

/** Bumped when the payload changes incompatibly; a worker refuses other formats. */
export const JOB_FORMAT = 1;

/** Bounds a worker enforces per job (a job within them can still be refused by core's own checks). */
export const JOB_LIMITS = Object.freeze({
  /** Series (or files) in one job. */
  items: 10_000,
  /** Configs in one sweep job. */
  configs: 10_000,
  /** Bars of one series. */
  bars: 5_000_000,
  /** Price bytes of one job (8 per bar): keeps a job far below Redis' 512 MB value limit. */
  priceBytes: 128 * 1024 * 1024,
  /** Characters of a file label or path. */
  label: 1024,
  /** Keys of one config object. */
  configKeys: 64,
});

/** One series read by the producer: prices as base64 of little-endian float64 (exact, 8 bytes a bar). */
export interface SeriesItem {
  file: string;
  symbol?: string;
  prices: string;
  lastClose: number;
}

/** Where a job's series come from: sent in the job, or files the worker reads under its `--root`. */
export type JobInput =
  | { kind: 'series'; series: SeriesItem[] }
  | { kind: 'files'; files: string[]; source: string; closedOnly: boolean };

/** Config keys and values as core's `resolveConfig` accepts them (core validates the values). */
export type ConfigObject = Record<string, number | string | boolean>;

export interface ScanJob {
  format: typeof JOB_FORMAT;
  task: 'scan';
  config: ConfigObject;
  input: JobInput;
}

export interface SweepJob {
  format: typeof JOB_FORMAT;
  task: 'sweep';
  configs: ConfigObject[];
  input: JobInput;
}

export type ClusterJob = ScanJob | SweepJob;

/** The config keys of `config` (core's {@link DEFAULT_CONFIG} keys) as a plain object for a job. */
export function configObject(config: Readonly<AtcConfig>): ConfigObject {
  const out: ConfigObject = {};
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof AtcConfig)[]) out[key] = config[key];
  return out;
}

/** Prices as base64 of little-endian float64 (bit-exact; JSON numbers would be too, but 2× larger). */
export function encodePrices(prices: Float64Array): string {
  const bytes = Buffer.alloc(prices.length * 8);
  for (let i = 0; i < prices.length; i++) bytes.writeDoubleLE(prices[i]!, i * 8);
  return bytes.toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The prices of {@link encodePrices}; `where` names the field in the error. */
export function decodePrices(text: string, where: string): Float64Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new InvalidJobError(`${where}: not base64`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0) throw new InvalidJobError(`${where}: ${bytes.length} bytes is not a whole number of float64 values`);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function label(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > JOB_LIMITS.label || value.includes('\0')) {
    throw new InvalidJobError(`${where}: must be a non-empty string of at most ${JOB_LIMITS.label} characters without NUL`);
  }
  return value;
}

function array(value: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new InvalidJobError(`${where}: must be an array`);
  if (value.length === 0 || value.length > max) throw new InvalidJobError(`${where}: must hold 1–${max} entries, got ${value.length}`);
  return value;
}

function config(value: unknown, where: string): ConfigObject {
  if (!isObject(value)) throw new InvalidJobError(`${where}: must be an object of config keys`);
  const entries = Object.entries(value);
  if (entries.length > JOB_LIMITS.configKeys) throw new InvalidJobError(`${where}: more than ${JOB_LIMITS.configKeys} keys`);
  for (const [key, v] of entries) {
    const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 64);
    if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(key) || !ok) throw new InvalidJobError(`${where}.${key.slice(0, 64)}: must be a finite number, a boolean or a short string`);
  }
  return value as ConfigObject;
}

function input(value: unknown): JobInput {
  if (!isObject(value)) throw new InvalidJobError('input: must be an object');
  if (value.kind === 'series') {
    let bytes = 0;
    const series = array(value.series, 'input.series', JOB_LIMITS.items).map((item, i): SeriesItem => {
      const where = `input.series[${i}]`;
      if (!isObject(item)) throw new InvalidJobError(`${where}: must be an object`);
      if (typeof item.prices !== 'string') throw new InvalidJobError(`${where}.prices: must be a base64 string`);
      const bars = (item.prices.length / 4) * 3 / 8;
      if (bars > JOB_LIMITS.bars) throw new InvalidJobError(`${where}.prices: more than ${JOB_LIMITS.bars} bars`);
      bytes += bars * 8;
      if (bytes > JOB_LIMITS.priceBytes) throw new InvalidJobError(`input.series: more than ${JOB_LIMITS.priceBytes} bytes of prices in one job`);
      if (typeof item.lastClose !== 'number' || !Number.isFinite(item.lastClose)) throw new InvalidJobError(`${where}.lastClose: must be a finite number`);
      return {
        file: label(item.file, `${where}.file`),
        ...(item.symbol === undefined ? {} : { symbol: label(item.symbol, `${where}.symbol`) }),
        prices: item.prices,
        lastClose: item.lastClose,
      };
    });
    return { kind: 'series', series };
  }
  if (value.kind === 'files') {
    const files = array(value.files, 'input.files', JOB_LIMITS.items).map((f, i) => label(f, `input.files[${i}]`));
    if (typeof value.source !== 'string' || !/^[a-z0-9]{1,16}$/.test(value.source)) throw new InvalidJobError('input.source: must be a price source name (close, open, hl2, …)');
    if (typeof value.closedOnly !== 'boolean') throw new InvalidJobError('input.closedOnly: must be a boolean');
    return { kind: 'files', files, source: value.source, closedOnly: value.closedOnly };
  }
  throw new InvalidJobError("input.kind: must be 'series' or 'files'");
}

/**
 * The job's payload checked field by field, or {@link InvalidJobError} naming the first bad
 * field. (Prices are decoded later, per series, by {@link decodePrices}; core checks their values.)
 */
export function validateJob(data: unknown): ClusterJob {
  if (!isObject(data)) throw new InvalidJobError('payload: must be an object');
  if (data.format !== JOB_FORMAT) throw new InvalidJobError(`format: this worker reads format ${JOB_FORMAT}, got ${JSON.stringify(data.format)?.slice(0, 32)}`);
  if (data.task === 'scan') return { format: JOB_FORMAT, task: 'scan', config: config(data.config, 'config'), input: input(data.input) };
  if (data.task === 'sweep') {
    const configs = array(data.configs, 'configs', JOB_LIMITS.configs).map((c, i) => config(c, `configs[${i}]`));
    return { format: JOB_FORMAT, task: 'sweep', configs, input: input(data.input) };
  }
  throw new InvalidJobError("task: must be 'scan' or 'sweep'");
}
