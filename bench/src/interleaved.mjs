#!/usr/bin/env node
// `node bench/src/interleaved.mjs [rounds]`: the fused pipeline (1500 bars, default config) of
// native, wasm and js measured *interleaved*: each backend lives in its own worker thread (its
// own V8 isolate, so each engine's call sites stay monomorphic, as in an application that uses
// one backend), and the main thread asks them in turn for one timed batch — native, wasm, js,
// native, … — never two at once. Each round's three batches run within a fraction of a second
// of each other, under the same state of this shared VM (whose speed drifts by up to ~2× over
// minutes), so the per-round ratios are far steadier than absolute times.
//
// Two series sets, each its own rounds:
// * real (primary): every 1500-bar window cut from the eleven datasets of ../shared/data
//   (`realWindowsByDataset`: 5-minute crypto with flat runs and frequent crossings, 1- and
//   30-minute pairs, daily equities), each window 3 times per batch; ratios also per dataset;
// * synthetic (secondary): the seeded random walk, 100 calls per batch.
// Prints per-backend median and min per call, and the median of the per-round ratios.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const backends = ['native', 'wasm', 'js'];

/** One backend's worker thread (`interleaved-worker.mjs`, or `script` with `workerData` `{ backend, ...data }`). */
export function startWorker(backend, script = new URL('./interleaved-worker.mjs', import.meta.url), data = {}) {
  const worker = new Worker(script, { workerData: { backend, ...data } });
  let resolveNext;
  worker.on('message', (value) => resolveNext?.(value));
  worker.on('error', (error) => {
    console.error(`${backend} worker failed: ${error.message}`);
    process.exit(1);
  });
  const next = () => new Promise((resolve) => (resolveNext = resolve));
  return { backend, worker, ready: next(), ask: (msg) => { const p = next(); worker.postMessage(msg); return p; } };
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const stats = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

/** Interleaved rounds on one series set; per-backend ms per call and per-round ratios to native. */
async function rounds(workers, series, count) {
  const times = Object.fromEntries(backends.map((b) => [b, []]));
  const ratios = { wasm: [], js: [] };
  const perDataset = {};
  for (let r = 0; r < count; r++) {
    const t = {};
    for (const w of workers) t[w.backend] = await w.ask({ series });
    for (const b of backends) times[b].push(t[b].ms);
    ratios.wasm.push(t.wasm.ms / t.native.ms);
    ratios.js.push(t.js.ms / t.native.ms);
    for (const dataset of Object.keys(t.native.perDataset ?? {})) {
      const d = (perDataset[dataset] ??= { native: [], wasm: [], js: [] });
      d.native.push(t.native.perDataset[dataset]);
      d.wasm.push(t.wasm.perDataset[dataset] / t.native.perDataset[dataset]);
      d.js.push(t.js.perDataset[dataset] / t.native.perDataset[dataset]);
    }
  }
  return {
    series,
    rounds: count,
    backends: Object.fromEntries(backends.map((b) => [b, stats(times[b])])),
    wasmOverNative: stats(ratios.wasm),
    jsOverNative: stats(ratios.js),
    perDataset: Object.fromEntries(
      Object.entries(perDataset).map(([d, v]) => [d, { nativeMs: median(v.native), wasmOverNative: median(v.wasm), jsOverNative: median(v.js) }]),
    ),
  };
}

/**
 * Runs the interleaved measurement: `realRounds` rounds on the real windows (skipped, with
 * `real: undefined`, without ../shared), then `syntheticRounds` on the random walk.
 */
export async function measureInterleaved(realRounds = 41, syntheticRounds = 21) {
  const workers = backends.map((b) => startWorker(b));
  for (const w of workers) await w.ready;
  let windows = 0;
  for (const w of workers) windows = (await w.ask('warm')).windows;
  const real = windows > 0 ? { windows, ...(await rounds(workers, 'real', realRounds)) } : undefined;
  const synthetic = await rounds(workers, 'synthetic', syntheticRounds);
  for (const w of workers) await w.worker.terminate();
  return { real, synthetic };
}

/** The report lines of a {@link measureInterleaved} result (real data first). */
export function formatInterleaved(result) {
  const f = (v) => v.toFixed(4);
  const r = (s) => `${s.median.toFixed(2)} (range ${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  const block = (res, title) => [
    title,
    ...backends.map((b) => `${b.padEnd(7)} median ${f(res.backends[b].median)}  min ${f(res.backends[b].min)}  max ${f(res.backends[b].max)}`),
    `wasm/native: median of per-round ratios ${r(res.wasmOverNative)}`,
    `js/native:   median of per-round ratios ${r(res.jsOverNative)}`,
  ];
  const lines = [];
  if (result.real) {
    lines.push(...block(result.real, `REAL DATA: fused pipeline, default config, ${result.real.windows} windows of 1500 bars from ../shared/data; ${result.real.rounds} interleaved rounds (each window 3× per backend per round; ms per call)`));
    for (const [d, v] of Object.entries(result.real.perDataset)) {
      lines.push(`  ${d.padEnd(17)} native ${f(v.nativeMs)} ms  wasm/native ${v.wasmOverNative.toFixed(2)}  js/native ${v.jsOverNative.toFixed(2)}`);
    }
  } else lines.push('(real-data rounds skipped: ../shared/data not found; set ATC_SHARED_DIR)');
  lines.push(...block(result.synthetic, `synthetic random walk (secondary): fused pipeline, 1500 bars, default config; ${result.synthetic.rounds} interleaved rounds of 100 calls per backend (ms per call)`));
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const realRounds = Number(process.argv[2] ?? 41);
  console.log(formatInterleaved(await measureInterleaved(realRounds, Math.max(5, Math.round(realRounds / 2)))).join('\n'));
}
