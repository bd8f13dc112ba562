// Real series for the benchmarks: the `close` column of a dataset in ../shared/data (next to the
// repository, or ATC_SHARED_DIR), read at run time and never copied into the repo.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `../shared`, searched upwards from the working directory, or undefined. */
export function sharedDir() {
  if (process.env.ATC_SHARED_DIR) return process.env.ATC_SHARED_DIR;
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'shared', 'data'))) return join(dir, 'shared');
    if (dirname(dir) === dir) return undefined;
  }
}

/** Candles (`open … volume`, `openTime` in ms) of `data/<dataset>.csv`, or undefined without ../shared. */
export function realCandles(dataset) {
  const shared = sharedDir();
  if (!shared) return undefined;
  const [header, ...lines] = readFileSync(join(shared, 'data', `${dataset}.csv`), 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  const at = (name) => names.indexOf(name);
  return lines.map((line) => {
    const c = line.split(',');
    return { open: +c[at('open')], high: +c[at('high')], low: +c[at('low')], close: +c[at('close')], volume: +c[at('volume')], openTime: Date.parse(c[0]) };
  });
}

/** The first `bars` closes of a dataset as a Float64Array, or undefined without ../shared. */
export function realCloses(dataset, bars = Infinity) {
  const candles = realCandles(dataset);
  return candles && Float64Array.from(candles.slice(0, bars), (c) => c.close);
}

/** The eleven datasets of ../shared/data: 5-minute crypto pairs (flat runs, frequent crossings), 1- and 30-minute test pairs, daily equities. */
export const DATASETS = [
  'ADA_BTC-5m', 'DASH_BTC-5m', 'ETC_BTC-5m', 'ETH_BTC-5m', 'LTC_BTC-5m', 'NXT_BTC-5m', 'TRX_BTC-5m',
  'UNITTEST_BTC-1m', 'UNITTEST_BTC-30m', 'nvda-1999-2014', 'orcl-1995-2014',
];

/**
 * The benchmark's real series: from every dataset, up to `perDataset` windows of `bars`
 * consecutive closes, spread evenly over the file (non-overlapping where it is long enough; a
 * dataset shorter than `bars` gives none). Returns `[{ dataset, start, closes }]` in dataset
 * order, or undefined without ../shared.
 */
export function realWindowsByDataset({ bars = 1500, perDataset = 3 } = {}) {
  if (!sharedDir()) return undefined;
  const windows = [];
  for (const dataset of DATASETS) {
    const closes = realCloses(dataset);
    if (closes.length < bars) continue;
    const count = Math.max(1, Math.min(perDataset, Math.floor(closes.length / bars)));
    const step = count > 1 ? Math.floor((closes.length - bars) / (count - 1)) : 0;
    for (let k = 0; k < count; k++) {
      const start = k * step;
      windows.push({ dataset, start, closes: closes.slice(start, start + bars) });
    }
  }
  return windows;
}

/**
 * The series a bench names: `<dataset>@<offset>` → `bars` closes of the dataset from bar
 * `offset` (`<dataset>` alone: from bar 0). Throws without ../shared.
 */
export function seriesFor(name, bars) {
  const [dataset, offset = '0'] = name.split('@');
  const closes = realCloses(dataset);
  if (!closes) throw new Error(`${name}: ../shared/data not found (set ATC_SHARED_DIR)`);
  const from = Number(offset);
  if (!(from >= 0 && from + bars <= closes.length)) throw new Error(`${name}: ${closes.length} bars, no ${bars}-bar window from ${offset}`);
  return closes.slice(from, from + bars);
}

/** Every dataset's name in ../shared/data (sorted), or [] without ../shared. */
export function datasetNames() {
  const shared = sharedDir();
  return shared ? readdirSync(join(shared, 'data')).filter((f) => f.endsWith('.csv')).map((f) => f.slice(0, -4)).sort() : [];
}
