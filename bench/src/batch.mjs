// computeBatch against a plain loop of `compute` in the same process (issue 17, item 3):
// 500 real series × 1,500 bars, cut as consecutive windows from the eleven datasets in
// ../shared/data. Run alone with `node bench/src/batch.mjs [--runs=N] [--backends=js,wasm] [--threads=N] [--drop-loop-results]`,
// or import `measureBatch` from another bench script.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AtcEngine } from '@adaptive-trend/core';
import { realCloses, sharedDir } from './real-data.mjs';

const DATASETS = [
  'ADA_BTC-5m', 'DASH_BTC-5m', 'ETC_BTC-5m', 'ETH_BTC-5m', 'LTC_BTC-5m', 'NXT_BTC-5m', 'TRX_BTC-5m',
  'UNITTEST_BTC-1m', 'UNITTEST_BTC-30m', 'nvda-1999-2014', 'orcl-1995-2014',
];
const PACKAGES = { native: '@adaptive-trend/backend-native', wasm: '@adaptive-trend/backend-wasm', js: '@adaptive-trend/backend-js' };

/**
 * `count` windows of `bars` consecutive closes, taken round-robin over the eleven datasets;
 * within a dataset the windows start `stride` bars apart, the smallest stride that still
 * yields `count` windows (so they overlap no more than needed). Undefined without ../shared.
 */
export function realWindows(count = 500, bars = 1500) {
  if (!sharedDir()) return undefined;
  const closes = DATASETS.map((d) => realCloses(d)).filter((c) => c.length >= bars);
  const spare = closes.reduce((sum, c) => sum + c.length - bars, 0);
  const windows = (stride) => closes.reduce((sum, c) => sum + Math.floor((c.length - bars) / stride) + 1, 0);
  let stride = Math.max(1, Math.floor(spare / Math.max(1, count - closes.length)));
  while (stride > 1 && windows(stride) < count) stride--;
  const starts = closes.map((c) => Array.from({ length: Math.floor((c.length - bars) / stride) + 1 }, (_, k) => k * stride));
  const out = [];
  for (let round = 0; out.length < count; round++) {
    let took = false;
    closes.forEach((c, d) => {
      const start = starts[d][round];
      if (start === undefined || out.length >= count) return;
      out.push(c.slice(start, start + bars));
      took = true;
    });
    if (!took) throw new Error(`only ${out.length} windows of ${bars} bars in the datasets`);
  }
  return out;
}

const SPIN = `
  const { parentPort, workerData } = require('node:worker_threads');
  let n = 0, x = 0;
  const end = Date.now() + workerData;
  while (Date.now() < end) for (let i = 0; i < 1e4; i++) { x += i; n++; }
  parentPort.postMessage(n + (x < 0 ? 1 : 0));`;
const spin = (ms) => new Promise((resolve, reject) => {
  const w = new Worker(SPIN, { eval: true, workerData: ms });
  w.once('message', resolve);
  w.once('error', reject);
});

/**
 * How many cores two busy threads get right now, against one (≈ 2 on an idle 2-core
 * machine, less while other processes run): the ceiling of any 2-thread speed-up.
 */
export async function coresAvailable(ms = 300) {
  const one = await spin(ms);
  const two = await Promise.all([spin(ms), spin(ms)]);
  return (two[0] + two[1]) / one;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times, per backend, a sequential loop of `engine.compute` over the series against one
 * `engine.computeBatch` of them (warm pool: one full warm-up call of each first), the two
 * interleaved run by run so machine noise hits both alike.
 *
 * Options (all optional):
 * - `backends`: names to run (default `['native', 'wasm', 'js']`; a backend that fails to load is skipped with a note).
 * - `engines`: `{ name: AtcEngine }` to use instead of loading `backends` (not closed here).
 * - `series`: the Float64Array series (default `realWindows(count, bars)`).
 * - `count` / `bars`: size of the default series (500 × 1,500).
 * - `runs`: timed runs of each side (default 7, at least 1); the medians are reported.
 * - `config`: ATC config for both sides (default `{}`).
 * - `batchOptions`: passed to `computeBatch` (e.g. `{ threads: 2 }`).
 * - `dropLoopResults`: the loop drops each result at once instead of keeping all 500 (the
 *   measure before 2026-12-06 22:00; computeBatch always returns all of them).
 * - `log`: called with one line per backend (default: none).
 *
 * Returns rows `{ backend, loopMs, batchMs, speedup, loopMinMs, loopMaxMs, batchMinMs, batchMaxMs, series, bars, loopKeepsResults,
 * coresBefore, coresAfter }` (`speedup` = loopMs / batchMs, medians; `cores*` = {@link coresAvailable}
 * just before and after the timed runs: what two threads could get, the ceiling of the speed-up).
 */
export async function measureBatch(options = {}) {
  const { backends = ['native', 'wasm', 'js'], count = 500, bars = 1500, runs = 7, config = {}, batchOptions = {}, dropLoopResults = false, log = () => {} } = options;
  const series = options.series ?? realWindows(count, bars);
  if (!series) throw new Error('measureBatch needs ../shared/data (or ATC_SHARED_DIR) or options.series');
  const rows = [];
  for (const name of options.engines ? Object.keys(options.engines) : backends) {
    let engine = options.engines?.[name];
    if (!engine) {
      try {
        const { backendFactory } = await import(PACKAGES[name] ?? name);
        engine = new AtcEngine(await backendFactory.load());
      } catch (error) {
        log(`${name}: skipped (${error instanceof Error ? error.message.split('\n')[0] : error})`);
        continue;
      }
    }
    // Both sides end with the 500 results held, as a caller of either needs them: a loop that
    // dropped each result at once would let the GC free it young (a scavenge), a cost every
    // batch pays for the results it returns (they survive to the old generation).
    let held;
    const loop = dropLoopResults
      ? () => {
          for (const s of series) engine.compute(s, config);
        }
      : () => {
          held = series.map((s) => engine.compute(s, config));
        };
    const batch = async () => {
      held = await engine.computeBatch(series, config, batchOptions);
    };
    // Warm-up: two rounds of each (the JIT of this thread and of every pooled worker).
    for (let w = 0; w < 2; w++) {
      loop();
      await batch();
    }
    held = undefined;
    const cores = await coresAvailable();
    const loopMs = [];
    const batchMs = [];
    for (let r = 0; r < Math.max(1, runs); r++) {
      let t = performance.now();
      loop();
      loopMs.push(performance.now() - t);
      t = performance.now();
      await batch();
      batchMs.push(performance.now() - t);
    }
    const row = {
      backend: engine.backend,
      loopMs: median(loopMs),
      batchMs: median(batchMs),
      speedup: median(loopMs) / median(batchMs),
      loopMinMs: Math.min(...loopMs),
      loopMaxMs: Math.max(...loopMs),
      batchMinMs: Math.min(...batchMs),
      batchMaxMs: Math.max(...batchMs),
      series: series.length,
      bars: series[0]?.length ?? 0,
      loopKeepsResults: !dropLoopResults,
      coresBefore: cores,
      coresAfter: await coresAvailable(),
    };
    rows.push(row);
    log(formatBatchRow(row));
    if (!options.engines?.[name]) await engine.close?.();
  }
  return rows;
}

/** One line per row: `wasm  loop 1234.5 ms (1200.1–1300.2)  batch 650.3 ms (…)  1.90×`. */
export function formatBatchRow(r) {
  const ms = (v) => v.toFixed(1);
  return `${r.backend.padEnd(6)} ${r.series}×${r.bars}  loop${r.loopKeepsResults === false ? ' (results dropped)' : ''} ${ms(r.loopMs)} ms (${ms(r.loopMinMs)}–${ms(r.loopMaxMs)})  computeBatch ${ms(r.batchMs)} ms (${ms(r.batchMinMs)}–${ms(r.batchMaxMs)})  speed-up ${r.speedup.toFixed(2)}×  (2 threads got ${r.coresBefore.toFixed(2)}/${r.coresAfter.toFixed(2)} cores before/after)`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const backends = arg('backends')?.split(',');
  const runs = arg('runs') === undefined ? undefined : Number(arg('runs'));
  const threads = arg('threads') === undefined ? undefined : Number(arg('threads'));
  const dropLoopResults = process.argv.includes('--drop-loop-results');
  await measureBatch({ ...(backends && { backends }), ...(runs && { runs }), ...(threads && { batchOptions: { threads } }), dropLoopResults, log: console.log });
}
